"""`form: graph`, the general language: any network as a list of layers, named blocks with
parameters, and branches.

    blocks:
      fire:                                   # defined once ...
        params: [squeeze, expand]
        layers:
          - conv: {out: $squeeze, k: 1, bias: true}
          - relu
          - {name: e1, conv: {out: $expand, k: 1, bias: true}}
          - relu
          - {name: e3, input: relu1, conv: {out: $expand, k: 3, p: 1, bias: true}}
          - relu
          - concat: [relu2, relu3]
    layers:
      - conv: {out: 96, k: 7, s: 2, p: 0, bias: true}
      - fire: {squeeze: 16, expand: 64}       # ... used with parameters
      - {fire: {squeeze: 32, expand: 128}, repeat: 2}

A layer reads the previous layer unless `input:` names another (a DAG: branches merge with `add`,
`concat` or `multiply`). An item is an operator of the registry (ops.py), a built-in block
(lang/blocks.py) or a block of the spec. Reading checks every key, argument and literal value;
checks.py then checks the program as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ..errors import did_you_mean
from ..ir import Location
from ..lang import args as kinds
from ..lang.args import MAX_WHOLE
from ..lang.blocks import BUILTINS
from ..lang.expr import ValueProblem, evaluate, is_expression, is_fraction
from ..lang.program import Block, Item, Program, Value, Width, WidthRule
from ..ops import LAYER_KEYS, REGISTRY, Arg
from . import checks
from .nodes import Node, Position
from .problems import MAX_NAME, Problems, name_problem

META = LAYER_KEYS  # a layer's keys besides its operator
ALIASES = {
    "stride": "s",
    "kernel": "k",
    "kernel_size": "k",
    "padding": "p",
    "dilation": "d",
    "filters": "out",
    "channels": "out",
    "out_channels": "out",
    "use_bias": "bias",
    "ceil_mode": "ceil",
}
WIDTH_RULES = ("truncate", "make_divisible", "none")
TEXT_KEYS = frozenset({"name", "input", "role"})  # layer keys whose values are names
INPUT_NAMES = frozenset({"in", "input"})  # what `input:` calls the network's input: no layer may take them
NAMES = ("in", "classes", "alpha")  # what every expression may name: $in, $classes, $alpha
WHOLE = frozenset({"width", "int", "channels"})  # argument kinds that take any whole number >= 1
INVALID = object()  # a value already reported as a problem
_REF = re.compile(r"\$([A-Za-z_]\w*)")


@lru_cache(maxsize=4096)
def _unreadable(text: str, names: tuple[str, ...]) -> str | None:
    """Why an expression cannot be evaluated with these names (each 1), or None (a spec repeats its
    expressions: each is tried once)."""
    try:
        evaluate(text, dict.fromkeys(names, 1))
    except ValueProblem:  # it reads well; whether it has a value depends on the numbers: the build says
        return None
    except ValueError as exc:
        return str(exc)
    return None


def arguments(op: str, blocks: Mapping[str, Block]) -> tuple[Arg, ...]:
    """The arguments an operator, a built-in block or a spec's block takes."""
    if op in blocks:
        return tuple(Arg(p, "any") for p in blocks[op].params)
    if op in BUILTINS:
        return BUILTINS[op].args
    return REGISTRY[op].args


def read(
    layers: Node,
    blocks_node: Node | None,
    width: Node | None,
    widths_node: Node | None,
    problems: Problems,
    values: Mapping[str, int | float] | None = None,
) -> Program:
    """The graph parts of a spec as a checked Program; every problem goes to `problems`."""
    rule = _read_width(width, problems)
    widths = _read_widths(widths_node, problems)
    tables = widths is not None and any(widths.values())
    if tables and width is not None:
        problems.add(width, "a spec whose 'widths' give each width's values takes no 'width' rule (remove one)")
    if tables:
        rule = WidthRule("none")  # the table is the scaling
    values = dict(values or {})  # a variant's values: $names everywhere at the top level
    names = sorted({name for row in (widths or {}).values() for name in row} | set(values))
    blocks: dict[str, Block] = {}
    if blocks_node is not None and not blocks_node.is_map:
        problems.add(blocks_node, "'blocks' must be a mapping of block name -> {params: [...], layers: [...]}")
    elif blocks_node is not None:
        for name, cell in (blocks_node.keys or {}).items():  # first every block's name and parameters ...
            if name in REGISTRY or name in BUILTINS:
                problems.add(cell, f"block name '{name}' is a built-in op; choose another name")
                continue
            if (why := name_problem(name)) is not None:
                problems.add(cell, f"block name {name[:MAX_NAME]!r}: {why}")
                continue
            blocks[name] = _read_block(name, blocks_node.value[name], cell, problems)
    reader = _Reader(problems, blocks, values)
    for name, block in list(blocks.items()):  # ... then their layers, which may use any block
        body = blocks_node.value[name] if blocks_node is not None else None
        if body is not None and body.is_map and "layers" in body.value:
            items = reader.items(body.value["layers"], f"block '{name}'", (*block.params, "block_in"))
            blocks[name] = Block(name, block.params, tuple(items), block.where)
    program = Program(
        tuple(reader.items(layers, "layers", tuple(names))),
        MappingProxyType(blocks),
        rule,
        widths,
        MappingProxyType(values),
    )
    checks.check(program, layers, problems, complete=reader.dropped == 0)
    return program


def _read_width(node: Node | None, problems: Problems) -> WidthRule:
    if node is None:
        return WidthRule()
    if not node.is_map:
        problems.add(node, "'width' must be a mapping, e.g. {rule: make_divisible, divisor: 8}")
        return WidthRule()
    found: dict[str, Any] = {}
    for key, cell in (node.keys or {}).items():
        item = node.value[key]
        if key == "rule":
            if item.value not in WIDTH_RULES:
                problems.add(item, f"'width.rule' must be one of {', '.join(WIDTH_RULES)}")
            else:
                found["rule"] = item.value
        elif key in ("divisor", "min"):
            if isinstance(item.value, bool) or not isinstance(item.value, int) or item.value < 1:
                problems.add(item, f"'width.{key}' must be a whole number >= 1")
            else:
                found[key] = item.value
        else:
            problems.add(
                cell,
                f"unknown key '{key}'{did_you_mean(key, ['rule', 'divisor', 'min'])} (width keys: rule, divisor, min)",
            )
    return WidthRule(**found, stated=True)


def _read_widths(node: Node | None, problems: Problems) -> dict[float, dict[str, Any]] | None:
    """`widths: [0.5, 1.0]` (the widths a spec builds faithfully, by its width rule) or a table
    `widths: {0.5: {c2: 48, ...}, 1.0: {c2: 116, ...}}` (each width's values, as $names)."""
    if node is None:
        return None
    rows: dict[float, dict[str, Any]] = {}
    entries = (
        [(cell, None) for cell in node.value]
        if node.is_list
        else [
            (Node(alpha, *cell), node.value[key]) for key, cell in (node.keys or {}).items() for alpha in [_number(key)]
        ]
        if node.is_map
        else None
    )
    if not entries:
        problems.add(
            node,
            "'widths' must list the widths the spec builds, e.g. [0.5, 1.0], or map each to its "
            "values, e.g. {0.5: {c: 48}, 1.0: {c: 116}}",
        )
        return None
    for cell, row in entries:
        alpha = cell.value
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 4:
            shown = f"'{alpha}'" if cell.is_scalar else "a list or mapping"
            problems.add(cell, f"a width is a number in (0, 4], got {shown}")
            continue
        values: dict[str, Any] = {}
        if row is not None:
            if not row.is_map:
                problems.add(
                    row, f"the values at width {alpha:g} must be a mapping of names to numbers, e.g. {{c: 48}}"
                )
            else:
                for key, value in row.value.items():
                    if not re.fullmatch(r"[A-Za-z_]\w*", key) or key in (*NAMES, "block_in"):
                        problems.add((row.keys or {})[key], f"'{key}' cannot name a value (a name like c2)")
                    elif isinstance(value.value, bool) or not isinstance(value.value, int) or value.value < 1:
                        problems.add(value, f"'{key}' at width {alpha:g} must be a whole number >= 1")
                    else:
                        values[key] = value.value
        rows[float(alpha)] = values
    names = {width: sorted(row) for width, row in rows.items()}
    if len({tuple(n) for n in names.values()}) > 1:
        given = "; ".join(f"{width:g} gives {', '.join(n) or 'none'}" for width, n in names.items())
        problems.add(node, f"every width must give the same names ({given})")
    return rows


def _plain_whole(value: Any) -> Any:
    """A computed count as an int when it is whole (else as it is, for the message)."""
    return int(value) if (isinstance(value, (int, float)) or is_fraction(value)) and value == int(value) else value


def _number(text: str) -> Any:
    """A mapping key as a number ('0.5' -> 0.5); the text itself when it is none."""
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def _read_block(name: str, node: Node | None, cell: Position, problems: Problems) -> Block:
    if node is None or not node.is_map:
        problems.add(
            node if node is not None and node.value is not None else cell,
            f"block '{name}' must be a mapping with 'params' and 'layers'",
        )
        return Block(name, (), (), problems.location(cell))
    for key, kcell in (node.keys or {}).items():
        if key not in ("params", "layers"):
            problems.add(
                kcell, f"unknown key '{key}'{did_you_mean(key, ['params', 'layers'])} (a block has params and layers)"
            )
    params: list[str] = []
    raw = node.value.get("params")
    if raw is not None:
        if not raw.is_list or not all(isinstance(c.value, str) for c in raw.value):
            problems.add(raw, f"'params' of block '{name}' must be a list of names, e.g. [squeeze, expand]")
        else:
            params = [c.value for c in raw.value]
            for param in raw.value:
                if not re.fullmatch(r"[A-Za-z_]\w*", param.value) or param.value in (*NAMES, "block_in"):
                    problems.add(
                        param,
                        f"'{param.value}' cannot name a parameter (a name like squeeze or t; "
                        f"{', '.join(NAMES)} and block_in are taken)",
                    )
            for twice in sorted({p for p in params if params.count(p) > 1}):
                problems.add(raw, f"the parameter '{twice}' is listed twice in block '{name}'")
    if "layers" not in node.value:
        problems.add(node, f"block '{name}' needs 'layers'")
    return Block(name, tuple(params), (), problems.location(cell))  # its layers are read once every block is known


class _Reader:
    def __init__(self, problems: Problems, blocks: dict[str, Block], values: Mapping[str, int | float]):
        self.problems, self.blocks, self.values = problems, blocks, values
        self.known = sorted(set(REGISTRY) | set(BUILTINS) | set(blocks))
        self.known_set = set(self.known)
        self.dropped = 0  # layers left out for their problems
        self.shared_args: dict[Any, dict[str, Any]] = {}  # arguments written alike, made once
        self.widths: dict[tuple[int, bool], Width] = {}  # likewise literal widths
        self.allowed: dict[str, dict[str, Arg]] = {}  # op -> its arguments by name
        self.required: dict[str, list[str]] = {}  # op -> the names of its required arguments

    def items(self, node: Node, scope: str, params: tuple[str, ...] = ()) -> list[Item]:
        if not node.is_list or not node.value:
            self.problems.add(node, f"'layers' of {scope} must be a non-empty list")
            return []
        read = [self.item(n, params) for n in node.value]
        items = [item for item in read if item is not None]
        self.dropped += len(read) - len(items)
        seen: set[str] = set()
        for item in items:  # the second use of a name is the one to change
            if item.name and item.name in seen:
                self.problems.add_at(
                    item.where, f"the name '{item.name}' is used twice in {scope} (names must be unique)"
                )
            elif item.name:
                seen.add(item.name)
        return items

    def width(self, channels: int, fixed: bool) -> Width:
        """A literal width, made once per value and rule."""
        width = self.widths.get((channels, fixed))
        if width is None:
            width = self.widths[channels, fixed] = Width(channels, "fixed" if fixed else "spec")
        return width

    def suggest(self, word: str) -> str:
        """A did-you-mean among ops and blocks first, then among the layer keys (name, input, ...)."""
        if word == "layers":  # the table forms' repeated group
            return " (in a graph spec, repeat a group of layers by making it a block: {blocks: {b: {layers: [...]}}})"
        return did_you_mean(word, self.known) or did_you_mean(word, list(META))

    def item(self, node: Node, params: tuple[str, ...]) -> Item | None:
        problems = self.problems
        keys = node.keys
        if keys is None:  # not a mapping: an operator's or a block's name alone
            if type(node.value) is not str:
                problems.add(node, "a layer is an op name (relu) or a mapping like {conv: {out: 64, k: 3}}")
                return None
            if node.value not in self.known_set:
                problems.add(node, f"unknown op or block '{node.value}'{did_you_mean(node.value, self.known)}")
                return None
            return self.with_args(node.value, None, node, params, {})
        ops, meta = [], {}
        for key, value in node.value.items():  # one op; the rest are layer keys (name, input, ...)
            if key not in META:
                ops.append(key)
            elif (
                type(text := value.value) is str
                and key in TEXT_KEYS
                and text.isprintable()
                and len(text) <= MAX_NAME
                and text.strip()
                and not (key == "name" and text in INPUT_NAMES)
            ):  # the common case
                meta[key] = text
            elif (checked := self._meta(key, value)) is not None:
                meta[key] = checked
        if len(ops) != 1:
            unknown = [k for k in ops if k not in self.known_set]
            for key in unknown:
                problems.add(keys[key], f"unknown op or block '{key}'{self.suggest(key)}")
            if not unknown:
                problems.add(node, f"a layer has exactly one op, this one has {len(ops)} ({', '.join(ops) or 'none'})")
            return None
        op = ops[0]
        if op not in self.known_set:
            problems.add(keys[op], f"unknown op or block '{op}'{self.suggest(op)}")
            return None
        if meta.get("fixed") and op not in REGISTRY:
            problems.add(
                keys["fixed"], f"'fixed' applies to one layer, not to the block '{op}' (mark the layers inside it)"
            )
        return self.with_args(op, node.value[op], keys[op], params, meta)

    def _meta(self, key: str, node: Node) -> Any:
        value = node.value
        if key in ("name", "input", "role"):
            if not (isinstance(value, str) and value.strip()):
                self.problems.add(
                    node, f"'{key}' must be a non-empty string" + (" (a layer name)" if key != "role" else "")
                )
            elif (why := name_problem(value)) is not None:
                self.problems.add(node, f"'{key}' {value[:MAX_NAME]!r}: {why}")
            elif key == "name" and value in INPUT_NAMES:
                self.problems.add(node, f"the layer name '{value}' is reserved for the network's input (rename it)")
            else:
                return value
        elif key == "repeat":
            if is_expression(value):  # from a variant's values, e.g. EfficientNet's ceil(3 * $d)
                try:
                    value = _plain_whole(evaluate(value, self.values))
                except ValueError as exc:
                    self.problems.add(node, f"'repeat' is computed from the spec's variant values only: {exc}")
                    return None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:  # the size check bounds it
                return value  # 0: the layer is left out (a variant's stage may have no more blocks)
            shown = f", got {value}" if node.value != value else ""
            self.problems.add(node, f"'repeat' must be a whole number >= 0{shown}")
        elif key == "fixed":
            if isinstance(value, bool):
                return value
            self.problems.add(node, "'fixed' must be true or false (true: alpha does not change this layer's width)")
        return None

    def with_args(
        self, op: str, node: Node | None, at: Node | Position, params: tuple[str, ...], meta: dict[str, Any]
    ) -> Item | None:
        problems = self.problems
        allowed = self.allowed.get(op)
        if allowed is None:
            allowed = self.allowed[op] = {a.name: a for a in arguments(op, self.blocks)}
            self.required[op] = [a.name for a in allowed.values() if a.required]
        written: dict[str, Node] = {}
        if node is not None and node.keys is not None:  # a mapping of arguments
            for key, kcell in node.keys.items():
                if key not in allowed:
                    hint = f"{op} takes {', '.join(allowed) or 'no arguments'}"
                    suggestion = (
                        f"; did you mean '{ALIASES[key]}'?"
                        if ALIASES.get(key) in allowed
                        else did_you_mean(key, list(allowed))
                    )
                    problems.add(kcell, f"unknown argument '{key}'{suggestion} ({hint})")
                else:
                    written[key] = node.value[key]
        elif node is None or node.value is None:
            pass
        elif (shorthand := REGISTRY[op].shorthand if op in REGISTRY else None) is not None:
            written[shorthand] = node
        elif "k" in allowed and allowed["k"].kind == "kernel" and node.value == "global":
            written["k"] = node
        else:
            example = ", ".join(f"{a}: ..." for a in list(allowed)[:2])
            problems.add(node, f"'{op}' takes a mapping of arguments, e.g. {op}: {{{example}}}")
            return None
        for name in self.required[op]:
            if name not in written:
                problems.add(node if node is not None and node.value is not None else at, f"'{op}' needs '{name}'")
                return None
        fixed = meta.get("fixed", False)
        args: dict[str, Any] = {}
        for key, value_node in written.items():
            arg = allowed[key]
            value = value_node.value
            if type(value) is int and 1 <= value <= MAX_WHOLE and arg.kind in WHOLE:  # the common case
                args[key] = self.width(value, fixed) if arg.kind == "width" else value
                continue
            value = self.value(value_node, params)
            if value is INVALID:  # already reported
                continue
            if type(value) is list:
                raw: Any = [v.raw if type(v) is Value else v for v in value]
            else:
                raw = value.raw if type(value) is Value else value
            whole = type(raw) is int and 1 <= raw <= MAX_WHOLE and arg.kind in WHOLE  # the common case
            if not whole and arg.kind != "any" and not is_expression(raw):
                kernel = written["k"].value if "k" in written else None
                message = kinds.problem(arg, raw, op, kernel)
                if message:
                    problems.add(value_node, message)
            if arg.kind == "width" and type(value) is not list:
                value = Width(value, "fixed" if fixed else "spec")
            args[key] = value
        builtin = BUILTINS.get(op)
        if builtin is not None and builtin.check is not None and (message := builtin.check(args)):
            problems.add(node if node is not None and node.value is not None else at, message)
            return None
        try:
            alike = tuple((name, type(value), value) for name, value in args.items())  # 1, 1.0 and true differ
            args = self.shared_args.setdefault(alike, args)  # layers written alike share them
        except TypeError:  # a list among them: not shared
            pass
        return Item(
            op,
            args,
            Location(problems.file, *at) if type(at) is tuple else problems.location(at),
            meta.get("name"),
            meta.get("input"),
            meta.get("repeat", 1),
            meta.get("role"),
        )

    def value(self, node: Node, params: tuple[str, ...]) -> Any:
        problems = self.problems
        if type(node.value) is int:  # the common case, first; checked against its kind by the caller
            return node.value
        if node.is_list:
            items = [self.value(v, params) for v in node.value]
            return INVALID if any(item is INVALID for item in items) else items
        if not node.is_scalar:
            problems.add(node, "expected a number, a name, or an expression like '$t * $in'")
            return INVALID
        if isinstance(node.value, str):
            names = [*list(params), *NAMES]
            unknown = [ref for ref in _REF.findall(node.value) if ref not in names]
            for ref in unknown:
                if ref == "block_in":
                    problems.add(node, "'$block_in' (the channels entering a block) is only known inside a block")
                    continue
                problems.add(
                    node,
                    f"unknown parameter '${ref}'{did_you_mean(ref, names)} "
                    f"(known: {', '.join('$' + n for n in names)})",
                )
            if is_expression(node.value) and not unknown and (message := _unreadable(node.value, tuple(names))):
                problems.add(node, message)
            return Value(node.value, problems.location(node))
        return node.value  # a flag, a float, null: checked against its kind by the caller
