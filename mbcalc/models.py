"""The bundled models: the spec files shipped inside the package, and a cheap index of them.

`--help` and `list` need only each model's name and description: `description` reads the header
of a spec (the keys above `layers:`), not the whole table.
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import MbcalcError, did_you_mean

PACKAGE = Path(__file__).parent  # a regular package: its data files are plain files


@cache
def specs_dir() -> Path:
    """Installed: mbcalc/specs inside the package. From a source checkout: the repo's specs/."""
    packaged = PACKAGE / "specs"
    return packaged if packaged.is_dir() else PACKAGE.resolve().parent / "specs"


def references_path() -> Path:
    """The published figures (mbcalc/references.yaml), shipped with the package."""
    return PACKAGE / "references.yaml"


@lru_cache(maxsize=1)
def bundled() -> dict[str, Path]:
    """Model name -> spec file, in a stable order. A spec with `variants` is bundled under each
    variant's name (efficientnet-b0 ... efficientnet-b7), one without under its file's name."""
    found: dict[str, Path] = {}
    for path in specs_dir().glob("*.yaml"):
        variants = _header(path).get("variants") if "\nvariants:" in _head(path) else None  # parse only those
        for name in variants if isinstance(variants, dict) and variants else [path.stem]:
            found[str(name)] = path
    return dict(sorted(found.items()))


def is_spec_path(text: str) -> bool:
    """A spec rather than a bundled model's name, by one rule for every command: `-` (standard
    input), a name ending in .yaml or .yml (any case), a path with a folder, or an existing file
    that is not a bundled model's name."""
    return (
        text == "-"
        or text.lower().endswith((".yaml", ".yml"))
        or "/" in text
        or os.sep in text
        or (canonical(text) is None and os.path.isfile(text))
    )


# Other names of the bundled models at width 1.0: the papers', torchvision's, Keras's and timm's.
# They are compared without case, '-' or '_' (MobileNetV2, mobilenet_v2 and mobilenet-v2 are one).
ALIASES = {
    "v1": ("mobilenetv1", "mobilenet", "mobilenetv1100", "mobilenet_v1_1.0_224"),
    "v2": ("mobilenetv2", "mobilenetv2100", "mobilenet_v2_1.0_224"),
    "v3-large": ("mobilenetv3large", "mobilenetv3large100", "tfmobilenetv3large100", "v3large", "mobilenetv3"),
    "v3-small": ("mobilenetv3small", "mobilenetv3small100", "tfmobilenetv3small100", "v3small"),
    "v3-large-minimalistic": ("mobilenetv3largeminimal100", "tfmobilenetv3largeminimal100"),
    "v3-small-minimalistic": ("mobilenetv3smallminimal100", "tfmobilenetv3smallminimal100"),
    "shufflenet-v2": ("shufflenetv2x10", "shufflenetv2"),
    "mnasnet-a1": ("mnasneta1", "mnasneta1100", "mnasnet100"),
    "mobilenext": ("mobilenext100",),
    "mobilenetv4-conv-small": ("mobilenetv4convsmall",),
    "mobilenetv4-conv-medium": ("mobilenetv4convmedium",),
    "mobilenetv4-conv-large": ("mobilenetv4convlarge",),
    "mobilenetv4-hybrid-medium": ("mobilenetv4hybridmedium",),
    **{f"efficientnet-b{i}": (f"efficientnetb{i}",) for i in range(8)},
}


def implied(name: str) -> dict[str, float]:
    """What an alias says of the build beyond the model: 'mobilenet_v2_1.0_224' is width 1.0 at
    224, 'mobilenetv2_100' (timm's) width 1.0; {} for a model's own name or an alias that says
    nothing more ('mobilenet_v2')."""
    known = canonical(name)
    if known is None or known == name or _folded(name) not in {_folded(a) for a in ALIASES.get(known, ())}:
        return {}
    spelled = name.lower().replace("-", "_")
    if re.search(r"_1\.0_224$", spelled):
        return {"alpha": 1.0, "resolution": 224}
    return {"alpha": 1.0} if re.search(r"(100|x1_?0)$", spelled) else {}


def _folded(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    index = {_folded(name): name for name in bundled()}
    index.update({_folded(alias): name for name, aliases in ALIASES.items() for alias in aliases})
    return index


def canonical(name: str) -> str | None:
    """The bundled model a name or alias means ('mobilenet_v2' -> 'v2'), or None."""
    if name.isidentifier() or name.replace("-", "_").isidentifier():  # a spec's own file: no index needed
        path = specs_dir() / f"{name}.yaml"
        if path.is_file() and "\nvariants:" not in _head(path):
            return name
    return name if name in bundled() else _alias_index().get(_folded(name))


def find(name: str) -> Path:
    """The spec file of a bundled model (by name or alias), or a clear error suggesting the closest name."""
    models = bundled()
    if (known := canonical(name)) is not None:
        return models[known]
    raise MbcalcError(
        f"unknown model '{name}'{did_you_mean(name, list(models))} "
        f"(see 'mbcalc list'; a spec file's name ends in .yaml)"
    )


@cache
def _head(path: Path) -> str:
    """A bundled spec's text above `layers:` and `blocks:` (its header)."""
    text = path.read_text(encoding="utf-8")
    return text.split("\nlayers:", 1)[0].split("\nblocks:", 1)[0]


@cache
def _header(path: Path) -> dict[str, Any]:
    """A bundled spec's header (the keys above `layers:` and `blocks:`), read without its table."""
    value = yaml.load(_head(path), Loader=_LOADER) or {}
    return value if isinstance(value, dict) else {}


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: headers parse in microseconds


def variant(name: str) -> str | None:
    """The variant a bundled model's name picks in its spec (None: the spec has none)."""
    name = canonical(name) or name
    return None if find(name).stem == name else name


def header(name: str) -> dict[str, Any]:
    """A bundled model's header, with its variant's own description when it has one."""
    found = dict(_header(find(name)))
    if (chosen := variant(name)) is not None:
        own = (found.get("variants") or {}).get(chosen) or {}
        found["description"] = own.get("description", found.get("description", ""))
    return found


def description(name: str) -> str:
    """A bundled model's description, from its header alone."""
    return str(header(name).get("description", ""))


def widths(name: str) -> list[float]:
    """The widths (alphas) a bundled model is built at; [] when any alpha builds it."""
    return [float(width) for width in header(name).get("widths") or []]
