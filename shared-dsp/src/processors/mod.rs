//! Processors: one per plugin. The plugin wrapper and the `lathe` command
//! line run these, so what a host hears and what a file gets cannot drift.

pub mod bus_glue;
pub mod channel_strip;
pub mod loudness_meter;
pub mod maximizer;
pub mod param_table;
pub mod stereo_imager;

// Processors follow the unit lifecycle too, so the conformance test holds
// them to it.
use crate::units::unit::{unit_with_inherent_lifecycle, Unit};
use bus_glue::BusGlue;
use channel_strip::ChannelStrip;
use loudness_meter::{LoudnessMeterProcessor, TransportPolicy};
use maximizer::Maximizer;
use stereo_imager::StereoImager;

unit_with_inherent_lifecycle!(ChannelStrip, f32, latency: ChannelStrip::latency_samples);
unit_with_inherent_lifecycle!(BusGlue, f32, latency: BusGlue::latency_samples);
unit_with_inherent_lifecycle!(Maximizer, f32, latency: Maximizer::latency_samples);
unit_with_inherent_lifecycle!(StereoImager, f32, latency: StereoImager::latency_samples);

impl Unit for LoudnessMeterProcessor {
    type Sample = f32;
    fn set_sample_rate(&mut self, sample_rate: f64) {
        LoudnessMeterProcessor::set_sample_rate(self, sample_rate);
    }
    fn reset(&mut self) {
        LoudnessMeterProcessor::reset(self);
    }
    /// Sanitises and measures as a host without a transport would drive it.
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        let policy = TransportPolicy {
            reset_on_play: true,
            pause_when_stopped: true,
        };
        let status = self.follow_transport(false, policy);
        LoudnessMeterProcessor::process(self, channels, status, |_, _| {});
    }
    fn latency_samples(&self) -> usize {
        0
    }
}
