"""Width rules: a `Width` (channels at alpha = 1 and a rule) -> channels at alpha, exactly as the
reference implementations round them (lang/rounding.py), each rule settled by the build profile."""

from __future__ import annotations

from ..lang.program import WidthRule
from ..lang.rounding import md, truncate
from .profiles import BuildProfile


def widen(
    c: int, rule: str, per: int, alpha: float, channels_in: int, profile: BuildProfile, spec_rule: WidthRule
) -> int:
    """`c` channels (at alpha 1) under `rule`; `channels_in` is the actual input of the layer or block."""
    if rule == "fixed":
        return c
    if rule == "spec":
        if spec_rule.rule == "none":
            return c
        if spec_rule.rule == "make_divisible":
            return md(c * alpha, spec_rule.divisor, spec_rule.min)
        return truncate(c, alpha, spec_rule.min or 1)
    if rule == "v1":
        return truncate(c, alpha, profile.v1.min_depth)
    if rule == "md":
        return md(c * alpha)
    if rule == "v2.block":  # Keras truncates first
        return md(int(c * alpha) if profile.v2.truncate_first else c * alpha)
    if rule == "v2.head":  # 1280 for alpha < 1
        return md(c * max(1.0, alpha))
    if rule == "v3.stem":
        return c if profile.v3.stem == "fixed" else md(c * alpha)
    if rule == "v3.expand":  # TF/Keras: the table's ratio applied to the actual input
        return md(channels_in * (c / per)) if profile.v3.expand == "ratio" else md(c * alpha)
    if rule == "v3.last":  # 960 = 6 x 160 in the table: 6 x the actual block output
        return channels_in * c // per if profile.v3.last_conv == "ratio" else md(c * alpha)
    if rule == "v3.head":
        return md(c * {"fixed": 1.0, "scaled": alpha, "above1": max(1.0, alpha)}[profile.v3.head])
    raise ValueError(f"unknown width rule '{rule}'")


RULES = ("fixed", "spec", "v1", "md", "v2.block", "v2.head", "v3.stem", "v3.expand", "v3.last", "v3.head")
