"""The bundled models: the spec files shipped inside the package, and a cheap index of them.

`--help` and `list` need only each model's name and description: `description` reads the header
of a spec (the keys above `layers:`), not the whole table.
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from typing import Any

import yaml

from .errors import MbcalcError, did_you_mean

# Paths are strings here (os.path): this module is on every command's start-up path, and
# importing pathlib would cost more than everything it does for a bundled name.
PACKAGE = os.path.dirname(os.path.abspath(__file__))  # a regular package: its data files are plain files


@cache
def specs_dir() -> str:
    """Installed: mbcalc/specs inside the package. From a source checkout: the repo's specs/."""
    packaged = os.path.join(PACKAGE, "specs")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(os.path.realpath(PACKAGE)), "specs")


def references_path() -> str:
    """The published figures (mbcalc/references.yaml), shipped with the package."""
    return os.path.join(PACKAGE, "references.yaml")


def latencies_path() -> str:
    """The measured latencies (mbcalc/latencies.yaml), shipped with the package."""
    return os.path.join(PACKAGE, "latencies.yaml")


def read_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def yaml_files(folder: str) -> list[str]:
    """The .yaml files of a folder, by name."""
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".yaml")]


def stem(path: str) -> str:
    """A file's name without its extension: specs/v2.yaml -> v2."""
    return os.path.splitext(os.path.basename(path))[0]


@lru_cache(maxsize=1)
def bundled() -> dict[str, str]:
    """Model name -> spec file, in a stable order. A spec with `variants` is bundled under each
    variant's name (efficientnet-b0 ... efficientnet-b7), one without under its file's name."""
    found: dict[str, str] = {}
    for path in yaml_files(specs_dir()):
        variants = _header(path).get("variants") if "\nvariants:" in _head(path) else None  # parse only those
        for name in variants if isinstance(variants, dict) and variants else [stem(path)]:
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
    if _own_file(name) is not None:  # no index needed
        return name
    return name if name in bundled() else _alias_index().get(_folded(name))


def _own_file(name: str) -> str | None:
    """specs/NAME.yaml when it is the spec of the model NAME alone (it has no variants)."""
    if not (name.isidentifier() or name.replace("-", "_").isidentifier()):
        return None
    path = os.path.join(specs_dir(), f"{name}.yaml")
    return path if os.path.isfile(path) and "\nvariants:" not in _head(path) else None


def find(name: str) -> str:
    """The spec file of a bundled model (by name or alias), or a clear error suggesting the closest name."""
    if (own := _own_file(name)) is not None:
        return own  # no index needed
    models = bundled()
    if (known := canonical(name)) is not None:
        return models[known]
    raise MbcalcError(
        f"unknown model '{name}'{did_you_mean(name, list(models))} "
        f"(see 'mbcalc list'; a spec file's name ends in .yaml)"
    )


@cache
def _head(path: str) -> str:
    """A bundled spec's text above `layers:` and `blocks:` (its header)."""
    return read_text(path).split("\nlayers:", 1)[0].split("\nblocks:", 1)[0]


@cache
def _header(path: str) -> dict[str, Any]:
    """A bundled spec's header (the keys above `layers:` and `blocks:`), read without its table."""
    value = yaml.load(_head(path), Loader=_LOADER) or {}
    return value if isinstance(value, dict) else {}


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: headers parse in microseconds


def variant(name: str) -> str | None:
    """The variant a bundled model's name picks in its spec (None: the spec has none)."""
    name = canonical(name) or name
    return None if stem(find(name)) == name else name


def header(name: str) -> dict[str, Any]:
    """A bundled model's header, with its variant's own description and input size where it has them."""
    found = dict(_header(find(name)))
    own = (found.get("variants") or {}).get(canonical(name) or name)  # also the variant named as its file
    if isinstance(own, dict):  # its description and input size replace the spec's
        found.update({key: own[key] for key in ("description", "input") if key in own})
    return found


def own_input(name: str) -> tuple[int, int]:
    """The input (height, width) a bundled model is built at: a variant's own (EfficientNet-B1's
    240), or the spec's; (224, 224) for a name that is not a bundled model."""
    from .read.tables import parse_size  # the spec format's size syntax; not needed at start-up

    size = parse_size(header(name).get("input")) if canonical(name) else None
    return (size[0], size[1]) if size else (224, 224)


def description(name: str) -> str:
    """A bundled model's description, from its header alone."""
    return str(header(name).get("description", ""))


def widths(name: str) -> list[float]:
    """The widths (alphas) a bundled model is built at; [] when any alpha builds it."""
    return [float(width) for width in header(name).get("widths") or []]
