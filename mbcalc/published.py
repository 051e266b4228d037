"""The published figures (mbcalc/references.yaml) as data: how a printed figure reads, and which
configurations have a published checkpoint and a top-1. Nothing here computes a count."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import yaml

from .models import own_input, read_text, references_path
from .record import Record, record

UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9, "Ki": 2**10, "Mi": 2**20}


@record
class Printed(Record):
    """A figure as printed: its digits (with their precision) and its unit."""

    text: str
    value: Decimal
    unit: str  # "", K, M, G, B or %

    @classmethod
    def parse(cls, text: Any) -> Printed:
        m = re.fullmatch(r"\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(Ki|Mi|[KMGB%]?)\s*", str(text))
        if not m:
            raise ValueError(f"cannot read published figure '{text}' (write e.g. 569M, 4.2M, 94.86%, 3504872)")
        return cls(str(text).strip(), Decimal(m[1].replace(",", "")), m[2])

    def exact(self, numerator: int, denominator: int = 1) -> Decimal:
        """numerator/denominator in this figure's unit (e.g. millions, or percent)."""
        scale = 100 if self.unit == "%" else 1
        divisor = 1 if self.unit == "%" else UNITS[self.unit]
        return Decimal(numerator * scale) / Decimal(denominator * divisor)

    def rounded(self, numerator: int, denominator: int = 1, rounding: str = ROUND_HALF_UP) -> Decimal:
        """The value rounded half-up (or as `rounding` says) to this figure's printed precision."""
        return self.exact(numerator, denominator).quantize(self.value, rounding=rounding)

    def agrees(self, numerator: int, denominator: int = 1) -> bool:
        return self.rounded(numerator, denominator) == self.value


@cache
def load_references() -> tuple[dict, ...]:
    """The references, each configuration with its resolution: where a reference gives none, the
    bundled spec's own input size (224, 320 for a detector, ...)."""
    refs = tuple(yaml.safe_load(read_text(references_path())))
    for ref in refs:
        config = ref["config"]
        if "model" in config and "resolution" not in config:
            config["resolution"] = _own_resolution(config["model"])
    return refs


def _own_resolution(model: str) -> int | str:
    """The input size a bundled model is built at: its side when square, else 'HxW'."""
    height, width = own_input(model)
    return height if height == width else f"{height}x{width}"


# Published checkpoints: the reference tables of the implementations that ship weights.
CHECKPOINTS = {"tf-": "TF-Slim", "keras-": "Keras", "torchvision-": "torchvision", "timm-": "timm"}


def _same(ref: dict, model: str, alpha: float, resolution: int) -> bool:
    """The reference is of this configuration as the bundled spec builds it (not with other build
    rules, as timm's V3 below width 1.0)."""
    c = ref["config"]
    return (
        "rules" not in c
        and c.get("model") == model
        and abs(float(c.get("alpha", 1.0)) - alpha) < 1e-9
        and str(c.get("resolution", 224)) == str(resolution)  # 224, or '1025x2049'
    )


def published_top1(model: str, alpha: float, resolution: int) -> float | None:
    """The first top-1 accuracy the references file prints for this configuration, in percent."""
    for ref in load_references():
        if "top1" in ref and _same(ref, model, alpha, resolution):
            return float(Printed.parse(ref["top1"]).value)
    return None


def checkpoints(model: str, alpha: float, resolution: int) -> tuple[str, ...]:
    """The implementations whose published tables list a trained checkpoint of this configuration
    of a bundled model (TF-Slim, Keras, torchvision, timm)."""
    found: list[str] = []
    for ref in load_references():
        kind = next((name for prefix, name in CHECKPOINTS.items() if ref["id"].startswith(prefix)), None)
        if kind and kind not in found and _same(ref, model, alpha, resolution):
            found.append(kind)
    return tuple(found)
