"""Meta-tests: the registries are complete (every operator counted, every format and command
documented)."""

from mbcalc.counting import DEFAULT_COUNTERS
from mbcalc.ops import REGISTRY
from mbcalc.render import FORMATS


def test_every_operator_has_exactly_one_counter():
    assert set(DEFAULT_COUNTERS) == set(REGISTRY)


def test_every_format_is_documented(run):
    help_text = run("v1", "--help").output
    for fmt in FORMATS:
        assert fmt in help_text
