"""A spec file -> a validated `Spec`: the header keys, then the form's reader, then the checks.

    form: v1            # V1 Table 1: [type / stride, filter shape, input size]
    form: v2            # V2 Table 2: [input, operator, t, c, n, s]
    form: v3            # V3 Tables 1-2: [input, operator, exp size, #out, SE, NL, s]
    form: graph         # the general language (graph.py)

Every form lowers into the same `Program`; every static problem of any form is reported at once,
with its file:line:column (docs/spec-format.md).
"""

from __future__ import annotations

import os
import re
from types import MappingProxyType
from typing import Any

from ..bulk import no_gc
from ..errors import Problem, SpecError, did_you_mean
from ..lang.args import whole_problem
from ..lang.program import Program, Spec
from ..record import Record, record
from . import graph, tables
from .nodes import Node, read_yaml
from .problems import MAX_NAME, Problems, name_problem, unshowable
from .tables import parse_size

FORMS = ("v1", "v2", "v3", "graph")
TOP_KEYS = (
    "name",
    "description",
    "source",
    "form",
    "input",
    "classes",
    "layers",
    "notes",
    "counting",
    "blocks",
    "width",
    "widths",
    "variants",
)
GRAPH_ONLY = ("blocks", "width", "widths", "variants")
REQUIRED = ("name", "form", "input", "classes", "layers")
COUNTING_KEYS = ("biases",)
MAX_BYTES = 50 * 2**20  # a spec larger than this is refused before parsing


def load_spec(path: str | os.PathLike[str], display: str | None = None, variant: str | None = None) -> Spec:
    """Read and validate a spec file. `display` is the name used in messages (default: path);
    `variant` picks one of the spec's `variants` (default: its first)."""
    file = display or str(path)
    try:
        with open(path, "rb") as handle:  # at most the limit: a device or a pipe has no size
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError([Problem(file, 0, 0, "no such spec file (check the path, or see 'mbcalc list')")]) from None
    except IsADirectoryError:
        message = "it is a folder, not a spec file (give the path of a .yaml file)"
        raise SpecError([Problem(file, 0, 0, message)]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SpecError(
            [Problem(file, 0, 0, f"cannot read the spec: {reason} (check the file's permissions)")]
        ) from None
    return parse_spec(decode(data, file), file, variant)


def decode(data: bytes, file: str) -> str:
    """A spec's bytes as text: UTF-8 (a byte-order mark is dropped), at most MAX_BYTES."""
    if len(data) > MAX_BYTES:
        message = f"the spec is larger than {MAX_BYTES // 2**20} MB (split it, or use repeat and blocks)"
        raise SpecError([Problem(file, 0, 0, message)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        message = f"byte 0x{data[exc.start]:02x} is not UTF-8 text (save the spec as UTF-8)"
        raise SpecError([Problem(file, line, column, message)]) from None


def parse_spec(text: str, file: str = "<spec>", variant: str | None = None) -> Spec:
    doc = read_yaml(text, file)
    with no_gc():
        return _read(doc, Problems(file), variant)


def _read(doc: Node, problems: Problems, variant: str | None = None) -> Spec:
    if not doc.is_map:
        problems.add(doc, "a spec is a mapping with keys name, form, input, classes, layers")
        problems.raise_if_any()
    items, keys = doc.value, doc.keys or {}
    for key, cell in keys.items():
        if key not in TOP_KEYS:
            problems.add(cell, f"unknown key '{key}'{did_you_mean(key, TOP_KEYS)} (keys: {', '.join(TOP_KEYS)})")
    for key in REQUIRED:
        if key not in items:
            problems.add(doc, f"missing key '{key}' (a spec needs {', '.join(REQUIRED)})")
    if "form" not in items or "layers" not in items:
        problems.raise_if_any()

    def text_of(key: str) -> str:
        node = items.get(key)
        if node is None:
            return ""
        if not isinstance(node.value, str):
            problems.add(node, f"'{key}' must be a string")
            return ""
        if key == "name" and not node.value.strip():
            problems.add(node, "'name' must not be empty (it names the model in every output)")
        elif (why := name_problem(node.value) if key == "name" else unshowable(node.value, True)) is not None:
            problems.add(node, f"'{key}' {node.value[:MAX_NAME]!r}: {why}")
            return ""
        return node.value

    name, description, source, form = text_of("name"), text_of("description"), text_of("source"), text_of("form")
    if form and form not in FORMS:
        problems.add(items["form"], f"unknown form '{form}'{did_you_mean(form, FORMS)} (forms: {', '.join(FORMS)})")
    before = len(problems.items)
    size = read_size_key(items["input"], problems) if "input" in items else (224, 224, 3)
    if size[0] != size[1] and form in ("v1", "v2", "v3"):  # the papers' tables give one side per row
        problems.add(
            items["input"],
            f"'input' of a table form is square (its rows give one side); {size[0]}x{size[1]} is not: "
            f"make it square, or write the network with form: graph",
        )
    size_read = "input" in items and len(problems.items) == before
    before = len(problems.items)
    classes = _read_classes(items["classes"], problems) if "classes" in items else 1000
    classes_read = "classes" in items and len(problems.items) == before
    notes = _read_notes(items.get("notes"), problems)
    counting = _read_counting(items.get("counting"), problems)
    if form not in FORMS:
        problems.raise_if_any()
    chosen = _read_variants(items.get("variants"), variant, problems)
    if chosen is not None:
        name = chosen.name
        description = chosen.description or description
        if chosen.input is not None:
            size = chosen.input
    elif variant is not None:
        raise SpecError([Problem(problems.file, 0, 0, f"the spec has no variants, so none named '{variant}'")])
    if form == "graph":
        program = graph.read(
            items["layers"],
            items.get("blocks"),
            items.get("width"),
            items.get("widths"),
            problems,
            chosen.values if chosen is not None else {},
        )
    else:
        for key in GRAPH_ONLY:
            if key in items:
                problems.add(
                    keys[key], f"'{key}' is for specs with form: graph (the {form} table form widens by profile)"
                )
        program = tables.read(
            form, items["layers"], size if size_read else None, classes if classes_read else None, problems
        ) or Program(())
    problems.raise_if_any()
    return Spec(
        name, form, description, source, size, classes, program, problems.file, notes, MappingProxyType(counting)
    )


# --- variants ------------------------------------------------------------------------------------


@record
class Variant(Record):
    """One named variant of a spec: its values (read as $names) and, if it says, its input size."""

    name: str
    values: dict[str, int | float]
    input: tuple[int, int, int] | None = None
    description: str = ""


def _read_variants(node: Node | None, wanted: str | None, problems: Problems) -> Variant | None:
    """The variant `wanted` (or the first) of a spec's `variants: {name: {value: number, input: size}}`."""
    if node is None:
        return None
    if not node.is_map or not node.value:
        problems.add(node, "'variants' must map each variant's name to its values, e.g. {b0: {w: 1.0, d: 1.0}}")
        return None
    variants: dict[str, Variant] = {}
    for name, body in node.value.items():
        if (why := name_problem(name)) is not None:
            problems.add((node.keys or {})[name], f"variant name {name[:MAX_NAME]!r}: {why}")
            continue
        if not body.is_map:
            problems.add(body, f"variant '{name}' must be a mapping of values, e.g. {{w: 1.0, input: 240x240x3}}")
            continue
        values: dict[str, int | float] = {}
        size, description = None, ""
        for key, value in body.value.items():
            if key == "input":
                size = read_size_key(value, problems)
            elif key == "description":
                description = str(value.value)
                if (why := unshowable(description, True)) is not None:
                    problems.add(value, f"'description' {description!r}: {why}")
            elif not re.fullmatch(r"[A-Za-z_]\w*", key) or key in ("in", "classes", "alpha", "block_in"):
                problems.add((body.keys or {})[key], f"'{key}' cannot name a value (a name like w or d)")
            elif isinstance(value.value, bool) or not isinstance(value.value, (int, float)):
                problems.add(value, f"'{key}' of variant '{name}' must be a number")
            else:
                values[key] = value.value
        variants[name] = Variant(name, values, size, description)
    if wanted is None:
        return next(iter(variants.values()), None)
    if wanted not in variants:
        raise SpecError(
            [
                Problem(
                    problems.file,
                    node.line,
                    node.column,
                    f"no variant '{wanted}'{did_you_mean(wanted, list(variants))} (variants: {', '.join(variants)})",
                )
            ]
        )
    return variants[wanted]


# --- header values -------------------------------------------------------------------------------


def read_size_key(node: Node, problems: Problems) -> tuple[int, int, int]:
    size = parse_size(node.value) if node.is_scalar else None
    if size is None or min(size) < 1:
        problems.add(node, "'input' must be a size like 224x224x3 (height x width x channels)")
        return (1, 1, 1)
    return size


def _read_classes(node: Node, problems: Problems) -> int:
    value = node.value
    if (why := whole_problem("'classes'", value)) is not None:
        problems.add(node, why)
        return 1
    return value


def _read_notes(node: Node | None, problems: Problems) -> tuple[str, ...]:
    if node is None:
        return ()
    if not node.is_list or not all(isinstance(c.value, str) for c in node.value):
        problems.add(node, "'notes' must be a list of strings")
        return ()
    for note in node.value:
        if (why := unshowable(note.value, True)) is not None:
            problems.add(note, f"note {note.value!r}: {why}")
    return tuple(c.value for c in node.value)


def _read_counting(node: Node | None, problems: Problems) -> dict[str, Any]:
    if node is None:
        return {}
    if not node.is_map:
        problems.add(node, "'counting' must be a mapping, e.g. {biases: false}")
        return {}
    out = {}
    for key, cell in (node.keys or {}).items():
        value = node.value[key]
        if key not in COUNTING_KEYS:
            problems.add(
                cell,
                f"unknown counting key '{key}'{did_you_mean(key, COUNTING_KEYS)} (keys: {', '.join(COUNTING_KEYS)})",
            )
        elif not isinstance(value.value, bool):
            problems.add(value, f"'counting.{key}' must be true or false")
        else:
            out[key] = value.value
    return out
