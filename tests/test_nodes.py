"""Reading YAML into positioned nodes: values exactly as PyYAML's safe loader reads them, every
node with its line and column, and an unclosed bracket reported where it was opened."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcalc.errors import SpecError
from mbcalc.read.nodes import read_yaml

TRICKY = (
    "[yes, no, on, off, true, FALSE, null, ~, '', 0, 010, 0x1F, 1_000, 12, -3, +4, 1.5, .inf, 1e3, "
    "2001-12-14, out, Yes_sir, nothing, y, n, 12:30, '12', \"yes\", !!str 5, 0o17, 99999999999999999999]"
)


def values(node):
    if node.is_map:
        return {key: values(value) for key, value in node.value.items()}
    if node.is_list:
        return [values(item) for item in node.value]
    return node.value


SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the parser read_yaml uses (libyaml when present)


def safe_load(text):
    return yaml.load(text, Loader=SAFE)


def test_scalars_read_as_the_safe_loader_reads_them():
    assert values(read_yaml(TRICKY, "t.yaml")) == safe_load(TRICKY)


WORDS = st.text(alphabet="0123456789abceflnorstuyNOTY_.:+-~ox", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=6))
def test_generated_plain_scalars_read_as_the_safe_loader_reads_them(words):
    text = "[" + ", ".join(words) + "]"
    try:
        expected = safe_load(text)
    except (yaml.YAMLError, ValueError):  # the safe loader fails on some (0x_ as an int): a clear error here
        with pytest.raises(SpecError):
            read_yaml(text, "t.yaml")
        return
    assert values(read_yaml(text, "t.yaml")) == expected


def test_every_node_keeps_its_line_and_column():
    doc = read_yaml("name: v1\nlayers:\n  - {pw: {out: 8}}\n  - relu\n", "t.yaml")
    layers = doc.value["layers"]
    assert doc.keys["layers"] == (2, 1)  # a key is a name: its position only
    assert [(n.line, n.column) for n in layers.value] == [(3, 5), (4, 5)]
    out = layers.value[0].value["pw"].value["out"]
    assert (out.value, out.line, out.column) == (8, 3, 16)


@pytest.mark.parametrize(
    "text, where, bracket",
    [
        ("a: [1, 2\nb: 3\n", (1, 4), "["),
        ("layers:\n  - {pw: {out: 8}\n  - relu\n", (2, 5), "{"),
        ("a: {b: [1, 2}\n", (1, 8), "["),
    ],
)
def test_an_unclosed_bracket_is_reported_where_it_was_opened(text, where, bracket):
    with pytest.raises(SpecError) as info:
        read_yaml(text, "t.yaml")
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == where
    assert problem.message.endswith(f"(the '{bracket}' opened here is not closed)")


def test_an_unclosed_quote_is_reported_where_it_was_opened():
    with pytest.raises(SpecError) as info:
        read_yaml('a: "abc\n\nb: 1\n', "t.yaml")
    assert (info.value.problems[0].line, info.value.problems[0].column) == (1, 4)
