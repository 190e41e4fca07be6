//! Bounded histograms against exact (sorted, unbounded) computations on
//! seeded random loudness values.

mod common;
use common::*;
use shared_dsp::units::loudness::gating::GatedLoudness;
use shared_dsp::units::loudness::histogram::LoudnessHistogram;
use shared_dsp::units::loudness::range::LoudnessRange;
use shared_dsp::units::loudness::{energy_to_lufs, lufs_to_energy};

/// BS.1770-4 gating computed exactly from all block energies.
fn exact_integrated(energies: &[f64]) -> Option<f64> {
    let abs: Vec<f64> = energies
        .iter()
        .copied()
        .filter(|e| energy_to_lufs(*e) > -70.0)
        .collect();
    if abs.is_empty() {
        return None;
    }
    let gate = abs.iter().sum::<f64>() / abs.len() as f64 * 0.1;
    let rel: Vec<f64> = abs.into_iter().filter(|e| *e > gate).collect();
    Some(energy_to_lufs(rel.iter().sum::<f64>() / rel.len() as f64))
}

/// EBU Tech 3342 LRA computed exactly (nearest rank on sorted values).
fn exact_lra(energies: &[f64]) -> Option<f64> {
    let mut abs: Vec<f64> = energies
        .iter()
        .copied()
        .filter(|e| energy_to_lufs(*e) > -70.0)
        .collect();
    if abs.is_empty() {
        return None;
    }
    let gate = abs.iter().sum::<f64>() / abs.len() as f64 * 0.01;
    abs.retain(|e| *e > gate);
    abs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = abs.len();
    let pick = |p: f64| energy_to_lufs(abs[((n - 1) as f64 * p + 0.5) as usize]);
    Some(pick(0.95) - pick(0.10))
}

/// Mixture: a loud cluster, a quiet cluster, some near-silence and, if
/// `over_range`, a few values above the +30 LUFS top of the histograms
/// (impossible for audio within ±1.0 full scale, ≈ +6 LUFS at most on two
/// channels, but floats can go there).
fn random_programme(rng: &mut Rng, n: usize, over_range: bool) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let u = rng.uniform();
            let lufs = if u < 0.5 {
                -18.0 + 6.0 * rng.bipolar()
            } else if u < 0.8 {
                -32.0 + 8.0 * rng.bipolar()
            } else if u < 0.97 {
                -90.0 + 30.0 * rng.uniform()
            } else if over_range {
                25.0 + 20.0 * rng.uniform()
            } else {
                -10.0 + 10.0 * rng.uniform()
            };
            lufs_to_energy(lufs)
        })
        .collect()
}

#[test]
fn integrated_matches_exact_gating() {
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        let energies = random_programme(&mut rng, 200 + 500 * seed as usize, true);
        let mut gated = GatedLoudness::new();
        for &e in &energies {
            gated.add_block(e);
        }
        let ours = gated.loudness_lufs().unwrap();
        let exact = exact_integrated(&energies).unwrap();
        // Only blocks within one 0.01 LU bin of the relative gate can be
        // misplaced; their effect on the mean is far below 0.01 LU.
        assert!(
            (ours - exact).abs() < 0.01,
            "seed {seed}: {ours} vs {exact}"
        );
    }
}

#[test]
fn lra_matches_exact_percentiles() {
    for seed in 0..20 {
        let mut rng = Rng::new(100 + seed);
        let energies = random_programme(&mut rng, 300 + 700 * seed as usize, false);
        let mut range = LoudnessRange::new();
        for &e in &energies {
            range.add_short_term(e);
        }
        let ours = range.range_lu().unwrap();
        let exact = exact_lra(&energies).unwrap();
        // Each percentile is the mean of the 0.01 LU bin holding its rank.
        assert!(
            (ours - exact).abs() <= 0.02,
            "seed {seed}: {ours} vs {exact}"
        );
    }
}

#[test]
fn nothing_above_gates_is_none() {
    let mut gated = GatedLoudness::new();
    let mut range = LoudnessRange::new();
    assert_eq!(gated.loudness_lufs(), None);
    assert_eq!(range.range_lu(), None);
    for lufs in [-71.0, -90.0, f64::NEG_INFINITY] {
        assert!(!gated.add_block(lufs_to_energy(lufs)));
        assert!(!range.add_short_term(lufs_to_energy(lufs)));
    }
    assert!(!gated.add_block(f64::NAN));
    assert!(!gated.add_block(f64::INFINITY));
    assert_eq!(gated.loudness_lufs(), None);
    assert_eq!(range.range_lu(), None);
    assert_eq!(gated.num_blocks(), 0);
}

/// Over-range values share the top bin but keep their exact energy.
#[test]
fn over_range_values_keep_exact_energy() {
    let mut gated = GatedLoudness::new();
    for lufs in [35.0, 40.0] {
        gated.add_block(lufs_to_energy(lufs));
    }
    let exact = energy_to_lufs((lufs_to_energy(35.0) + lufs_to_energy(40.0)) / 2.0);
    assert!((gated.loudness_lufs().unwrap() - exact).abs() < 1e-9);
}

#[test]
fn rank_search_and_reset() {
    let mut hist = LoudnessHistogram::new(-70.0, 30.0, 0.01);
    assert_eq!(hist.num_bins(), 10_000);
    for lufs in [-10.0, -20.0, -30.0, -20.0] {
        assert!(hist.add(lufs_to_energy(lufs)));
    }
    let l = |r| hist.loudness_of_rank_from_top(r).unwrap();
    assert!((l(0) + 10.0).abs() < 1e-9);
    assert!((l(1) + 20.0).abs() < 1e-9 && (l(2) + 20.0).abs() < 1e-9);
    assert!((l(3) + 30.0).abs() < 1e-9);
    assert_eq!(hist.loudness_of_rank_from_top(4), None);
    hist.reset();
    assert_eq!(hist.count(), 0);
    assert_eq!(hist.total(), (0, 0.0));
}
