"""Device files: what a roofline bound needs to know of a processor, each number with its source.

    name: cortex-m7
    description: STM32H743, Arm Cortex-M7 at 480 MHz
    peak: {int8: 960M, fp32: 480M}   # Mult-Adds per second at each dtype
    bandwidth: 1.92G                 # bytes per second between the core and the activations' memory
    sram: 512KiB                     # optional: the default budgets of `mbcalc memory --device`
    flash: 2MiB
    sources:                         # where each number comes from (required for every number)
      peak: ...
      bandwidth: ...

Rates use K, M, G, T (powers of 1000); sizes also KiB, MiB (1024), as --sram does; whole numbers.
"""

from __future__ import annotations

from pathlib import Path

from ..cost import DTYPES
from ..errors import MbcalcError, Problem, SpecError, did_you_mean
from ..models import specs_dir
from ..record import Record, record
from ..units import amount
from .nodes import Node, read_yaml
from .problems import Problems, name_problem, unshowable
from .spec import decode

KEYS = ("name", "description", "peak", "bandwidth", "sram", "flash", "sources")
REQUIRED = ("name", "peak", "bandwidth", "sources")
NUMBERS = ("peak", "bandwidth", "sram", "flash")  # each needs a source
MAX_BYTES = 2**20  # a device file is a dozen lines


@record
class Device(Record):
    name: str
    description: str
    peak: dict[str, int]  # dtype -> Mult-Adds per second
    bandwidth: int  # bytes per second
    sram: int | None
    flash: int | None
    sources: dict[str, str]  # peak, bandwidth, sram, flash -> where the number comes from
    file: str


def devices_dir() -> Path:
    return Path(specs_dir()) / "devices"


def bundled_devices() -> dict[str, Path]:
    return {path.stem: path for path in sorted(devices_dir().glob("*.yaml"))}


def load_device(name_or_path: str) -> Device:
    """A bundled device by name (`cortex-m7`), or a device file by path."""
    bundled = bundled_devices()
    if name_or_path in bundled:
        path, shown = bundled[name_or_path], f"bundled {bundled[name_or_path].name}"
    elif name_or_path.lower().endswith((".yaml", ".yml")) or "/" in name_or_path or Path(name_or_path).is_file():
        path, shown = Path(name_or_path), name_or_path
    else:
        names = ", ".join(bundled)
        raise MbcalcError(
            f"unknown device '{name_or_path}'{did_you_mean(name_or_path, list(bundled))} "
            f"(bundled: {names}; or give a device file, e.g. my-board.yaml)"
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError([Problem(shown, 0, 0, "no such device file (check the path)")]) from None
    except IsADirectoryError:
        raise SpecError([Problem(shown, 0, 0, "it is a folder, not a device file (give a .yaml file)")]) from None
    except OSError as exc:
        message = f"cannot read the device file: {exc.strerror or exc} (check its permissions)"
        raise SpecError([Problem(shown, 0, 0, message)]) from None
    if len(data) > MAX_BYTES:
        raise SpecError([Problem(shown, 0, 0, "the device file is larger than 1 MB (it needs a dozen lines)")])
    return parse_device(decode(data, shown), shown)


def parse_device(text: str, file: str = "<device>") -> Device:
    if not text.strip():
        raise SpecError([Problem(file, 0, 0, "the device file is empty (docs/deployment.md shows one to start from)")])
    doc = read_yaml(text, file)
    problems = Problems(file)
    if not doc.is_map:
        problems.add(doc, "a device file is a mapping with name, peak, bandwidth and sources (see docs/deployment.md)")
        problems.raise_if_any()
    fields: dict[str, Node] = doc.value
    for key, where in (doc.keys or {}).items():
        if key not in KEYS:
            problems.add(where, f"unknown key '{key}'{did_you_mean(key, KEYS)} (keys: {', '.join(KEYS)})")
    for key in REQUIRED:
        if key not in fields:
            problems.add((1, 1), f"'{key}' is missing (a device needs {', '.join(REQUIRED)})")
    name = _text(fields.get("name"), "name", problems)
    if name and (why := name_problem(name)):
        problems.add(fields["name"], f"name {name!r}: {why}")
    description = _text(fields.get("description"), "description", problems)
    peak: dict[str, int] = {}
    if (node := fields.get("peak")) is not None:
        if not node.is_map or not node.value:
            problems.add(node, "'peak' maps a dtype to Mult-Adds per second, e.g. {int8: 960M, fp32: 480M}")
        else:
            for dtype, where in (node.keys or {}).items():
                if dtype not in DTYPES:
                    problems.add(
                        where,
                        f"unknown dtype '{dtype}'{did_you_mean(dtype, list(DTYPES))} (dtypes: {', '.join(DTYPES)})",
                    )
                elif (rate := _amount(node.value[dtype], f"peak.{dtype}", False, "960M", problems)) is not None:
                    peak[dtype] = rate
    bandwidth = _amount(fields.get("bandwidth"), "bandwidth", False, "1.92G (bytes per second)", problems)
    sram = _amount(fields.get("sram"), "sram", True, "512KiB", problems)
    flash = _amount(fields.get("flash"), "flash", True, "2MiB", problems)
    sources: dict[str, str] = {}
    if (node := fields.get("sources")) is not None:
        if not node.is_map:
            problems.add(node, "'sources' maps each number (peak, bandwidth, sram, flash) to where it comes from")
        else:
            for key, where in (node.keys or {}).items():
                if key not in NUMBERS:
                    problems.add(where, f"'sources' names the numbers {', '.join(NUMBERS)}, not '{key}'")
                elif (cited := _text(node.value[key], f"sources.{key}", problems)) is not None:
                    sources[key] = cited
            for key in NUMBERS:
                if key in fields and key not in sources:
                    problems.add(node, f"'sources.{key}' is missing: say where the {key} figure comes from")
    problems.raise_if_any()
    assert name is not None and bandwidth is not None  # required, and checked above
    return Device(name, description or "", peak, bandwidth, sram, flash, sources, file)


def _text(node: Node | None, key: str, problems: Problems) -> str | None:
    if node is None:
        return None
    if not isinstance(node.value, str) or not node.value.strip():
        problems.add(node, f"'{key}' must be text")
        return None
    if (why := unshowable(node.value, True)) is not None:
        problems.add(node, f"'{key}': {why}")
        return None
    return " ".join(node.value.split())


def _amount(node: Node | None, key: str, binary: bool, example: str, problems: Problems) -> int | None:
    """A whole amount written with a unit: 960M, 1.92G, 512KiB (as --sram takes sizes)."""
    if node is None:
        return None
    text = str(node.value) if node.is_scalar and not isinstance(node.value, bool) else ""
    try:
        return amount(text, binary)
    except ValueError as exc:
        if str(exc) == "not an amount":
            problems.add(node, f"'{key}' must be an amount like {example}, got '{text or node.value}'")
        else:
            problems.add(node, f"'{key}' must be a whole number from 1 to 10^18 once its unit is applied, got '{text}'")
        return None
