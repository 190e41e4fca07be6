//! Small level helpers for meters and displays.

/// Largest |sample| over every channel, linear (0.0 for empty input).
/// Non-finite samples are ignored.
pub fn peak_abs<S: AsRef<[f32]>>(channels: &[S]) -> f32 {
    channels
        .iter()
        .flat_map(|c| c.as_ref().iter())
        .filter(|s| s.is_finite())
        .fold(0.0f32, |peak, s| peak.max(s.abs()))
}

/// Frame `i` of `channels` mixed to mono: the mean of the channels
/// (0.0 when there are none).
pub fn mono_sample<S: AsRef<[f32]>>(channels: &[S], i: usize) -> f32 {
    if channels.is_empty() {
        return 0.0;
    }
    let sum: f32 = channels.iter().map(|c| c.as_ref()[i]).sum();
    sum / channels.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_and_mono_mix() {
        let l = [0.5f32, -0.75, f32::NAN];
        let r = [0.25f32, 0.25, 0.0];
        assert_eq!(peak_abs(&[&l[..], &r[..]]), 0.75);
        assert_eq!(peak_abs::<&[f32]>(&[]), 0.0);
        assert_eq!(mono_sample(&[&l[..], &r[..]], 0), 0.375);
        assert_eq!(mono_sample(&[&l[..]], 1), -0.75);
    }
}
