"""The bundled models: the spec files shipped inside the package."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import MbcalcError, did_you_mean


def specs_dir() -> Path:
    """Installed: mbcalc/specs inside the package. From a source checkout: the repo's specs/."""
    packaged = Path(str(resources.files("mbcalc"))) / "specs"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "specs"


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
    raise MbcalcError(f"unknown model '{name}'{did_you_mean(name, list(models))} "
                      f"(see 'mbcalc list'; a spec file's name ends in .yaml)")
