"""The bundled models: the spec files shipped inside the package, and a cheap index of them.

`--help` and `list` need only each model's name and description: `description` reads the header
of a spec (the keys above `layers:`), not the whole table.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import MbcalcError, did_you_mean


def specs_dir() -> Path:
    """Installed: mbcalc/specs inside the package. From a source checkout: the repo's specs/."""
    packaged = Path(str(resources.files("mbcalc"))) / "specs"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "specs"


@lru_cache(maxsize=1)
def bundled() -> dict[str, Path]:
    """Model name -> spec file, in a stable order."""
    return {path.stem: path for path in sorted(specs_dir().glob("*.yaml"), key=lambda p: p.stem)}


def is_spec_path(text: str) -> bool:
    """A spec file rather than a bundled model's name: it ends in .yaml / .yml or names a folder."""
    return text.endswith((".yaml", ".yml")) or "/" in text or os.sep in text


def find(name: str) -> Path:
    """The spec file of a bundled model, or a clear error suggesting the closest name."""
    models = bundled()
    if name in models:
        return models[name]
    raise MbcalcError(
        f"unknown model '{name}'{did_you_mean(name, list(models))} "
        f"(see 'mbcalc list'; a spec file's name ends in .yaml)"
    )


@cache
def header(name: str) -> dict[str, Any]:
    """A bundled spec's header (the keys above `layers:` and `blocks:`), read without its table."""
    text = find(name).read_text(encoding="utf-8")
    head = text.split("\nlayers:", 1)[0].split("\nblocks:", 1)[0]
    value = yaml.safe_load(head) or {}
    return value if isinstance(value, dict) else {}


def description(name: str) -> str:
    """A bundled model's description, from its header alone."""
    return str(header(name).get("description", ""))


def widths(name: str) -> list[float]:
    """The widths (alphas) a bundled model is built at; [] when any alpha builds it."""
    return [float(width) for width in header(name).get("widths") or []]
