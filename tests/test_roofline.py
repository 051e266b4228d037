"""Devices and roofline bounds: max(Mult-Adds / peak, traffic / bandwidth) per operator."""

import json
from fractions import Fraction

import pytest

import mbcalc
from mbcalc import api
from mbcalc.errors import ArgumentError, SpecError
from mbcalc.memory import analyze_memory
from mbcalc.read.device import bundled_devices, load_device, parse_device
from mbcalc.roofline import roofline

BOARD = """\
name: board
description: a made-up board
peak: {int8: 1M, fp32: 250K}
bandwidth: 100K
sram: 256KiB
sources:
  peak: one MAC per cycle at 1 MHz
  bandwidth: a 1-byte bus at 100 kHz
  sram: its datasheet
"""

CHAIN = """\
name: chain
form: graph
input: 4x4x2
classes: 10
layers:
  - {name: a, conv: {out: 8, k: 1}}
  - {name: b, dw: {k: 3}}
  - {name: pool, avgpool: {k: global}}
"""


def test_a_device_file_is_read_with_its_units():
    device = parse_device(BOARD, "board.yaml")
    assert device.peak == {"int8": 1_000_000, "fp32": 250_000} and device.bandwidth == 100_000
    assert (device.sram, device.flash) == (262_144, None)
    assert device.sources["bandwidth"] == "a 1-byte bus at 100 kHz"


def test_bounds_by_hand():
    """int8, 4x4 maps. a: 16·2·8 = 256 Mult-Adds; moves 32 in + 16 weights + 8·4 folded? no: a has
    no batch norm, so 16 weights and no bias, + 128 out = 176 bytes. b: 16·8·9 = 1,152 Mult-Adds;
    128 in + 72 weights + 128 out = 328 bytes. pool: 0 Mult-Adds; 128 in + 8 out = 136 bytes."""
    memory = analyze_memory(mbcalc.build(mbcalc.loads(CHAIN)), "int8")
    roof = roofline(memory, parse_device(BOARD))
    got = {b.layer: (b.macs, b.traffic_bytes, b.bound_by) for b in roof.bounds}
    assert got == {"a": (256, 176, "memory"), "b": (1152, 328, "memory"), "pool": (0, 136, "memory")}
    # at 1M Mult-Adds/s and 100K bytes/s: a 1.76 ms (memory; compute 0.256), b 3.28 ms, pool 1.36 ms
    assert roof.seconds == Fraction(176 + 328 + 136, 100_000)
    assert roof.ridge == 10  # Mult-Adds per byte
    fast_memory = parse_device(BOARD.replace("bandwidth: 100K", "bandwidth: 1G"))
    bound_b = next(b for b in roofline(memory, fast_memory).bounds if b.layer == "b")
    assert (bound_b.bound_by, bound_b.seconds) == ("compute", Fraction(1152, 1_000_000))


def test_a_dtype_without_a_peak_is_refused():
    memory = analyze_memory(mbcalc.build(mbcalc.loads(CHAIN)), "fp16")
    with pytest.raises(ArgumentError, match="gives no peak for fp16"):
        roofline(memory, parse_device(BOARD))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("bandwidth: 100K", "bandwith: 100K"), "board.yaml:4:1: unknown key 'bandwith'; did you mean 'bandwidth'?"),
        (("bandwidth: 100K", "bandwidth: fast"), "board.yaml:4:12: 'bandwidth' must be an amount like 1.92G"),
        (("bandwidth: 100K", "bandwidth: 0.5"), "board.yaml:4:12: 'bandwidth' must be a whole number from 1"),
        (("int8: 1M", "int4: 1M"), "board.yaml:3:8: unknown dtype 'int4'; did you mean 'int8'?"),
        (("  sram: its datasheet\n", ""), "board.yaml:7:3: 'sources.sram' is missing"),
    ],
)
def test_device_file_problems_say_where(change, message):
    with pytest.raises(SpecError) as caught:
        parse_device(BOARD.replace(*change), "board.yaml")
    assert any(str(problem).startswith(message) for problem in caught.value.problems)


def test_every_bundled_device_cites_every_number():
    assert set(bundled_devices()) == {"cortex-m7", "raspberry-pi-4", "pixel-1"}
    for name in bundled_devices():
        device = load_device(name)
        numbers = [key for key in ("peak", "bandwidth", "sram", "flash") if getattr(device, key) is not None]
        assert set(device.sources) == set(numbers) and all(len(text) > 20 for text in device.sources.values())


def test_the_memory_command_with_a_device(run, tmp_path):
    data = json.loads(run("memory", "v2", "--device", "cortex-m7", "-f", "json").output)
    device = load_device("cortex-m7")
    roof = data["roofline"]
    assert roof["peak"] == device.peak["int8"] and data["device"]["name"] == "cortex-m7"
    assert sum(step["bound_seconds"] for step in data["steps"]) == pytest.approx(roof["bound_seconds"])
    assert data["verdicts"][0].startswith("RAM: the arena peak 1,505,280 bytes does not fit in")  # the device's SRAM
    board = tmp_path / "board.yaml"
    board.write_text(BOARD, encoding="utf-8")
    result = run("memory", "v2", "--device", str(board), "--dtype", "fp16")
    assert result.exit_code == 2 and "gives no peak for fp16" in result.output and "--dtype int8" in result.output
    assert run("memory", "v2", "--device", "cortex-m8").exit_code == 2


def test_the_api_bounds_v3_large():
    roof = api.roofline("v3-large", "pixel-1", dtype="fp32")
    assert roof.seconds == sum(b.seconds for b in roof.bounds) and roof.seconds > 0
    for b in roof.bounds:  # below the ridge (0.29 Mult-Adds per byte here) an operator is memory-bound
        assert b.bound_by == ("memory" if Fraction(b.macs, b.traffic_bytes) < roof.ridge else "compute")
    kinds = {b.op: b.bound_by for b in roof.bounds}
    assert kinds["add"] == kinds["multiply"] == kinds["avgpool"] == "memory" and kinds["conv"] == "compute"
    assert roof.seconds > Fraction(216_589_760, 8_600_000_000)  # more than its Mult-Adds at the peak alone


def test_no_published_latency_is_below_its_bound():
    """The V2 and V3 papers' Pixel 1 latencies (mbcalc/latencies.yaml) against pixel-1's roofs:
    a measurement below its bound would mean the device file's peak or bandwidth is too low."""
    from mbcalc.reproduce import latencies

    checked = latencies()
    assert len(checked) == 29 and all(item.above_bound for item in checked)
    v2 = next(item for item in checked if item.entry["id"] == "v2-table4-v2")
    assert 2 < float(v2.measured) / float(v2.roofline.seconds) < 2.2  # 75 ms against a 35.1 ms bound
    from mbcalc.reproduce import Latency

    assert not Latency({**v2.entry, "ms": 35}, v2.roofline).above_bound  # 35 ms would beat the roofs


def test_device_files_are_never_overwritten_and_problems_are_one_line(run, tmp_path):
    board = tmp_path / "board.yaml"
    board.write_text(BOARD, encoding="utf-8")
    result = run("memory", "v2", "--device", str(board), "-o", str(board))
    assert result.exit_code == 2 and f"is the input file {board}" in result.stderr
    assert board.read_text(encoding="utf-8") == BOARD
    bundled = str(bundled_devices()["cortex-m7"])
    result = run("memory", "v2", "--device", "cortex-m7", "-o", bundled)
    assert result.exit_code == 2 and "is the bundled device cortex-m7.yaml" in result.stderr
    board.write_text(BOARD.replace("bandwidth: 100K", "bandwidth: fast"), encoding="utf-8")
    result = run("memory", "v2", "--device", str(board))
    assert (
        result.exit_code == 2
        and result.stderr
        == f"mbcalc: error: {board}:4:12: 'bandwidth' must be an amount like 1.92G (bytes per second), got 'fast'\n"
    )
    result = run("memory", "v2", "--device", str(tmp_path))
    assert result.exit_code == 2 and "it is a folder, not a device file" in result.stderr


def test_device_and_size_arguments_are_checked(run, tmp_path):
    from pathlib import Path

    board = tmp_path / "board.yaml"
    board.write_text(BOARD, encoding="utf-8")
    assert api.roofline("v2", Path(board)).device.name == "board"  # a Path is a device file too
    with pytest.raises(ArgumentError, match=r"^device must be"):
        api.device(5)
    with pytest.raises(ArgumentError, match=r"^memory_dtype must be None or one of"):
        api.compare(["v2"], [1.0], [224], memory_dtype="int4")
    board.write_text(BOARD.replace("bandwidth: 100K", "bandwidth: 1e999999999"), encoding="utf-8")
    result = run("memory", "v2", "--device", str(board))
    assert result.exit_code == 2 and ":4:12: 'bandwidth' must be an amount like 1.92G" in result.stderr
    board.write_text("\n", encoding="utf-8")
    result = run("memory", "v2", "--device", str(board))
    assert result.exit_code == 2 and "the device file is empty" in result.stderr
    for size, why in (
        ("1.5", "a whole number of bytes"),
        ("0", "from 1 byte to 10^18"),
        ("1" + "0" * 400, "a size like"),
    ):
        result = run("memory", "v2", "--sram", size)
        assert result.exit_code == 2 and f"--sram must be {why}" in result.stderr, result.stderr
