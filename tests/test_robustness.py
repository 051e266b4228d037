"""Inputs that once gave an internal error, a misplaced message, or hid other problems (each found
by an adversarial review of the one-pipeline rewrite): now one clean message each, at its place."""

import textwrap

import pytest

import mbcalc
from mbcalc.counting import default_counters

GRAPH = "name: t\nform: graph\ninput: 16x16x3\nclasses: 10\n"


def spec_file(tmp_path, text: str) -> str:
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "body, message",
    [
        # a block parameter that is not finite
        (
            "blocks:\n  cb: {params: [n], layers: [{conv: {out: $n, k: 3}}]}\nlayers:\n  - cb: {n: .inf}\n",
            "t.yaml:6:43: 'conv.out' must be a whole number, got 'inf'",
        ),
        # tags that cannot construct their value
        (
            "layers:\n  - conv: {out: !!int abc, k: 3}\n",
            "t.yaml:6:17: 'abc' is not an int (remove the tag or fix the value)",
        ),
        # a plain value YAML reads as a number but cannot construct (the safe loader's ValueError)
        (
            "layers:\n  - conv: {out: 0x_, k: 3}\n",
            "t.yaml:6:17: '0x_' is not an int (fix the value, or quote it to make it text)",
        ),
        ("layers:\n  - conv: {out: !!timestamp abc, k: 3}\n", "t.yaml:6:17: 'abc' is not a timestamp"),
        # numbers past any width
        (
            "layers:\n  - conv: {out: " + "9" * 5000 + ", k: 1}\n",
            "t.yaml:6:17: a number of 5000 digits is past any width",
        ),
        (
            "layers:\n  - conv: {out: " + "9" * 50 + ", k: 1}\n  - fc: {out: 10}\n",
            "t.yaml:6:17: 'conv.out' must be a whole number up to 1,000,000,000, got 50 digits",
        ),
        # a split into more parts than the layer limit
        ("layers:\n  - split: 50000000\n", "t.yaml:6:3: the spec would expand to about 50,000,000 layers"),
        # a spurious second message for one bad value
        ("layers:\n  - conv: {out: {a: 1}, k: 3}\n", "t.yaml:6:17: expected a number, a name, or an expression"),
    ],
)
def test_bad_values_give_one_clean_message(run, tmp_path, body, message):
    result = run("validate", spec_file(tmp_path, GRAPH + body))
    assert result.exit_code == 2 and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0].removeprefix("mbcalc: error: ").split("/")[-1]


def test_yaml_indentation_errors_point_at_the_line_that_is_wrong(run, tmp_path):
    result = run("validate", spec_file(tmp_path, GRAPH + "layers:\n  - relu\n - relu\n"))
    assert result.stderr.strip().endswith(
        "t.yaml:7:2: not valid YAML: did not find expected key (check indentation and brackets)"
    )


def test_flags_and_activations_pass_through_block_parameters():
    text = GRAPH + textwrap.dedent("""\
        blocks:
          cb: {params: [b, g], layers: [{conv: {out: 8, k: 3, bias: $b}}, {squeeze_excite: {squeeze: 4, gate: $g}}]}
        layers:
          - cb: {b: true, g: none}
        """)
    report = mbcalc.analyze(mbcalc.loads(text, "t.yaml"))
    assert report.layers[0].params == 3 * 3 * 3 * 8 + 8  # with its bias
    assert [r.layer.op for r in report.layers[-3:]] == ["relu", "conv", "multiply"]  # no gate activation


def test_every_problem_of_a_table_at_once_header_and_rows():
    text = textwrap.dedent("""\
        name: t
        form: v1
        input: 224x224x3
        clases: 1000
        layers:
          - [Conv / s2, 3x3x3x32, 224x224x3]
          - [Conv / s1, 1x1x33x64, 112x112x32]
          - [Conv dw / q1, 3x3x64 dw, 112x112x64]
          - [Conv dw / s1, 3x3x64 dw, 56x56x64]
          - [Conv / s1, 1x1x64x128, 56x56x64]
          - [Conv / s1, 1x1x128x8, 56x56x120]
        """)
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(text, "t.yaml")
    assert [(p.line, p.message.split(" (")[0].split(":")[0]) for p in info.value.problems] == [
        (1, "missing key 'classes'"),
        (4, "unknown key 'clases'; did you mean 'classes'?"),
        (8, "type / stride"),
    ]  # the cells are read, but without classes the rows cannot be chained; with them:
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(text.replace("clases", "classes"), "t.yaml")
    assert [(p.line, p.message.split(" (")[0].split(":")[0]) for p in info.value.problems] == [
        (7, "this layer takes 33 input channels but the layer before gives 32"),
        (8, "type / stride"),  # an unreadable row is passed over, the next one picks the chain up
        (11, "the input column says 56x56x120 but the rows above produce 56x56x128"),
    ]  # one wrong cell is one problem: the filter's 128 agrees with the rows above, so it is not reported too


def test_duplicate_names_do_not_hide_a_bad_reference():
    text = GRAPH + "layers:\n  - {name: x, relu: }\n  - {name: x, relu: }\n  - {input: nope, relu: }\n"
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(text, "t.yaml")
    assert [p.line for p in info.value.problems] == [7, 8]  # the second x, and the reference


def test_conv_bn_act_arguments_are_checked_when_read():
    text = GRAPH + "layers:\n  - conv_bn_act: {k: 3}\n  - conv_bn_act: {k: 3}\n  - conv_bn_act: {dw: true, out: 8}\n"
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(text, "t.yaml")
    assert [p.message for p in info.value.problems] == [
        "'conv_bn_act' needs 'out' (or dw: true)",
        "'conv_bn_act' needs 'out' (or dw: true)",
        "'conv_bn_act' takes no 'out' with dw: true (a depthwise conv keeps its channels)",
    ]


def test_the_cli_names_options_where_the_library_names_arguments(run):
    result = run("v1", "--alpha", "1e-320")
    assert result.exit_code == 2 and result.stderr.rstrip().endswith("would have no channels; use a larger --alpha")
    with pytest.raises(mbcalc.MbcalcError, match=r"use a larger alpha$"):
        mbcalc.analyze("v1", alpha=1e-320)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: mbcalc.analyze("v1", counters={"conv": default_counters()["conv"]}),
            "counters has no counter for avgpool, bn",
        ),
        (
            lambda: mbcalc.analyze("v1", profile=None),
            "profile must be one of paper, torchvision, keras, tf-slim, got None",
        ),
        (lambda: mbcalc.analyze(None), "model must be a bundled model's name, a spec file's path or a Spec, got None"),
        (lambda: mbcalc.load(5), "got 5"),
        (lambda: mbcalc.analyze("v1", alpha="0.5"), "alpha must be a number in (0, 4], got '0.5'"),
        (lambda: mbcalc.analyze("v1", biases="no"), "biases must be true, false or None"),
        (lambda: mbcalc.analyze("v1", bn=""), "bn must be one of none, affine, beta-stats, all, got ''"),
    ],
)
def test_api_misuse_is_a_clear_error(call, message):
    with pytest.raises(mbcalc.MbcalcError) as info:
        call()
    assert message in str(info.value)


def test_a_device_is_read_up_to_the_size_limit(run):
    result = run("validate", "/dev/zero")
    assert result.exit_code == 2 and "the spec is larger than 50 MB" in result.stderr


@pytest.mark.parametrize(
    "body, message",
    [
        ("layers:\n  - shuffle: 5\n", "shuffle 'shuffle1': 3 channels do not split into 5 groups"),
        (
            "blocks:\n  b: {params: [in, 'a b', x, x], layers: [relu]}\nlayers:\n  - b: {in: 1, 'a b': 2, x: 3}\n",
            "'in' cannot name a parameter",
        ),
        ("defaults: &d {k: 3}\nlayers:\n  - conv: {<<: *d, out: 8}\n", "merge keys (<<) are not read in a spec"),
    ],
)
def test_more_problems_found(run, tmp_path, body, message):
    result = run("validate", spec_file(tmp_path, GRAPH + body))
    assert result.exit_code == 2 and "internal error" not in result.stderr
    assert message in result.stderr


def test_a_bad_target_is_named_as_the_target(run):
    result = run("compare", "v2", "-b", "v2@0/224")
    assert result.exit_code == 2
    assert result.stderr.startswith("mbcalc: error: --baseline v2@0/224: alpha must be a number in (0, 4], got 0.0")
