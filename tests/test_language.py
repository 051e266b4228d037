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


def test_fractions_are_exact_numbers_whole_ones_ints_and_bounded_like_ints():
    assert type(evaluate("7 / 2 * 2", {})) is int  # a whole fraction is an int again
    assert evaluate("$a * 2", {"a": Fraction(1, 2)}) == 1  # a $value may be a fraction
    with pytest.raises(ValueError, match="grows past 301 digits"):
        evaluate("1 / 3 * " + "9" * 200 + " * " + "9" * 200, {})


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


# --- the widths a spec is built at ---------------------------------------------------------------


def test_a_bundled_model_refuses_a_width_its_implementation_does_not_have(run):
    result = run("shufflenet-v2", "--alpha", "0.75")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "mbcalc: error: --alpha 0.75: shufflenet-v2 is built at widths 0.5, 1.0, 1.5, 2.0 "
        "(those its implementation has), not at 0.75"
    )
    with pytest.raises(mbcalc.MbcalcError, match=r"^alpha 0.5: alexnet is built at widths 1.0 "):
        mbcalc.analyze("alexnet", alpha=0.5)


def test_a_widths_table_gives_each_width_its_values():
    # torchvision's shufflenet_v2_x0_5 has 1,366,792 parameters (its weights metadata, num_params)
    assert mbcalc.analyze("shufflenet-v2", alpha=0.5, profile="torchvision").params == 1_366_792
    assert mbcalc.analyze("shufflenet-v2", profile="torchvision").params == 2_278_604


def test_the_list_shows_the_widths_each_model_is_built_at(run):
    lines = {line.split()[0]: line for line in run("list").output.splitlines()}
    assert lines["shufflenet-v2"].endswith("(widths 0.5, 1.0, 1.5, 2.0)")
    assert lines["mnasnet-a1"].endswith("(widths 0.5, 0.75, 1.0, 1.4)")
    assert "widths" not in lines["v2"]  # a table form builds any alpha, by its profile's rules


def test_the_report_says_which_width_rule_applied():
    text = "name: t\nform: graph\ninput: 32x32x3\nclasses: 10\nlayers:\n  - conv: {out: 30, k: 3}\n"
    notes = mbcalc.analyze(mbcalc.loads(text), alpha=0.5).network.notes
    assert notes == (
        "Alpha 0.5 cuts each width to int(c * 0.5), except layers marked fixed (no width rule is stated: the default).",
    )
    assert mbcalc.analyze(mbcalc.loads(text)).network.notes == ()  # nothing to say at alpha 1


@pytest.mark.parametrize(
    "widths, message",
    [
        ("widths: [0.5, 5]\n", "t.yaml:5:15: a width is a number in (0, 4], got '5'"),
        (
            "widths: {0.5: {c: 8}, 1.0: {d: 16}}\n",
            "t.yaml:5:9: every width must give the same names (0.5 gives c; 1 gives d)",
        ),
        ("widths: [0.5, {a: 1}]\n", "t.yaml:5:15: a width is a number in (0, 4], got a list or mapping"),
        ("widths: {0.5: {c: 0}}\n", "t.yaml:5:19: 'c' at width 0.5 must be a whole number >= 1"),
        (
            "widths: {1.0: {c: 8}}\nwidth: {rule: none}\n",
            "t.yaml:6:8: a spec whose 'widths' give each width's values takes no 'width' rule",
        ),
        ("widths: 3\n", "t.yaml:5:9: 'widths' must list the widths the spec builds"),
    ],
)
def test_bad_widths_are_reported_where_they_stand(widths, message):
    text = "name: t\nform: graph\ninput: 8x8x3\nclasses: 10\n" + widths + "layers:\n  - relu\n"
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.loads(text, "t.yaml")
    assert message in str(info.value)


def test_a_spec_not_built_at_1_is_built_at_its_first_width_by_default():
    text = (
        "name: w\nform: graph\ninput: 8x8x3\nclasses: 10\nwidths: [0.5, 0.75]\n"
        "width: {rule: truncate}\nlayers:\n  - conv: {out: 32, k: 3}\n"
    )
    report = mbcalc.analyze(mbcalc.loads(text))
    assert report.network.config.alpha == 0.5 and report.layers[0].output.channels == 16
    assert report.network.notes == ("Alpha 0.5 cuts each width to int(c * 0.5), except layers marked fixed.",)


@pytest.mark.parametrize(
    "out, value",
    [
        ('"48 // ($t - 1)"', 16),  # fine with t = 4: a read-time check with every name 1 must not refuse it
        ('"if($t > 1, 48 // ($t - 1), 48)"', 16),
        ('"make_divisible(60, $t + 4)"', 64),
        ('"2 * max(8, $t)"', 16),  # a function inside an expression
        ('"8 + ($t > 1) * 8"', 16),
    ],
)
def test_expressions_in_blocks_are_judged_with_their_values(out, value):
    text = textwrap.dedent(f"""\
        name: t
        form: graph
        input: 8x8x3
        classes: 10
        blocks:
          b:
            params: [t]
            layers:
              - {{conv: {{out: {out}, k: 1}}, fixed: true}}
        layers:
          - b: {{t: 4}}
        """)
    assert mbcalc.analyze(mbcalc.loads(text)).layers[0].output.channels == value


@pytest.mark.parametrize(
    "out, message",
    [
        ('"make_divisible(16, 0)"', "make_divisible's divisor and minimum are whole numbers >= 1, got 0"),
        ('"make_divisible(16, 2.5)"', "make_divisible's divisor and minimum are whole numbers >= 1, got 2.5"),
        ('"16 // ($t - 4)"', "division by zero in '16 // ($t - 4)'"),
        ('"if($flag, 8, 16)"', None),  # true counts as 1
    ],
)
def test_expressions_without_a_value_are_errors_at_their_place(out, message):
    text = textwrap.dedent(f"""\
        name: t
        form: graph
        input: 8x8x3
        classes: 10
        blocks:
          b:
            params: [t, flag]
            layers:
              - {{conv: {{out: {out}, k: 1}}, fixed: true}}
        layers:
          - b: {{t: 4, flag: true}}
        """)
    if message is None:
        assert mbcalc.analyze(mbcalc.loads(text, "t.yaml")).layers[0].output.channels == 8
        return
    with pytest.raises(mbcalc.SpecError) as info:
        mbcalc.analyze(mbcalc.loads(text, "t.yaml"))
    assert str(info.value).startswith("t.yaml:9:22: ") and message in str(info.value)


def test_arguments_alike_but_of_other_types_are_judged_each():
    text = textwrap.dedent("""\
        name: t
        form: graph
        input: 8x8x3
        classes: 10
        blocks:
          b: {params: [x], layers: [{conv: {out: 8, k: 3, bias: $x}}]}
        layers:
          - b: {x: 1}
          - b: {x: true}
        """)
    with pytest.raises(mbcalc.SpecError, match=r"'conv\.bias' must be true or false, got '1'"):
        mbcalc.analyze(mbcalc.loads(text, "t.yaml"))


# --- variants -------------------------------------------------------------------------------------

VARIANTS = textwrap.dedent("""\
    name: net
    form: graph
    input: 32x32x3
    classes: 10
    variants:
      net-s: {w: 1.0, d: 1.0}
      net-l: {w: 2.0, d: 2.6, input: 64x64x3, description: the large one}
    layers:
      - conv: {out: "make_divisible(16 * $w)", k: 3}
      - {pw: {out: "make_divisible(16 * $w)"}, repeat: "ceil(2 * $d) - 2"}
    """)


def test_a_variant_gives_its_values_its_depth_and_its_resolution():
    small = mbcalc.loads(VARIANTS)  # the first variant
    assert small.name == "net-s" and small.input == (32, 32, 3)
    report = mbcalc.analyze(small)
    assert [r.name for r in report.layers] == ["conv1"]  # ceil(2 * 1.0) - 2 = 0: no 1x1 convs
    from mbcalc.read.spec import parse_spec

    large = parse_spec(VARIANTS, "net.yaml", variant="net-l")
    assert (large.name, large.description, large.input) == ("net-l", "the large one", (64, 64, 3))
    report = mbcalc.analyze(large)
    assert [r.name for r in report.layers] == ["conv1", "pw1", "pw2", "pw3", "pw4"]  # ceil(5.2) - 2 = 4
    assert report.network.config.resolution == 64 and report.layers[0].output.channels == 32


def test_an_unknown_variant_is_named_with_the_ones_there_are():
    from mbcalc.read.spec import parse_spec

    with pytest.raises(mbcalc.SpecError, match=r"no variant 'net-m'.*\(variants: net-s, net-l\)"):
        parse_spec(VARIANTS, "net.yaml", variant="net-m")


def test_efficientnet_variants_are_bundled_under_their_names(run):
    assert mbcalc.analyze("efficientnet-b3").network.config.resolution == 300
    assert mbcalc.analyze("efficientnet-b7", profile="torchvision").params == 66_347_960  # torchvision's num_params
    assert "efficientnet-b5" in run("list").output
