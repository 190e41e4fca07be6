"""VST3 host harness: loads every Lathe .vst3 bundle in pedalboard (a
JUCE-based VST3 host) and checks what hosts and pluginval rely on.

The suite is the workspace's bundler.toml (cargo package -> bundle name);
what each plugin must do is one line per package in EXPECTED. Bundles are
looked up in $LATHE_BUNDLE_DIR (set by `cargo xtask test`) or target/bundled/.
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pedalboard
import pytest


WORKSPACE = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Expected:
    latency_samples: int
    """Latency the plugin must report at its default settings."""
    bit_exact: bool
    """Whether audio must pass through bit-exactly at default settings."""
    params: frozenset = field(default_factory=frozenset)
    """Parameter names (pedalboard's python names) the plugin must expose."""
    mono: bool = True
    """Whether the VST3 must run mono (a VST3 cannot change its number of busses, so a plugin
    whose stereo layout has a side-chain bus has no mono layout there)."""


@dataclass(frozen=True)
class PluginCase:
    package: str
    """Cargo package, the plugin's table in bundler.toml."""
    bundle: str
    """Bundle directory name, e.g. 'Lathe Loudness Meter.vst3' (bundler.toml's name)."""
    latency_samples: int
    bit_exact: bool
    params: frozenset
    mono: bool


EXPECTED = {
    "loudness-meter": Expected(0, True,
                               frozenset({"target", "reset_on_play", "pause_when_stopped", "reset",
                                          "custom_target_lufs", "custom_peak_limit_dbtp"})),
    # Latency at defaults (48 kHz): the limiter's 133-sample true-peak detector + 1.5 ms
    # look-ahead, then the true-peak guard's own 133-sample detector + 2 ms look-ahead.
    # Bit-exact: the harness's test audio stays under the default −1 dBTP ceiling, so the
    # output is the input delayed by exactly the reported latency (pedalboard removes it).
    "maximizer": Expected(133 + 72 + 133 + 96, True,
                          frozenset({"input_gain_db", "ceiling_dbtp", "release_ms", "lookahead_ms",
                                     "stereo_link", "character", "oversampling", "dither",
                                     "listen"})),
    # Every section neutral by default: bit-identical, zero latency.
    "channel-strip": Expected(0, True,
                              frozenset({"input_trim_db", "high_pass", "high_pass_frequency",
                                         "eq_section", "eq_dynamics_order",
                                         "gate_threshold_dbfs", "comp_threshold_dbfs",
                                         "comp_ratio", "comp_attack_ms", "comp_detection",
                                         "sat_character", "sat_drive_db", "pan_constant_power",
                                         "width", "output_gain_db", "eq_band_1_frequency",
                                         "eq_band_6_gain_db", "eq_band_3_q"})),
    # Every control neutral by default: bit-identical, zero latency.
    "stereo-imager": Expected(0, True,
                              frozenset({"width", "mid_gain_db", "side_gain_db", "balance",
                                         "mono_maker", "mono_maker_frequency", "stereoize",
                                         "band_1_width", "crossover_1", "mono_listen"})),
    # Compresses at its defaults (threshold −18 dBFS, 4:1), so not bit-exact; zero latency. The
    # side-chain input is an auxiliary bus pedalboard leaves unconnected (silence). Stereo only
    # in VST3: the stereo layout has two input buses (main, side-chain), the mono one has one,
    # and a VST3 host cannot change the number of buses, so pedalboard's mono request is
    # refused ("does not support 1-channel output"); the CLAP build also runs mono.
    "bus-glue": Expected(0, False,
                         frozenset({"threshold_dbfs", "ratio", "attack_ms", "release_ms",
                                    "auto_release", "knee_db", "make_up_db", "auto_make_up",
                                    "range_db", "output_db", "detector_rms", "stereo_link",
                                    "detect", "sc_high_pass", "sc_high_pass_freq",
                                    "external_side_chain", "listen", "mix", "delta",
                                    "level_matched_bypass", "bypass"}),
                         mono=False),
}


def suite() -> list:
    """Every plugin of bundler.toml, in file order, with its EXPECTED row."""
    with open(WORKSPACE / "bundler.toml", "rb") as f:
        bundler = tomllib.load(f)
    unknown = set(EXPECTED) - set(bundler)
    assert not unknown, f"EXPECTED describes {unknown}, which bundler.toml does not list"
    cases = []
    for package, entry in bundler.items():
        assert package in EXPECTED, f"{package} (in bundler.toml) has no row in EXPECTED"
        e = EXPECTED[package]
        cases.append(PluginCase(package, f"{entry['name']}.vst3", e.latency_samples,
                                e.bit_exact, e.params, e.mono))
    return cases


PLUGINS = suite()

SAMPLE_RATES = [44100, 48000, 96000]
BLOCK_SIZES = [1, 64, 512, 4096]


def bundle_dir() -> Path:
    env = os.environ.get("LATHE_BUNDLE_DIR")
    if env:
        return Path(env)
    return WORKSPACE / "target" / "bundled"


def load(case: PluginCase):
    path = bundle_dir() / case.bundle
    assert path.is_dir(), (
        f"{path} missing: run `cargo xtask bundle-suite --profile ci` (or `cargo xtask test`)")
    return pedalboard.load_plugin(str(path))


# Test audio peaks at −12 dBFS: white noise's inter-sample peaks stay well under
# the Maximizer's default −1 dBTP ceiling, so it passes untouched (but delayed).
NOISE_PEAK = 0.25


def noise(channels: int, frames: int, seed: int = 1, level: float = NOISE_PEAK) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.uniform(-level, level, size=(channels, frames))).astype(np.float32)


@pytest.fixture(params=PLUGINS, ids=lambda c: c.bundle)
def case(request) -> PluginCase:
    return request.param


def test_loads_with_descriptor_and_parameters(case):
    plugin = load(case)
    assert plugin.name and plugin.manufacturer_name == "Lathe"
    names = set(plugin.parameters.keys())
    missing = case.params - names
    assert not missing, f"missing parameters {missing}; has {names}"
    for name, param in plugin.parameters.items():
        # Every parameter's normalized value lies in [0, 1] and reads back a value.
        assert 0.0 <= param.raw_value <= 1.0, name
        assert param.string_value != "", name


def test_reports_latency(case):
    plugin = load(case)
    plugin.process(noise(2, 4800), 48000)
    assert plugin.reported_latency_samples == case.latency_samples


@pytest.mark.parametrize("sample_rate", SAMPLE_RATES)
@pytest.mark.parametrize("block_size", BLOCK_SIZES)
def test_processes_stereo_at_every_rate_and_block_size(case, sample_rate, block_size):
    plugin = load(case)
    frames = sample_rate // 10  # 100 ms keeps block size 1 affordable
    audio = noise(2, frames, seed=sample_rate + block_size)
    out = plugin.process(audio, sample_rate, buffer_size=block_size)
    assert out.shape == audio.shape
    assert np.all(np.isfinite(out))
    if case.bit_exact:
        assert np.array_equal(out, audio)


def test_processes_mono(case):
    plugin = load(case)
    audio = noise(1, 24000, seed=7)
    if not case.mono:
        # Stereo-only in VST3: the host's request for one channel is refused, not a crash, and
        # the instance still processes stereo afterwards.
        with pytest.raises(ValueError, match="does not support 1-channel"):
            plugin.process(audio, 48000, buffer_size=512)
        out = plugin.process(noise(2, 24000, seed=7), 48000, buffer_size=512)
        assert out.shape == (2, 24000) and np.all(np.isfinite(out))
        return
    out = plugin.process(audio, 48000, buffer_size=512)
    assert np.all(np.isfinite(out))
    if case.bit_exact:
        assert np.array_equal(out.reshape(audio.shape), audio)


def test_non_finite_input_never_escapes(case):
    plugin = load(case)
    audio = noise(2, 48000, seed=3)
    audio[0, 100:200] = np.nan
    audio[1, 300] = np.inf
    audio[1, 400] = -np.inf
    audio[0, 500:600] = 1e-42  # subnormal
    out = plugin.process(audio, 48000, buffer_size=256)
    assert np.all(np.isfinite(out))
    nonzero = out[out != 0.0]
    assert np.all(np.abs(nonzero) >= np.finfo(np.float32).tiny), "subnormal output"
    # And the plugin recovers: clean audio afterwards is processed normally.
    clean = noise(2, 4800, seed=4)
    again = plugin.process(clean, 48000, buffer_size=256)
    assert np.all(np.isfinite(again))
    if case.bit_exact:
        assert np.array_equal(again, clean)


def test_state_round_trips(case):
    plugin = load(case)
    # Move every parameter away from its default, then copy the state over.
    for name, param in plugin.parameters.items():
        param.raw_value = 1.0 - param.raw_value if param.raw_value != 0.5 else 0.9
    plugin.process(noise(2, 4800), 48000)
    state = plugin.raw_state

    fresh = load(case)
    # `string_value`, not `getattr`: a parameter may share a name with a
    # pedalboard method (the meter's `reset`).
    defaults = {n: p.string_value for n, p in fresh.parameters.items()}
    fresh.raw_state = state
    fresh.process(noise(2, 4800), 48000)
    # The plugin saves plain values: the restored instance saves the very same
    # bytes, and shows the same value for every parameter.
    assert fresh.raw_state == state
    restored = {n: p.string_value for n, p in fresh.parameters.items()}
    assert restored == {n: p.string_value for n, p in plugin.parameters.items()}
    assert restored != defaults
