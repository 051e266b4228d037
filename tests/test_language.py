"""The graph language states width rules: $alpha, min/max/ceil/floor/round/int, make_divisible, a
conditional, exact whole-number arithmetic; MobileNetV2 above alpha 1 written by hand comes out as
the bundled table form."""

import textwrap
from fractions import Fraction

import pytest

import mbcalc
from mbcalc.lang.expr import evaluate, is_expression

V2_BY_HAND = textwrap.dedent("""\
    name: v2-by-hand
    form: graph
    input: 224x224x3
    classes: 1000
    width: {rule: make_divisible, divisor: 8}
    layers:
      - conv: {out: 32, k: 3, s: 2}
      - bn
      - relu6
      - bottleneck: {t: 1, out: 16}
      - bottleneck: {t: 6, out: 24, s: 2}
      - bottleneck: {t: 6, out: 24}
      - bottleneck: {t: 6, out: 32, s: 2}
      - {bottleneck: {t: 6, out: 32}, repeat: 2}
      - bottleneck: {t: 6, out: 64, s: 2}
      - {bottleneck: {t: 6, out: 64}, repeat: 3}
      - {bottleneck: {t: 6, out: 96}, repeat: 3}
      - bottleneck: {t: 6, out: 160, s: 2}
      - {bottleneck: {t: 6, out: 160}, repeat: 2}
      - bottleneck: {t: 6, out: 320}
      - {conv: {out: "make_divisible(1280 * max(1, $alpha))", k: 1}, fixed: true}   # 1280 below alpha 1
      - bn
      - relu6
      - avgpool: global
      - {fc: {out: $classes}, fixed: true}
    """)


@pytest.mark.parametrize("alpha", [1.4, 1.3, 1.0, 0.75, 0.35])
@pytest.mark.parametrize("resolution", [224, 161])
def test_mobilenet_v2_by_hand_equals_the_table_form(alpha, resolution):
    by_hand = mbcalc.analyze(mbcalc.loads(V2_BY_HAND), alpha=alpha, resolution=resolution)
    bundled = mbcalc.analyze("v2", alpha=alpha, resolution=resolution)
    assert (by_hand.macs, by_hand.params) == (bundled.macs, bundled.params)
    assert len(by_hand.layers) == len(bundled.layers)


@pytest.mark.parametrize(
    "text, env, value",
    [
        ("make_divisible(1280 * max(1, $alpha))", {"alpha": 1.4}, 1792),
        ("make_divisible(1280 * max(1, $alpha))", {"alpha": 0.5}, 1280),
        ("if($alpha > 1, 2048, 1024)", {"alpha": 2.0}, 2048),
        ("if($alpha > 1, 2048, 1024)", {"alpha": 1.0}, 1024),
        ("min($a, $b) + max($a, $b)", {"a": 3, "b": 5}, 8),
        ("ceil($n * 1.1)", {"n": 3}, 4),  # EfficientNet's ceil(d * n) repeats
        ("floor(7 / 2)", {}, 3),
        ("round(2.5)", {}, 2),  # Python's round, as the implementations call it
        ("int(100 * 0.29)", {}, 28),  # floating point, as the implementations compute it: 28.999...
        ("7 / 2 * 2", {}, 7),  # whole numbers divide exactly
        ("7 / 2", {}, Fraction(7, 2)),
        ("99999999999999999999 * 3 // 3", {}, 99999999999999999999),  # no 2**53 limit
        ("make_divisible(10, 4, 16)", {}, 16),
    ],
)
def test_expressions(text, env, value):
    assert is_expression(text)
    assert evaluate(text, env) == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("max(1)", "max takes 2 to 8 arguments, got 1"),
        ("if(1, 2)", "if takes (condition, then, else), got 2 arguments"),
        ("ceil 3", "'ceil' needs its arguments in parentheses"),
        ("open(1)", "unexpected 'open'"),
        ("max(1, 2", "unbalanced parentheses"),
    ],
)
def test_bad_expressions_say_why(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate(text, {})


def test_a_fraction_where_a_whole_number_belongs_is_an_error_at_its_place():
    text = 'name: t\nform: graph\ninput: 8x8x3\nclasses: 10\nlayers:\n  - pw: {out: "$in / 2"}\n'
    with pytest.raises(mbcalc.SpecError, match=r"t.yaml:6:15: '\$in / 2' gives 3/2, not a whole number"):
        mbcalc.analyze(mbcalc.loads(text, "t.yaml"))
