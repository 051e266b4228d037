"""Spec files: YAML text -> a validated `Spec` whose rows keep their file positions.

A spec is written in a paper's own table form (see docs/spec-format.md):

    form: v1            # V1 Table 1: [type / stride, filter shape, input size]
    form: v2            # V2 Table 2: [input, operator, t, c, n, s]
    form: v3            # V3 Tables 1-2: [input, operator, exp size, #out, SE, NL, s]

This module checks the file's structure and reads each table cell into a typed value; `expand`
turns the rows into layers. Every problem is reported with file:line:column, all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, did_you_mean
from .ir import Location

FORMS = ("v1", "v2", "v3", "graph")
TOP_KEYS = ("name", "description", "source", "form", "input", "classes", "layers", "notes", "counting",
            "blocks", "width")
GRAPH_ONLY = ("blocks", "width")
MAX_BYTES = 50 * 2**20  # a spec larger than this is refused before parsing
REQUIRED = ("name", "form", "input", "classes", "layers")
COUNTING_KEYS = ("biases",)


# --- YAML with positions ---------------------------------------------------------------------


class Cell:
    """A scalar from the file and where it stands (1-based line and column)."""

    __slots__ = ("value", "line", "column")

    def __init__(self, value: Any, line: int, column: int):
        self.value, self.line, self.column = value, line, column


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


STANDARD_TAGS = (yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG)


MAX_NESTING = 64  # lists and mappings inside each other; a spec never needs more
_CONVERTING = object()


def _plain(node: yaml.Node, loader: yaml.SafeLoader, file: str, seen: dict | None = None, depth: int = 0) -> Any:
    """Turn a composed YAML node into Mapping / Sequence / Cell, keeping every position.

    A node reached again through an alias is converted once and shared (`seen`), so an alias bomb
    ("billion laughs") costs time linear in the file, not in its expansion; an alias inside its
    own anchor, and nesting deeper than MAX_NESTING, are refused.
    """
    seen = {} if seen is None else seen
    if seen.get(id(node)) is _CONVERTING or depth > MAX_NESTING:
        line, column = _position(node)
        what = ("an alias refers to the list or mapping that contains it" if depth <= MAX_NESTING
                else f"lists and mappings are nested more than {MAX_NESTING} levels deep")
        raise SpecError([f"{file}:{line}:{column}: {what} (a spec is a finite table; flatten it)"])
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = _CONVERTING
    seen[id(node)] = result = _convert(node, loader, file, seen, depth)
    return result


def _convert(node: yaml.Node, loader: yaml.SafeLoader, file: str, seen: dict, depth: int) -> Any:
    if isinstance(node, yaml.CollectionNode) and node.tag not in STANDARD_TAGS:
        line, column = _position(node)
        raise SpecError([f"{file}:{line}:{column}: the tag {node.tag} is not allowed in a spec (remove it)"])
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        keys: dict[str, Cell] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            if key in keys:
                line, column = _position(key_node)
                raise SpecError([f"{file}:{line}:{column}: the key '{key}' appears twice in this mapping "
                                 f"(first at line {keys[key].line}; keep one)"])
            keys[key] = Cell(key, *_position(key_node))
            out[key] = _plain(value_node, loader, file, seen, depth + 1)
        return Mapping(out, keys, *_position(node))
    if isinstance(node, yaml.SequenceNode):
        return Sequence([_plain(item, loader, file, seen, depth + 1) for item in node.value], *_position(node))
    if node.tag == "tag:yaml.org,2002:str":  # the common cases, without the constructor's overhead
        return Cell(node.value, *_position(node))
    if node.tag == "tag:yaml.org,2002:int":
        return Cell(loader.construct_yaml_int(node), *_position(node))
    return Cell(loader.construct_object(node, deep=True), *_position(node))


@dataclass
class Mapping:
    items: dict[str, Any]
    keys: dict[str, Cell]
    line: int
    column: int


@dataclass
class Sequence:
    items: list[Any]
    line: int
    column: int


def read_yaml(text: str, file: str) -> Any:
    """Parse YAML safely (no tags, no code), keeping positions. Raises SpecError."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when present: 10 MB specs parse
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError([f"{file}:1:1: the spec is empty (start from a bundled spec: 'mbcalc list')"])
        return _plain(node, loader, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else f"{file}:1:1"
        hint = "" if isinstance(exc, yaml.constructor.ConstructorError) else " (check indentation and brackets)"
        raise SpecError([f"{where}: not valid YAML: {exc.problem or exc.context}{hint}"]) from None
    except yaml.YAMLError as exc:  # e.g. a NUL byte: the reader's own message, first line only
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise SpecError([f"{file}:1:1: not valid YAML: {reason} (save the spec as UTF-8 text)"]) from None
    finally:
        loader.dispose()


# --- the spec --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row: its cells (already typed by the form's column readers) and its place."""

    cells: tuple[Any, ...]
    location: Location


@dataclass(frozen=True)
class Repeat:
    """A group of rows repeated n times (V1 Table 1's '5x')."""

    times: int
    rows: tuple[Row, ...]
    location: Location


@dataclass(frozen=True)
class Spec:
    name: str
    form: str
    description: str
    source: str
    input: tuple[int, int, int]  # H, W, C at the paper's nominal resolution
    classes: int
    layers: tuple[Row | Repeat, ...]
    file: str
    notes: tuple[str, ...] = ()
    counting: dict[str, Any] = field(default_factory=dict)
    program: Any = None  # form: graph, the checked layers and blocks (graph.Program)


class Problems:
    """Collects `file:line:col: message` strings so that all problems are reported at once."""

    def __init__(self, file: str):
        self.file, self.items = file, []

    def add(self, where: Cell | Mapping | Sequence, message: str) -> None:
        self.items.append(f"{self.file}:{where.line}:{where.column}: {message}")

    def add_at(self, location: Location, message: str) -> None:
        self.items.append(f"{location}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(sorted(dict.fromkeys(self.items), key=_file_order))  # each once, in file order


def _file_order(problem: str) -> tuple[int, int]:
    m = re.match(r".*?:(\d+):(\d+): ", problem)
    return (int(m[1]), int(m[2])) if m else (0, 0)


def load_spec(path: str | Path, display: str | None = None) -> Spec:
    """Read and validate a spec file. `display` is the name used in messages (default: path)."""
    file = display or str(path)
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise SpecError([f"{file}: the spec is larger than {MAX_BYTES // 2**20} MB (split it, or use repeat and blocks)"])
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([f"{file}: no such spec file (check the path, or see 'mbcalc list')"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SpecError([f"{file}: cannot read the spec: {reason} (check the file's permissions and encoding)"]) from None
    return parse_spec(text, file)


def parse_spec(text: str, file: str = "<spec>") -> Spec:
    doc = read_yaml(text, file)
    problems = Problems(file)
    if not isinstance(doc, Mapping):
        problems.add(doc, "a spec is a mapping with keys name, form, input, classes, layers")
        problems.raise_if_any()
    for key, cell in doc.keys.items():
        if key not in TOP_KEYS:
            problems.add(cell, f"unknown key '{key}'{did_you_mean(key, TOP_KEYS)} (keys: {', '.join(TOP_KEYS)})")
    for key in REQUIRED:
        if key not in doc.items:
            problems.add(doc, f"missing key '{key}' (a spec needs {', '.join(REQUIRED)})")
    if "form" not in doc.items or "layers" not in doc.items:
        problems.raise_if_any()

    def text_of(key: str, default: str = "") -> str:
        value = doc.items.get(key)
        if value is None:
            return default
        if not isinstance(value, Cell) or not isinstance(value.value, str):
            problems.add(value, f"'{key}' must be a string")
            return default
        return value.value

    name, description, source = text_of("name"), text_of("description"), text_of("source")
    form = text_of("form")
    if form and form not in FORMS:
        problems.add(doc.items["form"], f"unknown form '{form}'{did_you_mean(form, FORMS)} (forms: {', '.join(FORMS)})")
    size = _read_size(doc.items["input"], problems, "input") if "input" in doc.items else (224, 224, 3)
    if size[0] != size[1]:
        problems.add(doc.items["input"], f"'input' must be square for now ({size[0]}x{size[1]}); --res builds at R x R")
    classes = _read_int(doc.items["classes"], problems, "classes") if "classes" in doc.items else 1000
    notes = _read_notes(doc.items.get("notes"), problems)
    counting = _read_counting(doc.items.get("counting"), problems)
    if form not in FORMS:
        problems.raise_if_any()

    if form == "graph":
        from .graph import check  # the general language reads its own layers and blocks

        program = check(doc.items["layers"], doc.items.get("blocks"), doc.items.get("width"), problems)
        problems.raise_if_any()
        return Spec(name, form, description, source, size, classes, (), file, notes, counting, program)
    for key in GRAPH_ONLY:
        if key in doc.items:
            problems.add(doc.keys[key], f"'{key}' is for specs with form: graph (the {form} table form widens by profile)")
    from .forms import FORM_COLUMNS  # the table forms know their own columns

    from .forms import estimated_layers
    from .graph import MAX_LAYERS

    columns = FORM_COLUMNS[form]
    layers = _read_layers(doc.items["layers"], columns, problems, file)
    problems.raise_if_any()
    if (expanded := estimated_layers(form, tuple(layers))) > MAX_LAYERS:
        problems.add(doc.items["layers"], f"the table would expand to about {expanded:,} layers, past the limit of "
                                          f"{MAX_LAYERS:,} (check the repeat and n counts)")
        problems.raise_if_any()
    return Spec(name, form, description, source, size, classes, tuple(layers), file, notes, counting)


# --- cell readers ----------------------------------------------------------------------------

def parse_size(text: str) -> tuple[int, int, int] | None:
    """'224x224x3', '224²×3' or '1×1×1280' -> (H, W, C); None if it is not a size."""
    text = str(text).replace("×", "x").replace("X", "x")
    m = re.fullmatch(r"\s*(\d+)\s*²\s*x\s*(\d+)\s*", text)
    if m:
        return int(m[1]), int(m[1]), int(m[2])
    m = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)\s*", text)
    if m:
        return int(m[1]), int(m[2]), int(m[3])
    return None


def _read_size(cell: Any, problems: Problems, key: str) -> tuple[int, int, int]:
    size = parse_size(cell.value) if isinstance(cell, Cell) else None
    if size is None or min(size) < 1:
        problems.add(cell, f"'{key}' must be a size like 224x224x3 (height x width x channels)")
        return (1, 1, 1)
    return size


def _read_int(cell: Any, problems: Problems, key: str) -> int:
    if not isinstance(cell, Cell) or isinstance(cell.value, bool) or not isinstance(cell.value, int) or cell.value < 1:
        problems.add(cell, f"'{key}' must be a whole number >= 1")
        return 1
    return cell.value


def _read_notes(value: Any, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or not all(isinstance(c, Cell) and isinstance(c.value, str) for c in value.items):
        problems.add(value, "'notes' must be a list of strings")
        return ()
    return tuple(c.value for c in value.items)


def _read_counting(value: Any, problems: Problems) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(value, "'counting' must be a mapping, e.g. {biases: false}")
        return {}
    out = {}
    for key, cell in value.keys.items():
        if key not in COUNTING_KEYS:
            problems.add(cell, f"unknown counting key '{key}'{did_you_mean(key, COUNTING_KEYS)} (keys: {', '.join(COUNTING_KEYS)})")
        elif not isinstance(value.items[key], Cell) or not isinstance(value.items[key].value, bool):
            problems.add(value.items[key], f"'counting.{key}' must be true or false")
        else:
            out[key] = value.items[key].value
    return out


def _read_layers(value: Any, columns: tuple, problems: Problems, file: str) -> list[Row | Repeat]:
    if not isinstance(value, Sequence) or not value.items:
        problems.add(value, "'layers' must be a non-empty list of table rows")
        return []
    out: list[Row | Repeat] = []
    for item in value.items:
        if isinstance(item, Mapping):
            out.extend(_read_repeat(item, columns, problems, file))
        else:
            row = _read_row(item, columns, problems, file)
            if row is not None:
                out.append(row)
    return out


def _read_repeat(item: Mapping, columns: tuple, problems: Problems, file: str) -> list[Repeat]:
    allowed = ("repeat", "layers")
    for key, cell in item.keys.items():
        if key not in allowed:
            problems.add(cell, f"unknown key '{key}'{did_you_mean(key, allowed)} (a repeated group has 'repeat: N' and 'layers:')")
    if "repeat" not in item.items or "layers" not in item.items:
        problems.add(item, "a repeated group needs 'repeat: N' and 'layers: [rows]'")
        return []
    times = _read_int(item.items["repeat"], problems, "repeat")
    rows_value = item.items["layers"]
    if not isinstance(rows_value, Sequence) or not rows_value.items:
        problems.add(rows_value, "'layers' of a repeated group must be a non-empty list of rows")
        return []
    rows = [r for r in (_read_row(i, columns, problems, file) for i in rows_value.items) if r is not None]
    return [Repeat(times, tuple(rows), Location(file, item.line, item.column))]


def _read_row(item: Any, columns: tuple, problems: Problems, file: str) -> Row | None:
    names = ", ".join(name for name, _ in columns)
    if not isinstance(item, Sequence) or any(not isinstance(c, Cell) for c in item.items):
        problems.add(item, f"a row is a list of cells [{names}]")
        return None
    if len(item.items) != len(columns):
        problems.add(item, f"a row has {len(columns)} cells [{names}], this one has {len(item.items)}")
        return None
    cells = []
    for (name, reader), cell in zip(columns, item.items):
        try:
            cells.append(reader(cell.value))
        except ValueError as exc:
            problems.add(cell, f"{name}: {exc}")
            cells.append(None)
    return Row(tuple(cells), Location(file, item.line, item.column))
