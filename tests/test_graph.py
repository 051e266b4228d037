"""The general spec language (form: graph): the bad-spec corpus with the exact message each must
give, resource limits, the JSON Schema, and generated specs and arguments (hypothesis)."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mbcalc import analyze, load
from mbcalc.lang.expr import evaluate
from mbcalc.models import bundled

BAD = Path(__file__).parent / "bad_specs"
EXPECTED: dict[str, list[str]] = {}
for line in (BAD / "expected.txt").read_text(encoding="utf-8").splitlines():
    EXPECTED.setdefault(line.removeprefix("mbcalc: error: ").split(":", 1)[0], []).append(line)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_spec_gives_its_exact_messages(run, name, monkeypatch):
    monkeypatch.chdir(BAD)
    result = run("validate", name)  # alias bombs and huge repeats are refused before anything expands
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == EXPECTED[name]


def test_every_bad_spec_has_expectations():
    assert {p.name for p in BAD.glob("*.yaml")} == set(EXPECTED)


def test_a_long_spec_keeps_every_layer_and_its_line(tmp_path):
    """The shape of the 10 MB case (tests/bench.py times it at 10,000 and 100,000 layers)."""
    lines = ["name: big", "form: graph", "input: 8x8x3", "classes: 10", "layers:"]
    lines += ["  - {pw: {out: 8}, role: body}   # a comment, as real specs have"] * 2_000
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n")
    r = analyze(load(str(path)))
    assert len(r.layers) == 2_000 and r.total.params == 3 * 8 + 8 * 8 * 1_999
    assert [row.layer.source.line for row in r.layers[:3]] == [6, 7, 8] and r.layers[-1].layer.source.line == 2_005


def test_schema_accepts_every_bundled_spec_and_rejects_a_bad_one():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from mbcalc.schema import schema

    validator = jsonschema.Draft202012Validator(schema())
    for path in bundled().values():
        assert not list(validator.iter_errors(yaml.safe_load(Path(path).read_text()))), path
    bad = yaml.safe_load((BAD / "unknown-keys.yaml").read_text())
    assert list(validator.iter_errors(bad))
    packaged = Path(__file__).parent.parent / "mbcalc" / "spec.schema.json"
    assert json.loads(packaged.read_text()) == schema()


@pytest.mark.parametrize(
    "layer",
    [
        "attention: {inputs: [q, k], heads: 4}",  # three inputs, no fewer
        "attention: {inputs: [q, k, v, w], heads: 4}",  # and no more
        "attention: {inputs: [q, k, v], heads: 0}",  # an int argument is at least 1
        "multiply: [a, b, c]",  # the shorthand takes the operator's input count too
    ],
)
def test_schema_rejects_what_the_reader_rejects(layer):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from mbcalc.schema import schema

    spec = yaml.safe_load(f"name: t\nform: graph\ninput: 8x8x4\nclasses: 10\nlayers:\n  - {layer}\n")
    assert list(jsonschema.Draft202012Validator(schema()).iter_errors(spec))
    ok = yaml.safe_load(
        "name: t\nform: graph\ninput: 8x8x4\nclasses: 10\nlayers:\n  - attention: {inputs: [q, k, v], heads: 4}\n"
    )
    assert not list(jsonschema.Draft202012Validator(schema()).iter_errors(ok))


@pytest.mark.parametrize(
    "text, env, value",
    [
        ("$t * $in", {"t": 6, "in": 24}, 144),
        ("($k - 1) // 2", {"k": 5}, 2),
        ("$in // 4 + 1", {"in": 30}, 8),
        ("-3 + 10 / 4", {}, -0.5),
    ],
)
def test_expressions(text, env, value):
    assert evaluate(text, env) == value


@pytest.mark.parametrize("text", ["$x +", "(1", "1 $", "__import__('os')", "2 ** 3", "1 / 0"])
def test_bad_expressions_are_errors(text):
    with pytest.raises(ValueError):
        evaluate(text, {"x": 1})


# --- generated inputs: every outcome is a result or a clean error ---------------------------

GENERATED_OPS = [
    "relu",
    "bn",
    "swish",
    "flatten",
    "dropout",
    "conv",
    "dw",
    "pw",
    "fc",
    "maxpool",
    "avgpool",
    "concat",
    "add",
    "split",
    "shuffle",
    "bottleneck",
    "bneck",
    "separable",
    "nonsense",
]
VALUES = st.one_of(
    st.integers(-3, 300),
    st.sampled_from(["$in", "same", "global", "x", "$in // 2", "", None, True]),
    st.lists(st.sampled_from(["in", "a", "b", "conv1", "relu1"]), max_size=3),
)
ARGS = st.dictionaries(
    st.sampled_from(
        ["out", "k", "s", "p", "groups", "inputs", "parts", "t", "exp", "bias", "ceil", "stride", "se", "nl"]
    ),
    VALUES,
    max_size=4,
)
LAYER = st.one_of(
    st.sampled_from(GENERATED_OPS),
    st.builds(
        lambda op, args, name, inp, repeat: {
            op: args,
            **({"name": name} if name else {}),
            **({"input": inp} if inp else {}),
            **({"repeat": repeat} if repeat else {}),
        },
        st.sampled_from(GENERATED_OPS),
        ARGS,
        st.sampled_from([None, "a", "b"]),
        st.sampled_from([None, "in", "a", "zz"]),
        st.sampled_from([None, 1, 2, 0, "x"]),
    ),
)
SPEC = st.builds(
    lambda layers, res, classes: {
        "name": "fuzz",
        "form": "graph",
        "input": f"{res}x{res}x3",
        "classes": classes,
        "layers": layers,
    },
    st.lists(LAYER, min_size=0, max_size=8),
    st.integers(1, 64),
    st.sampled_from([10, 0, "x"]),
)
FUZZ_CASES = int(os.environ.get("MBCALC_FUZZ_CASES", 300))  # the README states it


@settings(max_examples=FUZZ_CASES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SPEC, st.sampled_from(["table", "json", "csv"]), st.sampled_from(["1.0", "0.5", "0", "abc", "3.9"]))
def test_generated_specs_give_a_result_or_a_clean_error(run, tmp_path, spec, fmt, alpha):
    import yaml

    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = run(str(path), "--alpha", alpha, "-f", fmt)
    assert result.exit_code in (0, 2), result.output + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if result.exit_code == 2:
        assert result.stdout == "" and all(line.startswith("mbcalc: error: ") for line in result.stderr.splitlines())


@settings(max_examples=FUZZ_CASES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    args=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "v1",
                    "v2",
                    "v3-small",
                    "squeezenet1_1",
                    "--alpha",
                    "--res",
                    "--rho",
                    "--profile",
                    "keras",
                    "-f",
                    "json",
                    "--classes",
                    "--bn",
                    "all",
                    "--count",
                    "--flops",
                    "compare",
                    "diff",
                    "conv",
                    "--in",
                    "reproduce",
                    "validate",
                    "-o",
                    "/nonexistent/x",
                    "out.txt",
                    "v2@0.5/96",
                    "list",
                ]
            ),
            st.integers(-5, 500).map(str),
            st.text(max_size=6),
        ),
        max_size=7,
    )
)
def test_generated_command_lines_give_a_result_or_a_clean_error(run, args, tmp_path_factory, monkeypatch):
    monkeypatch.chdir(tmp_path_factory.mktemp("cli"))  # generated -o paths land in a scratch folder
    result = run(*[a for a in args if not a.startswith("/dev")])
    assert result.exit_code in (0, 1, 2), (args, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (args, result.stderr)


def test_a_list_where_a_number_belongs_is_refused_when_read():
    """Found by the generated specs: `k: []` reached the counting as a list (an internal error)."""
    import mbcalc

    text = (
        "name: k\nform: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n  - dw: {k: []}\n"
        "  - {name: a, relu: }\n  - concat: [in, 3]\n"
    )
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(text, "k.yaml")
    assert [str(p) for p in info.value.problems] == [
        "k.yaml:6:13: 'dw.k' must be a whole number, got '[]'",
        "k.yaml:8:13: 'concat.inputs' must name layers, got '['in', 3]'",
    ]
