//! Channel counts: the one place they are defined.

/// Most channels any unit handles: 7.1 surround (8), the loudness meter's
/// largest layout. Units that link channels size their stack scratch with it.
pub const MAX_CHANNELS: usize = 8;

/// Channels of a stereo pair: the most the stereo-only units (limiter,
/// dither, Maximizer) and the plugins' main buses take.
pub const STEREO: usize = 2;
