"""Meta-tests: the registries are complete (every operator counted, every format and command
documented)."""

from typing import get_args

from mbcalc.counting import COUNTERS
from mbcalc.ir import OPS, Op
from mbcalc.render import FORMATS


def test_every_ir_operator_has_exactly_one_counter():
    assert set(COUNTERS) == set(OPS) == set(get_args(Op))


def test_every_format_is_documented(run):
    help_text = run("v1", "--help").output
    for fmt in FORMATS:
        assert fmt in help_text
