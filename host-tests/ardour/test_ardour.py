"""Lathe in a real DAW: Ardour 7 headless (ardour7-lua, Dummy backend).

Builds Ardour sessions of generated multitrack audio, puts the ci-profile
VST3 bundles of $LATHE_BUNDLE_DIR (set by `cargo xtask test`) on the tracks
and the master bus, sets parameters through Ardour's Lua API, exports the mix
and checks the file. Recipes: ../shared/HOSTS.md ("A real DAW").

Ardour is installed by scripts/install-deps; without `ardour7-lua` on PATH
every test here is skipped with that message. LATHE_ARDOUR_REPEATS sets how
many open/export/close runs the teardown test makes (default 5).
"""

import os
import shutil
import subprocess
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy import signal

WORKSPACE = Path(__file__).resolve().parents[2]
RATE = 48000
SECONDS = 10
SUPERCLOCK = 282240000  # Ardour 7 superclock ticks per second
SCANNER = "/usr/lib/ardour7/ardour-vst3-scanner"
LUA = shutil.which("ardour7-lua")
# A float WAV export preset (format: Ardour's "BWAV 32float Export"), so
# NaN/Inf and overs survive into the file instead of being clipped to PCM.
PRESET_ID = "8a0f3c9e-1a2b-4c3d-9e8f-1a2b3c4d5e6f"
PRESET = f"""<?xml version="1.0" encoding="UTF-8"?>
<ExportPreset id="{PRESET_ID}" name="Lathe float WAV">
  <ExportFormat id="20b4ab09-6452-4cb3-bd66-b921cdbd2942"/>
  <ExportFilename>
    <Folder relative="1" path="export"/>
    <Field name="label" enabled="0"/>
    <Field name="session" enabled="1"/>
    <Field name="snapshot" enabled="0"/>
    <Field name="timespan" enabled="0"/>
    <Field name="revision" enabled="0"/>
    <Field name="time" enabled="0" value="T_None"/>
    <Field name="date" enabled="0" value="D_None"/>
  </ExportFilename>
</ExportPreset>
"""

STRIP = "Lathe Channel Strip"
MAXIMIZER = "Lathe Maximizer"
METER = "Lathe Loudness Meter"
# Mastering chain order; the optional ones join once their bundles exist.
OPTIONAL_MASTER = ["Lathe Bus Glue", "Lathe Stereo Imager"]

pytestmark = pytest.mark.skipif(
    LUA is None or not os.path.exists(SCANNER),
    reason="Ardour 7 is not installed (ardour7-lua / ardour-vst3-scanner missing): "
           "run scripts/install-deps")


def bundle_dir() -> Path:
    return Path(os.environ.get("LATHE_BUNDLE_DIR", WORKSPACE / "target" / "bundled")).resolve()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A private HOME with the suite's VST3 bundles in ~/.vst3, scanned by Ardour."""
    home = tmp_path_factory.mktemp("ardour-home")
    vst3 = home / ".vst3"
    vst3.mkdir()
    bundles = sorted(bundle_dir().glob("Lathe *.vst3"))
    assert bundles, f"no Lathe VST3 bundles in {bundle_dir()}"
    for b in bundles:
        shutil.copytree(b, vst3 / b.name)
    time.sleep(1.1)  # the scan cache must be newer than the .so
    for b in sorted(vst3.iterdir()):
        r = subprocess.run([SCANNER, "-f", str(b.resolve())], env=env(home),
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"ardour-vst3-scanner failed on {b.name}:\n{r.stderr[-2000:]}"
    preset_dir = home / ".config" / "ardour7" / "export"
    preset_dir.mkdir(parents=True)
    (preset_dir / "lathe.preset").write_text(PRESET)
    return home


def available(home: Path, name: str) -> bool:
    return (home / ".vst3" / f"{name}.vst3").is_dir()


def env(home: Path) -> dict:
    e = dict(os.environ)
    e["HOME"] = str(home)
    e["LD_LIBRARY_PATH"] = "/usr/lib/ardour7"
    e.pop("XDG_CONFIG_HOME", None)
    e.pop("XDG_CACHE_HOME", None)
    return e


def run_lua(home: Path, script: str, work: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    path = work / f"step{len(list(work.glob('step*.lua')))}.lua"
    path.write_text(script)
    return subprocess.run([LUA, str(path)], env=env(home), cwd=work, capture_output=True,
                          text=True, timeout=timeout)


# Ardour 7.3 itself aborts at session teardown in some runs, with no Lathe
# plugin in the session at all (see test_repeated_sessions_close_cleanly).
# The export checks rebuild and re-run a session that died of a signal, at most this often;
# whether our plugins make teardown crash is the repeat test's question.
SIGNAL_RETRIES = 3


def run_session(home: Path, work: Path, name: str, tracks: dict, track_plugins: dict,
                master_plugins: list, pans: dict | None = None) -> tuple:
    """Builds session `name` from scratch, adds the plugins, exports and closes
    it; if Ardour dies of a signal, starts again in a new folder (a session
    reopened after such a crash exported silence). Returns (CompletedProcess,
    export folder)."""
    for attempt in range(SIGNAL_RETRIES):
        try_dir = work / f"try{attempt}"
        try_dir.mkdir()
        sdir = create_session(home, try_dir, name, tracks)
        out_dir = try_dir / "export"
        r = run_lua(home, process_script(sdir, name, out_dir, track_plugins, master_plugins, pans),
                    try_dir)
        if r.returncode >= 0:
            return r, out_dir
        crash = [l for l in r.stderr.splitlines() if "free" in l or "malloc" in l][:1]
        print(f"ardour7-lua died of signal {-r.returncode} {crash}; starting again")
    return r, out_dir


def check_ok(r: subprocess.CompletedProcess, what: str) -> str:
    out = r.stdout + r.stderr
    assert r.returncode == 0, f"{what}: ardour7-lua exited {r.returncode}\n{out[-4000:]}"
    return out


# ---------------------------------------------------------------- sessions

def lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create_session(home: Path, work: Path, name: str, tracks: dict) -> Path:
    """Creates session `name` in work/name with one mono-in, stereo-out track per
    entry of `tracks` (name -> mono float array at RATE) holding that audio."""
    sdir = work / name
    names = ", ".join(lua_str(t) for t in tracks)
    script = f"""
    local s = create_session({lua_str(str(sdir))}, {lua_str(name)}, {RATE})
    assert(s, "create_session failed")
    for _, n in ipairs({{{names}}}) do
      local tl = s:new_audio_track(1, 2, nil, 1, n, ARDOUR.PresentationInfo.max_order,
                                   ARDOUR.TrackMode.Normal, true)
      assert(tl:size() == 1, "new_audio_track failed")
    end
    s:save_state("", false, false, false, false, false)
    close_session()
    print("CREATED")
    """
    out = check_ok(run_lua(home, textwrap.dedent(script), work), "create session")
    assert "CREATED" in out
    add_regions(sdir, name, tracks)
    return sdir


def add_regions(sdir: Path, name: str, tracks: dict) -> None:
    """Writes each track's audio into the session and adds a Source, a Region
    on the track's playlist and the session range to the .ardour XML."""
    audiofiles = sdir / "interchange" / name / "audiofiles"
    audiofiles.mkdir(parents=True, exist_ok=True)
    xml_path = sdir / f"{name}.ardour"
    tree = ET.parse(xml_path)
    root = tree.getroot()
    next_id = int(root.get("id-counter")) + 100
    sources = root.find("Sources")
    playlists = {p.get("name"): p for p in root.find("Playlists")}
    length = 0
    for track, audio in tracks.items():
        fname = f"{track}.wav"
        sf.write(audiofiles / fname, audio.astype(np.float32), RATE, subtype="FLOAT")
        sid, rid = next_id, next_id + 1
        next_id += 2
        ET.SubElement(sources, "Source", {
            "name": fname, "type": "audio", "flags": "", "id": str(sid), "channel": "0",
            "origin": "", "gain": "1"})
        n = len(audio)
        length = max(length, n)
        ET.SubElement(playlists[track], "Region", {
            "name": track, "muted": "0", "opaque": "1", "locked": "0", "video-locked": "0",
            "automatic": "0", "whole-file": "0", "import": "0", "external": "0",
            "sync-marked": "0", "left-of-split": "0", "right-of-split": "0", "hidden": "0",
            "position-locked": "0", "valid-transients": "0", "start": "a0",
            "length": f"a{n * SUPERCLOCK // RATE}@a0", "position": "a0",
            "sync-position": "a0", "ancestral-start": "a0",
            "stretch": "1", "shift": "1", "layering-index": "0", "envelope-active": "0",
            "default-fade-in": "0", "default-fade-out": "0", "fade-in-active": "0",
            "fade-out-active": "0", "scale-amplitude": "1", "id": str(rid), "type": "audio",
            "first-edit": "nothing", "source-0": str(sid), "master-source-0": str(sid),
            "channels": "1"})
    connect_to_master(root, tracks)
    locations = root.find("Locations")
    ET.SubElement(locations, "Location", {
        "id": str(next_id), "name": "session", "start": "a0",
        "end": f"a{length * SUPERCLOCK // RATE}", "flags": "IsSessionRange", "locked": "0",
        "timestamp": str(int(time.time())), "cue": "0"})
    root.set("id-counter", str(next_id + 100))
    tree.write(xml_path, encoding="UTF-8", xml_declaration=True)


def connect_to_master(root: ET.Element, tracks) -> None:
    """Connects each track's outputs to the master bus's inputs in the session
    XML. Ardour makes these connections in its auto-connect thread after
    new_audio_track returns; when create_session's save_state ran first (often
    on a busy machine) the saved tracks were connected to nothing, and the
    session exported silence without any error."""
    routes = {r.get("name"): r for r in root.find("Routes")}
    for track in tracks:
        outputs = [io for io in routes[track].findall("IO") if io.get("direction") == "Output"]
        assert len(outputs) == 1, f"track {track} has {len(outputs)} output IOs"
        ports = outputs[0].findall("Port")
        assert len(ports) == 2, f"track {track} has {len(ports)} outputs, not 2"
        for channel, port in enumerate(ports, start=1):
            master_in = f"Master/audio_in {channel}"
            if not any(c.get("other") == master_in for c in port.findall("Connection")):
                ET.SubElement(port, "Connection", {"other": master_in})


LUA_HELPERS = """
local function add_plugin(s, route, name, index, params)
  local p = ARDOUR.LuaAPI.new_plugin(s, name, ARDOUR.PluginType.VST3, "")
  assert(not p:isnil(), "Ardour cannot load " .. name)
  assert(route:add_processor_by_index(p, index, nil, true) == 0, "cannot add " .. name)
  local plug = p:to_insert():plugin(0)
  local n, index_of = 0, {}
  for j = 0, plug:parameter_count() - 1 do
    if plug:parameter_is_control(j) and plug:parameter_is_input(j) then
      index_of[plug:parameter_label(j)] = n
      n = n + 1
    end
  end
  for label, value in pairs(params) do
    local k = index_of[label]
    assert(k, name .. " has no parameter " .. label)
    assert(ARDOUR.LuaAPI.set_processor_param(p, k, value), "cannot set " .. label)
    print(string.format("PARAM %s|%s|%s|%.6f", route:name(), name, label,
                        ARDOUR.LuaAPI.get_processor_param(p, k, true)))
  end
  print(string.format("LATENCY %s|%s|%d", route:name(), name, p:signal_latency()))
  return p
end

local function export(s, folder, name)
  local e = s:simple_export()
  e:set_folder(folder)
  e:set_name(name)
  assert(e:set_preset(PRESET), "export preset not found")
  assert(e:run_export(), "export failed")
  print("EXPORTED")
end
"""


# Saving the session after the export is not needed by any check here.
SAVE_AFTER_EXPORT = os.environ.get("LATHE_ARDOUR_SAVE", "0") == "1"


def lua_table(params: dict) -> str:
    return "{" + ", ".join(f"[{lua_str(k)}] = {float(v)!r}" for k, v in params.items()) + "}"


def process_script(sdir: Path, name: str, out: Path, track_plugins: dict,
                   master_plugins: list, pans: dict | None = None) -> str:
    """Lua: open the session, add plugins (track -> [(plugin, params)], master ->
    [(plugin, params)] in chain order) with parameters, pan, export, close."""
    lines = [f"local PRESET = {lua_str(PRESET_ID)}", LUA_HELPERS,
             f"local s = load_session({lua_str(str(sdir))}, {lua_str(name)})",
             'assert(s, "load_session failed")']
    for track, plugins in track_plugins.items():
        lines.append(f"do local r = s:route_by_name({lua_str(track)}); "
                     f"assert(not r:isnil(), 'no track {track}')")
        for i, (plugin, params) in enumerate(plugins):
            lines.append(f"  add_plugin(s, r, {lua_str(plugin)}, {i}, {lua_table(params)})")
        lines.append("end")
    for track, azimuth in (pans or {}).items():
        lines.append(f"s:route_by_name({lua_str(track)}):pan_azimuth_control()"
                     f":set_value({azimuth}, PBD.GroupControlDisposition.NoGroup)")
    if master_plugins:
        lines.append("do local m = s:master_out()")
        for i, (plugin, params) in enumerate(master_plugins):
            lines.append(f"  add_plugin(s, m, {lua_str(plugin)}, {i}, {lua_table(params)})")
        lines.append("end")
    lines += [f"export(s, {lua_str(str(out))}, {lua_str(name)})"]
    if SAVE_AFTER_EXPORT:
        lines.append("s:save_state(\"\", false, false, false, false, false)")
    lines += ["close_session()", 'print("CLOSED")']
    return "\n".join(lines) + "\n"


def read_export(out: Path) -> np.ndarray:
    files = sorted(out.glob("*.wav"))
    assert len(files) == 1, f"expected one exported WAV in {out}, found {files}"
    audio, rate = sf.read(files[0], dtype="float64", always_2d=True)
    assert rate == RATE
    return audio


def parse(out: str, tag: str) -> list:
    return [line.split(" ", 1)[1].split("|") for line in out.splitlines()
            if line.startswith(tag + " ")]


# ---------------------------------------------------------------- audio

def synth_tracks(seconds: float = SECONDS) -> dict:
    """Four synthetic instruments, mono, at RATE: kick, bass, chord pad, hats."""
    rng = np.random.default_rng(13)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    beat = 0.5  # 120 bpm
    kick = np.zeros(n)
    for start in np.arange(0, seconds, beat):
        i = int(start * RATE)
        tt = np.arange(min(int(0.4 * RATE), n - i)) / RATE
        kick[i:i + len(tt)] += np.sin(2 * np.pi * (50 * tt + 60 * (1 - np.exp(-tt * 30)) / 30)) \
            * np.exp(-tt * 8)
    notes = [55.0, 55.0, 65.41, 49.0]
    f_bass = np.array([notes[int(x / (2 * beat)) % 4] for x in t])
    phase = 2 * np.pi * np.cumsum(f_bass) / RATE
    bass = np.tanh(2 * np.sin(phase)) * (0.6 + 0.4 * np.abs(np.sin(np.pi * t / beat)))
    pad = sum(np.sin(2 * np.pi * f * t + k) for k, f in enumerate([220.0, 277.18, 329.63, 440.0]))
    pad *= 0.5 * (1 - np.exp(-t * 2))
    hats = np.zeros(n)
    for start in np.arange(beat / 2, seconds, beat / 2):
        i = int(start * RATE)
        m = min(int(0.05 * RATE), n - i)
        hats[i:i + m] = rng.standard_normal(m) * np.exp(-np.arange(m) / RATE * 80)
    hats = np.diff(hats, prepend=0.0)  # brighter
    out = {"kick": kick, "bass": bass, "pad": pad, "hats": hats}
    return {k: 0.25 * v / np.max(np.abs(v)) for k, v in out.items()}


def true_peak_db(x: np.ndarray) -> float:
    """True peak over all channels, 4x oversampled (polyphase FIR), dBTP."""
    up = signal.resample_poly(x, 4, 1, axis=0)
    return 20 * np.log10(max(np.max(np.abs(up)), 1e-12))


def integrated_lufs(x: np.ndarray, rate: int = RATE) -> float:
    """ITU-R BS.1770-4 integrated loudness (K-weighting, 400 ms blocks, gates)."""
    # K-weighting filter coefficients of BS.1770 at 48 kHz.
    assert rate == 48000
    b1, a1 = [1.53512485958697, -2.69169618940638, 1.19839281085285], \
             [1.0, -1.69065929318241, 0.73248077421585]
    b2, a2 = [1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621]
    y = signal.lfilter(b2, a2, signal.lfilter(b1, a1, x, axis=0), axis=0)
    block, hop = int(0.4 * rate), int(0.1 * rate)
    z = np.array([np.sum(np.mean(y[i:i + block] ** 2, axis=0))
                  for i in range(0, len(y) - block + 1, hop)])
    lk = -0.691 + 10 * np.log10(np.maximum(z, 1e-20))
    z = z[lk > -70]
    rel = -0.691 + 10 * np.log10(np.mean(z)) - 10
    lk = -0.691 + 10 * np.log10(z)
    return -0.691 + 10 * np.log10(np.mean(z[lk > rel]))


PAN_CENTRE = 10 ** (-3 / 20)  # Ardour's mono panner at centre: -3 dB each side


# ---------------------------------------------------------------- tests

CEILING_DBTP = -2.0
INPUT_GAIN_DB = 9.0
EQ_BOOST_DB = 3.0
# Every strip: EQ band 3 as a +3 dB bell at 1 kHz (a parameter Ardour must set).
STRIP_PARAMS = {"EQ Section": 1.0, "EQ Band 3 On": 1.0, "EQ Band 3 Frequency": 1000.0,
                "EQ Band 3 Gain": EQ_BOOST_DB}
# The 4x estimate here and the Maximizer's own true-peak detector differ by
# a few hundredths of a dB on intersample peaks.
TRUE_PEAK_TOLERANCE_DB = 0.1


def test_multitrack_mix_through_the_suite(home, tmp_path):
    tracks = synth_tracks()
    master = [(name, {}) for name in OPTIONAL_MASTER if available(home, name)]
    master += [(MAXIMIZER, {"Input Gain": INPUT_GAIN_DB, "Ceiling": CEILING_DBTP}), (METER, {})]
    r, out_dir = run_session(home, tmp_path, "mix", tracks,
                             {t: [(STRIP, STRIP_PARAMS)] for t in tracks}, master)
    out = check_ok(r, "mix session")
    assert "EXPORTED" in out and "CLOSED" in out

    # Ardour holds the values we set (plain units, read back from the plugin).
    got = {(r, p, label): float(v) for r, p, label, v in parse(out, "PARAM")}
    assert got[("kick", STRIP, "EQ Band 3 Gain")] == pytest.approx(EQ_BOOST_DB, abs=1e-3)
    assert got[("Master", MAXIMIZER, "Ceiling")] == pytest.approx(CEILING_DBTP, abs=1e-3)
    assert got[("Master", MAXIMIZER, "Input Gain")] == pytest.approx(INPUT_GAIN_DB, abs=1e-3)

    mix = read_export(out_dir)
    assert mix.shape[1] == 2
    assert abs(len(mix) - SECONDS * RATE) <= RATE // 100, f"export is {len(mix)} samples"
    assert np.all(np.isfinite(mix)), "export contains NaN/Inf"
    assert np.max(np.abs(mix)) > 0.1, "export is (nearly) silent"

    tp = true_peak_db(mix)
    assert tp <= CEILING_DBTP + TRUE_PEAK_TOLERANCE_DB, \
        f"true peak {tp:.2f} dBTP above the Maximizer ceiling {CEILING_DBTP} dBTP"

    # The dry mix as Ardour sums it (-3 dB centre pan law), measured here.
    dry = sum(tracks.values()) * PAN_CENTRE
    dry_lufs = integrated_lufs(np.stack([dry, dry], axis=1))
    out_lufs = integrated_lufs(mix)
    gain = out_lufs - dry_lufs
    print(f"dry {dry_lufs:.2f} LUFS, export {out_lufs:.2f} LUFS (+{gain:.2f} LU), "
          f"true peak {tp:.2f} dBTP")
    # The input gain raises the loudness; limiting to the ceiling takes some
    # back, the EQ boost adds at most its gain.
    assert gain <= INPUT_GAIN_DB + EQ_BOOST_DB + 0.5, f"louder than the settings allow: +{gain:.2f} LU"
    assert gain >= INPUT_GAIN_DB - 6.0, f"input gain not applied? only +{gain:.2f} LU"


def impulses(positions_s, seconds: float = 4.0, amplitude: float = 0.5) -> np.ndarray:
    x = np.zeros(int(seconds * RATE))
    for p in positions_s:
        x[int(p * RATE)] = amplitude
    return x


def test_latency_is_compensated(home, tmp_path):
    """A dry impulse track (panned left) and the same impulses through the
    Maximizer (panned right, reports look-ahead latency) line up in the export."""
    at = [0.5, 1.25, 2.0, 3.0]
    tracks = {"dry": impulses(at), "wet": impulses(at)}
    r, out_dir = run_session(home, tmp_path, "latency", tracks, {"wet": [(MAXIMIZER, {})]}, [],
                             pans={"dry": 0.0, "wet": 1.0})
    out = check_ok(r, "latency session")
    latency = {(r, p): int(v) for r, p, v in parse(out, "LATENCY")}
    assert latency[("wet", MAXIMIZER)] > 0, "the Maximizer reports no latency to Ardour"
    mix = read_export(out_dir)
    assert np.all(np.isfinite(mix))
    left, right = mix[:, 0], mix[:, 1]
    assert np.max(np.abs(left)) > 0.1 and np.max(np.abs(right)) > 0.1
    for p in at:
        i = int(p * RATE)
        w = slice(i - 2000, i + 2000)
        l_at = i - 2000 + int(np.argmax(np.abs(left[w])))
        r_at = i - 2000 + int(np.argmax(np.abs(right[w])))
        assert l_at == i, f"dry impulse at {p} s exported at sample {l_at}, not {i}"
        assert r_at == l_at, (f"impulse through the Maximizer ({latency[('wet', MAXIMIZER)]} "
                              f"samples latency) at sample {r_at}, dry at {l_at}")


REPEATS = int(os.environ.get("LATHE_ARDOUR_REPEATS", "5"))
# More crashes with Channel Strips than in the control that still count as
# Ardour's own (at its ~1-in-6 base rate, 3 more in 5 runs is a ~2 % fluke).
CRASH_MARGIN = 2


def test_repeated_sessions_close_cleanly(home, tmp_path):
    """Open, export and close a session with Channel Strips REPEATS times, and
    the same session without any plugin as many times (the control): every
    run must exit 0 (issue 13: heap corruption at teardown after export).

    Findings (ci-profile bundles, 2 busy cores; details, backtraces and every
    variant tried: docs/ardour-teardown-crash.md). Ardour 7.3 itself aborts
    with no Lathe plugin in the session (and no VST3 in its HOME, so no scan):
    "double free or corruption (!prev)", "corrupted size vs. prev_size",
    "free(): invalid size", "munmap_chunk(): invalid pointer", SIGSEGV. On
    2026-12-01 in 12 of 65 plugin-free runs, 1 of 15 with only the Maximizer,
    4 of 60 with Channel Strips (mono and stereo tracks); on 2026-12-02 in 3 of
    23 plugin-free runs of this very script, and after the tracks were
    connected to the master (before, these lab exports were silent) in 1 of 28
    plugin-free runs and 2 of 14 with Channel Strips. Core dumps put the abort in
    ~PortExportChannel, freed by ~ExportProfileManager when Lua collects the
    SimpleExport (inside Session::destroy at close_session). Freeing the
    SimpleExport *before* the teardown (collectgarbage() after the export,
    session open, engine running) aborted in 4 of 30 plugin-free runs in that
    collectgarbage() call, same backtrace: the heap is already corrupted when
    run_export() returns (the chunk after the export channel's 4 KiB buffer
    has a zeroed size and holds heap pointers, not samples). So no order of
    the teardown steps can help (the abort comes before any of them; once, with audio
    flowing, it came inside the export, in ExportGraphBuilder::reset on the
    Dummy backend's process thread), and it
    is neither the Channel Strip nor the mono-to-stereo layout. valgrind
    memcheck on a whole plugin-free run saw no invalid access (only libsndfile
    writing uninitialised BWF header bytes): a race between Ardour's threads
    rather than a plain overrun, most likely. Hence the test
    fails when the Channel Strip runs crash clearly more often than the
    control (CRASH_MARGIN), and is an xfail reporting both counts when there
    are crashes but no clear excess. At 5 runs each it only catches a strong
    excess."""
    tracks = synth_tracks(3.0)
    tracks = {"kick": tracks["kick"], "bass": tracks["bass"]}
    sdir = create_session(home, tmp_path, "repeat", tracks)
    crashes = {"strip": [], "control": []}
    for run in range(REPEATS):
        for kind, plugins in (("strip", {"kick": [(STRIP, STRIP_PARAMS)], "bass": [(STRIP, {})]}),
                              ("control", {})):
            out_dir = tmp_path / f"{kind}{run}"
            r = run_lua(home, process_script(sdir, "repeat", out_dir, plugins, []), tmp_path)
            out = r.stdout + r.stderr
            if r.returncode != 0 or "CLOSED" not in out:
                tail = [l for l in out.splitlines() if not l.startswith("lua/")][-3:]
                crashes[kind].append(f"{kind} run {run}: exit {r.returncode}: {tail}")
                continue
            audio = read_export(out_dir)
            assert np.all(np.isfinite(audio))
            assert np.max(np.abs(audio)) > 0.1, f"{kind} run {run} exported silence"
    summary = (f"with Channel Strips {len(crashes['strip'])} of {REPEATS} runs failed, "
               f"without plugins {len(crashes['control'])} of {REPEATS}")
    print(summary)
    detail = summary + "\n" + "\n".join(crashes["strip"] + crashes["control"])
    # Ardour's own teardown crash (about one run in six, either side) makes a
    # few crashes inconclusive: only a clear excess over the control fails.
    # Raise LATHE_ARDOUR_REPEATS for a stronger comparison.
    assert len(crashes["strip"]) <= len(crashes["control"]) + CRASH_MARGIN, \
        "Channel Strip sessions crash clearly more often than plugin-free ones: " + detail
    if crashes["strip"] or crashes["control"]:
        pytest.xfail("Ardour 7.3 crashes at teardown (also without any Lathe plugin): " + detail)
