"""The Python API: the same integers as the command line, errors that name arguments, problems as
records, and checks that happen when a spec is read (before anything is built)."""

import json
import re

import pytest

import mbcalc
from mbcalc import api, models
from mbcalc.cli.shared import BN_CHOICES, BY, DTYPE_NAMES, PROFILE_NAMES, TOOL_NAMES
from mbcalc.cost import BN_TENSORS, DTYPES
from mbcalc.expansion.profiles import PROFILES
from mbcalc.render.model import BY as VIEWS
from mbcalc.tools import TOOLS

TWO_BAD_ROWS = """\
name: net
form: v2
input: 224x224x3
classes: 1000
layers:
  - [224²×3,   conv2d 3x3,  -,  32, 1, 2]
  - [112²×32,  bottleneck,  1,  16, 1, 1]
  - [56²×16,   bottleneck,  6,  24, 2, 2]
  - [28²×24,   bottleneck,  6,  32, 3, 2]
  - [28²×32,   avgpool 7x7, -,  -,  1, -]
"""


def test_the_api_gives_the_cli_integers(run):
    report = mbcalc.analyze("v2", alpha=0.75, resolution=192, profile="torchvision")
    cli = json.loads(run("v2", "--alpha", "0.75", "--res", "192", "--profile", "torchvision", "-f", "json").output)
    assert (report.macs, report.params) == (cli["macs"], cli["params"]) == (153_941_888, 2_636_424)
    assert [(r.name, r.macs, r.params) for r in report.layers] == [
        (layer["name"], layer["macs"], layer["params"]) for layer in cli["layers"]
    ]
    assert report.to_dict() == cli


def test_a_spec_with_two_bad_lines_raises_one_error_with_both_positions():
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(TWO_BAD_ROWS, "net.yaml")
    problems = info.value.problems
    assert [(p.path, p.line, p.column) for p in problems] == [("net.yaml", 8, 5), ("net.yaml", 10, 5)]
    assert problems[0].message.startswith("the input column says 56x56x16 but the rows above produce 112x112x16")
    assert str(info.value).splitlines() == [str(p) for p in problems]


def test_validate_reports_a_transcription_error_without_building(run, tmp_path, monkeypatch):
    def no_building(*args, **kwargs):
        raise AssertionError("the spec was built")

    monkeypatch.setattr(api, "expand", no_building)
    path = tmp_path / "net.yaml"
    path.write_text(TWO_BAD_ROWS, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    positions = [
        line.removeprefix("mbcalc: error: ").split(": ", 1)[0].split(":")[-2:] for line in result.stderr.splitlines()
    ]
    assert positions == [["8", "5"], ["10", "5"]]


def test_library_errors_name_arguments_and_the_cli_names_options(run):
    with pytest.raises(mbcalc.MbcalcError, match=r"^alpha must be a number in \(0, 4\], got -1 \(e.g. alpha=0.75\)$"):
        mbcalc.analyze("v1", alpha=-1)
    with pytest.raises(mbcalc.MbcalcError, match=r"^resolution must be a whole number from 1 to 100,000, got 0"):
        mbcalc.build("v1", resolution=0)
    assert "--alpha must be a number in (0, 4], got -1.0 (e.g. --alpha 0.75)" in run("v1", "--alpha", "-1").stderr


def test_build_and_count_are_separate_steps():
    network = mbcalc.build("v3-small", alpha=0.5, profile="keras")
    assert network.config.profile == "keras" and network.form == "v3"
    keras = mbcalc.count(network)  # the profile's own convention: 4 batch-norm tensors
    weights_only = mbcalc.count(network, biases=False, bn="none")
    batchnorm = sum(layer.output.channels for layer in network.layers if layer.type == "batchnorm")
    biases = sum(layer.output.channels for layer in network.layers if layer.attrs.get("bias"))
    assert keras.params - weights_only.params == 4 * batchnorm + biases
    assert keras.macs == weights_only.macs


def test_the_cheap_index_agrees_with_the_specs():
    for name in models.bundled():
        assert models.description(name) == mbcalc.load(name).description


def test_compare_reads_each_spec_once(tmp_path, monkeypatch):
    path = tmp_path / "net.yaml"
    path.write_text(models.read_text(models.find("v1")), encoding="utf-8")
    calls = []
    original = api.load_spec
    monkeypatch.setattr(api, "load_spec", lambda *a, **k: calls.append(a) or original(*a, **k))
    comparison = api.compare([str(path)], [1.0, 0.75, 0.5], [224, 192, 160])
    assert len(comparison.reports) == 9 and len(calls) == 1


def test_the_cli_offers_the_library_profiles_and_batch_norm_conventions():
    assert (
        tuple(PROFILES) == PROFILE_NAMES
        and tuple(BN_TENSORS) == BN_CHOICES
        and BY == VIEWS
        and tuple(TOOLS) == TOOL_NAMES
        and tuple(DTYPES) == DTYPE_NAMES
    )


def test_a_path_or_a_loaded_spec_works_as_a_model():
    spec = mbcalc.load(models.find("v1"))
    assert mbcalc.analyze(spec).macs == mbcalc.analyze("v1").macs == 568_740_352


def test_compare_and_diff_are_the_library_and_name_arguments():
    comparison = mbcalc.compare(["v1", "v2"], [1.0], [224])
    assert [r.macs for r in comparison.reports] == [568_740_352, 300_774_272]
    assert mbcalc.diff("v1", "v1-shallow").b.macs == 307_323_392
    with pytest.raises(mbcalc.MbcalcError, match=r"^baseline v2@1.0/0: resolution must be"):
        mbcalc.compare(["v1"], [1.0], [224], baseline="v2@1.0/0")
    with pytest.raises(mbcalc.MbcalcError, match=r"^rho must be a number in \(0, 16\], got '0.5'"):
        mbcalc.analyze("v2", rho="0.5")  # type: ignore[arg-type]


def test_compare_and_diff_default_to_a_specs_own_width(tmp_path):
    spec = tmp_path / "half.yaml"
    spec.write_text(
        "name: half\nform: graph\ninput: 32x32x3\nclasses: 10\nwidths: {0.5: {c: 8}}\nlayers:\n  - conv: {out: $c, k: 3}\n",
        encoding="utf-8",
    )
    assert [r.network.config.alpha for r in mbcalc.compare([str(spec)], [None], [None]).reports] == [0.5]
    assert mbcalc.diff(str(spec), str(spec)).a.network.config.alpha == 0.5


def test_a_closed_standard_input_is_a_clean_error(monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(mbcalc.MbcalcError, match="standard input, which is closed"):
        mbcalc.load("-")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mbcalc.compare(["v1"], None, [224]), "alphas must be a list, e.g. [1.0, 0.75], got None"),
        (lambda: mbcalc.compare("v1", [1.0], [224]), "model_names must be a list of models"),
        (lambda: mbcalc.compare(["v1"], [1.0], [224], baseline=1.5), "baseline must be None or a target"),
        (lambda: mbcalc.compare(["v1"], [1.0], [224], foo=1), "compare takes no argument foo"),
        (lambda: mbcalc.diff(None, "v1"), "a must be a model or target"),
        (lambda: mbcalc.loads(None), "text must be a spec's YAML text"),
        (lambda: mbcalc.count("v1"), "network must be a Network"),
        (lambda: mbcalc.analyze("v1", bn=[]), "bn must be None or one of"),
        (lambda: mbcalc.analyze("v1", counters=1), "counters must be None or a mapping"),
        (lambda: mbcalc.analyze("v1", elementwise="no"), "elementwise must be True or False"),
        (lambda: mbcalc.analyze("v1", backbone=1), "backbone must be True or False"),
    ],
)
def test_library_arguments_of_the_wrong_type_are_mbcalc_errors_naming_them(call, message):
    with pytest.raises(mbcalc.MbcalcError, match=re.escape(message)):
        call()


NONSQUARE = """\
name: wide
form: graph
input: 8x16x3
classes: 10
layers:
  - {name: c, conv: {out: 4, k: 3, s: 2}}
  - {adaptive_avgpool: 1}
  - {fc: {out: 10}}
"""


def test_an_input_that_is_not_square_stays_so(tmp_path):
    """A spec's 8x16 input is built at 8x16 (it used to be refused). c: a 4x8 output, 27 weights
    per output channel."""
    network = mbcalc.build(mbcalc.loads(NONSQUARE))
    assert (network.input.height, network.input.width) == (8, 16) and network.layers[0].output.width == 8
    assert mbcalc.count(network).macs == 27 * 4 * (4 * 8) + 4 * 10
    assert mbcalc.build(mbcalc.loads(NONSQUARE), rho=0.5).input.width == 8  # rho scales both sides
    wide = mbcalc.analyze("v3-large", resolution="1024x2048")
    assert wide.network.config.size == (1024, 2048) and wide.network.config.size_text == "1024x2048"
    assert mbcalc.analyze("v3-large", resolution=(1024, 2048)).macs == wide.macs
    square = mbcalc.analyze("v3-large", resolution=1024)
    assert square.network.config.size_text == "1024" and wide.macs > square.macs
    spec = tmp_path / "wide.yaml"
    spec.write_text(NONSQUARE, encoding="utf-8")
    with pytest.raises(mbcalc.MbcalcError, match="a sweep builds square inputs R x R: give resolutions="):
        api.sweep([str(spec)], [1.0], None)
    assert api.sweep([str(spec)], [1.0], [8]).points[0].macs == 27 * 4 * 16 + 40  # 8 is 8x8


def test_res_takes_height_x_width(run):
    out = run("v3-large", "--res", "1024x2048", "-f", "json").output
    data = json.loads(out)
    assert (data["resolution"], data["width"]) == (1024, 2048)
    assert "1024x2048" in run("v3-large", "--res", "1024x2048").output.splitlines()[0]
    result = run("v2", "--res", "12x")
    assert result.exit_code == 2 and "--res must be R or HxW (pixels), got '12x'" in result.stderr
