"""Published figures against computed ones (the references file, mbcalc/references.yaml).

Each reference names a configuration (a bundled model at alpha/resolution/profile, or a single
`conv` comparison), the figures as printed ("569M", "4.2M", "94.86%", "3504872"), and for any
figure that cannot agree, a `deviation` saying why, as data that is itself checked:

    erratum      the paper misprints the figure; `corrected` is what it should read
    rho-scaled   the paper scaled the count at `from` px by (res/from)^2, FC layer included
    omits        the figure leaves out a layer type (e.g. fc); computed minus that type matches
    convention   a counting convention we do not model (reason only; not machine-checked)

A figure agrees when the exact computed value, rounded half-up to the printed precision, equals
the printed value. Verdicts: exact, rounded (within the published rounding), explained, unexplained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from . import api
from .analysis import Report

UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9}


@dataclass(frozen=True)
class Printed:
    """A figure as printed: its digits (with their precision) and its unit."""

    text: str
    value: Decimal
    unit: str  # "", K, M, G, B or %

    @classmethod
    def parse(cls, text: Any) -> "Printed":
        m = re.fullmatch(r"\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([KMGB%]?)\s*", str(text))
        if not m:
            raise ValueError(f"cannot read published figure '{text}' (write e.g. 569M, 4.2M, 94.86%, 3504872)")
        return cls(str(text).strip(), Decimal(m[1].replace(",", "")), m[2])

    def rounded(self, numerator: int, denominator: int = 1) -> Decimal:
        """numerator/denominator in this figure's unit, rounded half-up to its printed precision."""
        scale = 100 if self.unit == "%" else 1
        divisor = 1 if self.unit == "%" else UNITS[self.unit]
        exact = Decimal(numerator * scale) / Decimal(denominator * divisor)
        return exact.quantize(self.value, rounding=ROUND_HALF_UP)

    def agrees(self, numerator: int, denominator: int = 1) -> bool:
        return self.rounded(numerator, denominator) == self.value


@dataclass(frozen=True)
class Outcome:
    reference: dict
    quantity: str
    published: Printed
    computed: Decimal  # in the published unit, rounded to the published precision
    exact_value: str  # the exact computed value, for the report
    verdict: str  # exact | rounded | explained | unexplained
    reason: str = ""


def references_path() -> Path:
    return Path(str(resources.files("mbcalc"))) / "references.yaml"


@lru_cache(maxsize=None)
def load_references() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(references_path().read_text(encoding="utf-8")))


# --- computing the quantities a reference names ----------------------------------------------


@lru_cache(maxsize=None)
def _report(model: str, alpha: float, resolution: int, profile: str, biases: Any, bn: Any) -> Report:
    return api.report(model, alpha, resolution, profile, biases=biases, bn=bn)


def model_report(config: dict, **override) -> Report:
    c = {**config, **override}
    return _report(c["model"], float(c.get("alpha", 1.0)), int(c.get("resolution", 224)),
                   c.get("profile", "paper"), c.get("biases"), c.get("bn"))


def quantity(config: dict, name: str, **override) -> tuple[int, int]:
    """A named quantity as an exact fraction (numerator, denominator)."""
    if "conv" in config:
        c = config["conv"]
        comparison = api.compare_conv(c["in"], c["out"], c.get("k", 3), c.get("stride", 1),
                                      c.get("padding", "same"), c.get("alpha", 1.0), c.get("rho", 1.0))
        variant, *layer, field = name.split(".")  # standard.macs, separable.dw.params, ...
        report = getattr(comparison, variant)
        cost = {r.layer.name: r.cost for r in report.rows}[layer[0]] if layer else report.total
        return getattr(cost, field), 1
    report = model_report(config, **override)
    if name in ("macs", "params"):
        return getattr(report.total, name), 1
    share, _, layer_type = name.partition(".")
    group = {g.key: g for g in report.by_type}[layer_type]
    field = share.removesuffix("_share")
    return getattr(group.cost, field), getattr(report.total, field)


def _explained(ref: dict, name: str, printed: Printed, deviation: dict) -> bool:
    """Check that the recorded reason really accounts for the published figure."""
    kind = deviation["kind"]
    config = ref["config"]
    if kind == "erratum":
        return Printed.parse(deviation["corrected"]).agrees(*quantity(config, name))
    if kind == "rho-scaled":
        base = int(deviation["from"])
        value, _ = quantity(config, name, resolution=base)
        res = int(config["resolution"])
        return printed.agrees(value * res * res, base * base)
    if kind == "omits":
        value, denominator = quantity(config, name)
        report = model_report(config)
        missing = sum(getattr(g.cost, name) for g in report.by_type if g.key in deviation["types"])
        return printed.agrees(value - missing, denominator)
    return kind == "convention"


def check(ref: dict) -> list[Outcome]:
    outcomes = []
    for name, text in ref["figures"].items():
        printed = Printed.parse(text)
        numerator, denominator = quantity(ref["config"], name)
        computed = printed.rounded(numerator, denominator)
        exact_value = f"{numerator}" if denominator == 1 else f"{100 * numerator / denominator:.4f}%"
        deviation = ref.get("deviations", {}).get(name)
        if printed.agrees(numerator, denominator):
            exact = printed.unit == "" and denominator == 1
            verdict, reason = ("exact" if exact else "rounded"), ""
            if deviation:  # a recorded deviation that no longer deviates: something moved
                verdict, reason = "unexplained", "agrees now, but a deviation is recorded: remove it"
        elif deviation and _explained(ref, name, printed, deviation):
            verdict, reason = "explained", deviation["reason"]
        else:
            verdict = "unexplained"
            reason = deviation["reason"] + " (but the recorded explanation does not check out)" if deviation else ""
        outcomes.append(Outcome(ref, name, printed, computed, exact_value, verdict, reason))
    return outcomes
