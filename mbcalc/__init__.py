"""mbcalc: exact Mult-Adds and parameters of MobileNet-style networks, from the papers' tables.

    >>> import mbcalc
    >>> report = mbcalc.analyze("v2", alpha=0.75, resolution=192, profile="torchvision")

Pipeline (one stage per module or folder, data flowing one way):
read (YAML -> nodes -> a validated program) -> build (alpha, resolution, profile -> ir.Network)
-> counting (a table of counters per convention) -> analysis (Report, compare, diff) -> render -> cli.

The names below load on first use, so that `mbcalc --version` and `--help` do not pay for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "analyze": "api",
    "build": "api",
    "count": "api",
    "load": "api",
    "loads": "api",
    "compare": "api",
    "diff": "api",
    "Report": "analysis",
    "LayerCost": "analysis",
    "MbcalcError": "errors",
    "SpecError": "errors",
    "Problem": "errors",
    "Layer": "ir",
    "Network": "ir",
    "Shape": "ir",
    "Spec": "lang.program",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mbcalc' has no attribute '{name}'")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
