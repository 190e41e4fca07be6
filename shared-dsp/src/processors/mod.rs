//! Processors: one per plugin. The plugin wrapper and the `lathe` command
//! line run these, so what a host hears and what a file gets cannot drift.

pub mod channel_strip;
pub mod loudness_meter;
pub mod maximizer;
