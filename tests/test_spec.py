"""Spec files: bad input gives `file:line:column: what (how to fix)`, every problem at once."""

import textwrap

import pytest

import mbcalc
from mbcalc.api import build, load
from mbcalc.errors import SpecError
from mbcalc.models import bundled
from mbcalc.read.spec import load_spec, parse_spec

HEADER = "name: t\nform: v1\ninput: 224x224x3\nclasses: 1000\nlayers:\n"
STEM = "  - [Conv / s2, 3x3x3x32, 224x224x3]\n"


def problems(text: str) -> list[str]:
    """The problems reading a spec reports (reading alone: nothing is built)."""
    with pytest.raises(SpecError) as info:
        parse_spec(textwrap.dedent(text), "t.yaml")
    return [str(problem) for problem in info.value.problems]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["t.yaml:1:1: the spec is empty (start from a bundled spec: 'mbcalc list')"]),
        (
            "name: [",
            ["t.yaml:1:7: not valid YAML: did not find expected node content (the '[' opened here is not closed)"],
        ),
        ("- 1\n", ["t.yaml:1:1: a spec is a mapping with keys name, form, input, classes, layers"]),
        (
            HEADER.replace("classes", "clases") + STEM,
            [
                "t.yaml:1:1: missing key 'classes' (a spec needs name, form, input, classes, layers)",
                "t.yaml:4:1: unknown key 'clases'; did you mean 'classes'? (keys: name, description, source, form, input, classes, layers, notes, counting, blocks, width, widths, variants)",
            ],
        ),
        (
            HEADER.replace("form: v1", "form: v1.0") + STEM,
            ["t.yaml:2:7: unknown form 'v1.0'; did you mean 'v1'? (forms: v1, v2, v3, graph)"],
        ),
        (
            HEADER.replace("224x224x3", "big", 1) + STEM,
            ["t.yaml:3:8: 'input' must be a size like 224x224x3 (height x width x channels)"],
        ),
        (
            HEADER + "  - [Conv / s2, 3x3x3x32]\n",
            ["t.yaml:6:5: a row has 3 cells [type / stride, filter shape, input size], this one has 2"],
        ),
        (
            HEADER + "  - [Conv / q2, 3x3x3x32, 224x224x3]\n",
            [
                "t.yaml:6:6: type / stride: expected 'TYPE / sN' with TYPE one of Conv, Conv dw, Avg Pool, FC, Softmax (e.g. 'Conv dw / s2'), got 'Conv / q2'"
            ],
        ),
        (
            HEADER + "  - [Conv / s2, 3x3x3, 224x224x3]\n",
            [
                "t.yaml:6:17: filter shape: expected a filter shape like 3x3x32x64, 3x3x32 dw, Pool 7x7, 1024x1000 or Classifier (square kernels), got '3x3x3'"
            ],
        ),
        (
            HEADER + STEM + "  - [Conv / s1, 1x1x33x64, 112x112x32]\n",
            ["t.yaml:7:5: this layer takes 33 input channels but the layer before gives 32 (fix the filter shape)"],
        ),
        (
            HEADER + STEM + "  - [Conv dw / s1, 3x3x32 dw, 56x56x32]\n",
            [
                "t.yaml:7:5: the input column says 56x56x32 but the rows above produce 112x112x32 (fix this row or the one before it)"
            ],
        ),
        (
            HEADER + STEM + "  - [FC / s1, 32x10, 1x1x32]\n",
            [
                "t.yaml:7:5: the input column says 1x1x32 but the rows above produce 112x112x32 (fix this row or the one before it)",
                "t.yaml:7:5: the FC layer has 10 outputs but 'classes' is 1000 (make them agree)",
            ],
        ),
        (
            HEADER + STEM + "  - [Conv dw / s1, 3x3x3x32, 112x112x32]\n",
            [
                "t.yaml:7:5: type 'conv dw' does not go with filter shape 'conv' (Conv takes KxKxMxN, Conv dw takes KxKxM dw, Avg Pool takes Pool KxK, FC takes MxN, Softmax takes Classifier)"
            ],
        ),
        (
            HEADER + "  - {repeat: 0, layer: []}\n",
            [
                "t.yaml:6:5: a repeated group needs 'repeat: N' and 'layers: [rows]'",
                "t.yaml:6:17: unknown key 'layer'; did you mean 'layers'? (a repeated group has 'repeat: N' and 'layers:')",
            ],
        ),
    ],
)
def test_bad_spec_messages(text, expected):
    assert problems(text) == expected


def test_custom_tags_cannot_run_code():
    assert problems("name: !!python/object/apply:os.system ['echo hi']\n") == [
        "t.yaml:1:7: the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed in a spec (remove it)"
    ]
    assert problems("name: !!python/name:os.system x\n")[0].startswith(
        "t.yaml:1:7: not valid YAML: could not determine a constructor"
    )


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "nope.yaml")
    with pytest.raises(SpecError, match="it is a folder, not a spec file"):
        load_spec(tmp_path)  # a directory


@pytest.mark.parametrize("name", sorted(bundled()))
def test_bundled_specs_are_valid_tables(name):
    spec = load(name)  # a variant of a spec is loaded by its own name
    assert spec.name == name and spec.description and spec.source
    assert build(spec).layers


def test_folded_descriptions_and_notes_read_as_text(tmp_path):
    """A description or note written with YAML's > ends in a line break; that is text, not a name."""
    spec = tmp_path / "folded.yaml"
    spec.write_text(
        "name: folded\nform: graph\ninput: 8x8x3\nclasses: 10\ndescription: >\n  a long\n  description\n"
        "notes:\n  - >\n    a folded\n    note\nlayers:\n  - conv: {out: 4, k: 3}\n",
        encoding="utf-8",
    )
    report = mbcalc.analyze(str(spec))
    assert report.network.description == "a long description\n" and report.network.notes == ("a folded note\n",)
