"""`form: graph`: any network as a list of layers, named blocks with parameters, and branches.

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

A layer reads the previous layer unless `input:` names another (a DAG: branches merge with
`add`, `concat` or `multiply`). The built-in blocks `separable`, `bottleneck` and `bneck` are the
same builders the V1/V2/V3 table forms use. docs/spec-format.md documents every key.

`check` validates a spec statically (every problem, with its file:line:column);
graph_expand.py builds the layers at one alpha / resolution; expr.py evaluates `$expressions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import did_you_mean
from .expr import evaluate, is_expression
from .ir import Location
from .spec import Cell, Mapping, Sequence

MAX_LAYERS = 1_000_000  # a spec that would expand past this many layers is refused
MAX_DEPTH = 50  # blocks inside blocks

ACTIVATIONS = ("relu", "relu6", "hswish", "hsigmoid", "sigmoid", "swish", "softmax")
PLAIN = ACTIVATIONS + ("bn", "flatten", "dropout")
OPS: dict[str, dict[str, Any]] = {  # op -> {arg: default}; REQUIRED marks a required arg
    "conv": {"out": "REQUIRED", "k": "REQUIRED", "s": 1, "p": "same", "d": 1, "groups": 1, "bias": False, "in": None},
    "dw": {"k": "REQUIRED", "s": 1, "p": "same", "d": 1, "bias": False},
    "pw": {"out": "REQUIRED", "bias": False, "in": None},
    "fc": {"out": "REQUIRED", "bias": True, "in": None},
    "maxpool": {"k": "REQUIRED", "s": None, "p": 0, "ceil": False},
    "avgpool": {"k": "REQUIRED", "s": None, "p": 0, "ceil": False},
    "adaptive_avgpool": {"out": "REQUIRED"},
    "add": {"inputs": "REQUIRED"},
    "concat": {"inputs": "REQUIRED"},
    "multiply": {"inputs": "REQUIRED"},
    "split": {"parts": "REQUIRED"},
    "shuffle": {"groups": "REQUIRED"},
    **{op: {} for op in PLAIN},
    # the table forms' blocks
    "separable": {"out": "REQUIRED", "k": 3, "s": 1},
    "bottleneck": {"t": "REQUIRED", "out": "REQUIRED", "s": 1},
    "bneck": {"k": "REQUIRED", "exp": "REQUIRED", "out": "REQUIRED", "se": False, "nl": "relu", "s": 1},
}
SHORTHAND = {"add": "inputs", "concat": "inputs", "multiply": "inputs", "split": "parts", "shuffle": "groups",
             "adaptive_avgpool": "out"}
META = ("name", "input", "repeat", "fixed", "role")
BUILTIN_SIZE = {"separable": 6, "bottleneck": 9, "bneck": 16}  # layers a table-form block adds, at most
ALIASES = {"stride": "s", "kernel": "k", "kernel_size": "k", "padding": "p", "dilation": "d", "filters": "out",
           "channels": "out", "out_channels": "out", "use_bias": "bias", "ceil_mode": "ceil"}
WIDTH_RULES = ("truncate", "make_divisible", "none")


# --- the checked program -----------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One layer entry: an op (or a block use) with its arguments, where it stands in the file."""

    op: str
    args: dict[str, Any]
    where: Location
    name: str | None = None
    input: str | None = None
    repeat: int = 1
    fixed: bool = False
    role: str | None = None


@dataclass(frozen=True)
class Block:
    name: str
    params: tuple[str, ...]
    items: tuple[Item, ...]
    where: Location


@dataclass(frozen=True)
class Program:
    items: tuple[Item, ...]
    blocks: dict[str, Block]
    width: dict[str, Any] = field(default_factory=dict)


# --- static checks: structure, keys, types, names, block cycles, size --------------------------


def check(layers: Any, blocks: Any, width: Any, problems) -> Program:
    """Read the graph parts of a spec, reporting every problem via `problems`."""
    file = problems.file

    def where(node) -> Location:
        return Location(file, node.line, node.column)

    rules = _read_width(width, problems)
    defined: dict[str, Block] = {}
    if blocks is not None and not isinstance(blocks, Mapping):
        problems.add(blocks, "'blocks' must be a mapping of block name -> {params: [...], layers: [...]}")
    elif blocks is not None:
        for name, cell in blocks.keys.items():  # first every block's name and parameters ...
            if name in OPS:
                problems.add(cell, f"block name '{name}' is a built-in op; choose another name")
                continue
            defined[name] = _read_block(name, blocks.items[name], cell, problems, where)
    known = set(OPS) | set(defined)
    for name, block in list(defined.items()):  # ... then their layers, which may use any block
        body = blocks.items[name]
        if isinstance(body, Mapping) and "layers" in body.items:
            items = _read_items(body.items["layers"], known, defined, problems, where, f"block '{name}'",
                                block.params + ("block_in",))
            defined[name] = Block(name, block.params, tuple(items), block.where)
    program_items = _read_items(layers, known, defined, problems, where, scope="layers")
    _check_block_cycles(defined, problems)
    if problems.items:
        return Program(tuple(program_items), defined, rules)
    deepest = max((_nesting(name, defined, {}) for name in defined), default=0)
    if deepest > MAX_DEPTH:
        problems.add(layers, f"blocks are nested more than {MAX_DEPTH} deep (flatten some of them)")
        return Program(tuple(program_items), defined, rules)
    size = _expanded_size(program_items, defined)  # before anything walks the repeats
    if size > MAX_LAYERS:
        problems.add(layers, f"the spec would expand to about {size:,} layers, past the limit of "
                             f"{MAX_LAYERS:,} (check the 'repeat' counts)")
        return Program(tuple(program_items), defined, rules)
    for block in defined.values():
        _check_references(block.items, {"in"}, problems)
    _check_references(program_items, {"in", "input"}, problems)
    return Program(tuple(program_items), defined, rules)


def _read_width(value: Any, problems) -> dict[str, Any]:
    if value is None:
        return {"rule": "truncate"}
    if not isinstance(value, Mapping):
        problems.add(value, "'width' must be a mapping, e.g. {rule: make_divisible, divisor: 8}")
        return {"rule": "truncate"}
    out: dict[str, Any] = {"rule": "truncate"}
    for key, cell in value.keys.items():
        item = value.items[key]
        if key == "rule":
            if not isinstance(item, Cell) or item.value not in WIDTH_RULES:
                problems.add(item, f"'width.rule' must be one of {', '.join(WIDTH_RULES)}")
            else:
                out["rule"] = item.value
        elif key in ("divisor", "min"):
            if not isinstance(item, Cell) or isinstance(item.value, bool) or not isinstance(item.value, int) or item.value < 1:
                problems.add(item, f"'width.{key}' must be a whole number >= 1")
            else:
                out[key] = item.value
        else:
            problems.add(cell, f"unknown key '{key}'{did_you_mean(key, ['rule', 'divisor', 'min'])} (width keys: rule, divisor, min)")
    return out


def _read_block(name: str, value: Any, cell: Cell, problems, where) -> Block:
    if not isinstance(value, Mapping):
        problems.add(value if value is not None else cell, f"block '{name}' must be a mapping with 'params' and 'layers'")
        return Block(name, (), (), where(cell))
    for key, kcell in value.keys.items():
        if key not in ("params", "layers"):
            problems.add(kcell, f"unknown key '{key}'{did_you_mean(key, ['params', 'layers'])} (a block has params and layers)")
    params: list[str] = []
    raw = value.items.get("params")
    if raw is not None:
        if not isinstance(raw, Sequence) or not all(isinstance(c, Cell) and isinstance(c.value, str) for c in raw.items):
            problems.add(raw, f"'params' of block '{name}' must be a list of names, e.g. [squeeze, expand]")
        else:
            params = [c.value for c in raw.items]
    if "layers" not in value.items:
        problems.add(value, f"block '{name}' needs 'layers'")
    return Block(name, tuple(params), (), where(cell))  # its layers are read once every block is known


def _read_items(value: Any, known: set[str], blocks: dict[str, Block], problems, where, scope: str,
                params: tuple[str, ...] = ()) -> list[Item]:
    if not isinstance(value, Sequence) or not value.items:
        problems.add(value, f"'layers' of {scope} must be a non-empty list")
        return []
    items = []
    for node in value.items:
        item = _read_item(node, known, blocks, problems, where, params)
        if item is not None:
            items.append(item)
    names = [i.name for i in items if i.name]
    for item in items:
        if item.name and names.count(item.name) > 1:
            problems.add_at(item.where, f"the name '{item.name}' is used twice in {scope} (names must be unique)")
            names = [n for n in names if n != item.name]
    return items


def _read_item(node: Any, known: set[str], blocks: dict[str, Block], problems, where, params) -> Item | None:
    if isinstance(node, Cell) and isinstance(node.value, str):
        op = node.value
        if op not in known:
            problems.add(node, f"unknown op or block '{op}'{did_you_mean(op, sorted(known))}")
            return None
        return _with_args(op, None, node, problems, where, blocks, params)
    if not isinstance(node, Mapping):
        problems.add(node, "a layer is an op name (relu) or a mapping like {conv: {out: 64, k: 3}}")
        return None
    ops = [k for k in node.items if k not in META]
    if len(ops) != 1:
        unknown = [k for k in ops if k not in known]
        for key in unknown:
            problems.add(node.keys[key], f"unknown op or block '{key}'{_suggest(key, known)}")
        if not unknown:
            problems.add(node, f"a layer has exactly one op, this one has {len(ops)} ({', '.join(ops) or 'none'})")
        return None
    op = ops[0]
    if op not in known:
        problems.add(node.keys[op], f"unknown op or block '{op}'{_suggest(op, known)}")
        return None
    meta: dict[str, Any] = {}
    for key in META:
        if key in node.items and (value := _read_meta(key, node.items[key], problems)) is not None:
            meta[key] = value
    item = _with_args(op, node.items[op], node.keys[op], problems, where, blocks, params)
    if item is None:
        return None
    if meta.get("fixed") and (op in blocks or op in ("separable", "bottleneck", "bneck")):
        problems.add(node.keys["fixed"], f"'fixed' applies to one layer, not to the block '{op}' (mark the layers inside it)")
    return Item(item.op, item.args, item.where, meta.get("name"), meta.get("input"), meta.get("repeat", 1),
                meta.get("fixed", False), meta.get("role"))


def _suggest(word: str, known: set[str]) -> str:
    """A did-you-mean among ops and blocks first, then among the layer keys (name, input, ...)."""
    return did_you_mean(word, sorted(known)) or did_you_mean(word, list(META))


def _read_meta(key: str, value: Any, problems) -> Any:
    if key in ("name", "input", "role"):
        if isinstance(value, Cell) and isinstance(value.value, str) and value.value:
            return value.value
        problems.add(value, f"'{key}' must be a non-empty string" + (" (a layer name)" if key != "role" else ""))
    elif key == "repeat":
        if isinstance(value, Cell) and isinstance(value.value, int) and not isinstance(value.value, bool) and value.value >= 1:
            return value.value
        problems.add(value, "'repeat' must be a whole number >= 1")
    elif key == "fixed":
        if isinstance(value, Cell) and isinstance(value.value, bool):
            return value.value
        problems.add(value, "'fixed' must be true or false (true: alpha does not change this layer's width)")
    return None


def _with_args(op: str, value: Any, at: Cell, problems, where, blocks, params) -> Item | None:
    spec = blocks[op] if op in blocks else None
    allowed = {p: "REQUIRED" for p in spec.params} if spec else OPS[op]
    args: dict[str, Any] = {}
    if isinstance(value, Mapping):
        for key, kcell in value.keys.items():
            if key not in allowed:
                hint = f"{op} takes {', '.join(allowed) or 'no arguments'}"
                suggestion = (f"; did you mean '{ALIASES[key]}'?" if ALIASES.get(key) in allowed
                              else did_you_mean(key, list(allowed)))
                problems.add(kcell, f"unknown argument '{key}'{suggestion} ({hint})")
            else:
                args[key] = _read_value(value.items[key], problems, params)
    elif value is None or (isinstance(value, Cell) and value.value is None):
        pass
    elif op in SHORTHAND:
        args[SHORTHAND[op]] = _read_value(value, problems, params)
    elif op in ("maxpool", "avgpool") and isinstance(value, Cell) and value.value == "global":
        args["k"] = "global"
    else:
        problems.add(value, f"'{op}' takes a mapping of arguments, e.g. {op}: {{{', '.join(f'{a}: ...' for a in list(allowed)[:2])}}}")
        return None
    for arg, default in allowed.items():
        if default == "REQUIRED" and arg not in args:
            problems.add(value if isinstance(value, (Mapping, Cell)) and not isinstance(value, str) else at,
                         f"'{op}' needs '{arg}'")
            return None
    return Item(op, args, where(at))


_REF = re.compile(r"\$([A-Za-z_]\w*)")


def _read_value(value: Any, problems, params: tuple[str, ...]) -> Any:
    if isinstance(value, Sequence):
        return [_read_value(v, problems, params) for v in value.items]
    if not isinstance(value, Cell):
        problems.add(value, "expected a number, a name, or an expression like '$t * $in'")
        return None
    if isinstance(value.value, str):
        unknown = [ref for ref in _REF.findall(value.value) if ref not in params and ref not in ("in", "classes")]
        for ref in unknown:
            names = list(params) + ["in", "classes"]
            if ref == "block_in":
                problems.add(value, "'$block_in' (the channels entering a block) is only known inside a block")
                continue
            problems.add(value, f"unknown parameter '${ref}'{did_you_mean(ref, names)} (known: {', '.join('$' + n for n in names)})")
        if is_expression(value.value) and not unknown:
            try:
                evaluate(value.value, {n: 1 for n in list(params) + ["in", "classes"]})
            except ValueError as exc:
                problems.add(value, str(exc))
    return Value(value.value, Location(problems.file, value.line, value.column))


@dataclass(frozen=True)
class Value:
    """A literal or an expression ('$expand', '$t * $in'), with its place for later errors."""

    raw: Any
    where: Location


class Namer:
    """The names layers take in one scope: a layer's `name`, else op1, op2, ... (name1, name2, ...
    when a named layer repeats), never one that another layer of the scope has or declares."""

    def __init__(self, items):
        self.reserved = {item.name for item in items if item.name}
        self.taken: set[str] = set()
        self.counters: dict[str, int] = {}

    def next(self, item: Item) -> str:
        if item.name and item.repeat == 1:
            local = item.name
        else:
            base = item.name or item.op
            while True:
                self.counters[base] = self.counters.get(base, 0) + 1
                local = f"{base}{self.counters[base]}"
                if local not in self.reserved and local not in self.taken:
                    break
        self.taken.add(local)
        return local


def _check_references(items, names: set[str], problems) -> None:
    """Every `input:` and merge input must name a layer above (so the graph has no cycle)."""
    names, namer, splits = set(names), Namer(items), set()

    def known(ref: str) -> bool:
        return ref in names or ref.rpartition(".")[0] in splits  # a part of a split whose count is a $param

    def refer(ref: Any) -> None:
        if isinstance(ref, Value) and isinstance(ref.raw, str) and "$" not in ref.raw and not known(ref.raw):
            problems.add_at(ref.where, f"no layer above is named '{ref.raw}'{did_you_mean(ref.raw, sorted(names))} "
                                       f"(inputs name earlier layers: a later one would make a cycle)")

    for item in items:
        if item.input and not known(item.input):
            problems.add_at(item.where, f"no layer above is named '{item.input}'{did_you_mean(item.input, sorted(names))} "
                                        f"(inputs name earlier layers: a later one would make a cycle)")
        if item.op in ("add", "concat", "multiply"):
            refs = item.args.get("inputs")
            refs = refs if isinstance(refs, list) else [refs]
            for ref in refs:
                refer(ref)
            wanted = "two" if item.op == "multiply" else "two or more"
            if len(refs) < 2 or (item.op == "multiply" and len(refs) != 2):
                problems.add_at(item.where, f"'{item.op}' needs {wanted} inputs, e.g. {item.op}: [a, b]")
        for _ in range(item.repeat):
            local = namer.next(item)
            names.add(local)
            if item.op == "split":
                parts = item.args.get("parts")
                if isinstance(parts, Value) and isinstance(parts.raw, int) and not isinstance(parts.raw, bool):
                    names.update(f"{item.name or local}.{i}" for i in range(parts.raw))
                else:
                    splits.add(item.name or local)
        if item.name:
            names.add(item.name)


def _check_block_cycles(blocks: dict[str, Block], problems) -> None:
    for name, block in blocks.items():
        path = _cycle(name, name, blocks, set())
        if path:
            problems.add_at(block.where, f"block '{name}' uses itself ({' -> '.join([name] + path)}); "
                                         f"blocks cannot form a cycle")


def _cycle(start: str, current: str, blocks: dict[str, Block], seen: set[str], depth: int = 1) -> list[str]:
    """The blocks leading from `current` back to `start` (depth first, in file order), or [].

    A path longer than MAX_DEPTH is not followed: the nesting check reports such a spec.
    """
    if depth > MAX_DEPTH:
        return []
    for used in dict.fromkeys(i.op for i in blocks[current].items if i.op in blocks):
        if used == start:
            return [used]
        if used not in seen:
            seen.add(used)
            rest = _cycle(start, used, blocks, seen, depth + 1)
            if rest:
                return [used] + rest
    return []


def _nesting(name: str, blocks: dict[str, Block], known: dict[str, int], depth: int = 1) -> int:
    """How deep blocks nest below `name` (1 for a block of plain ops), counted up to MAX_DEPTH + 1."""
    if depth > MAX_DEPTH:
        return 1
    if name not in known:
        inner = [_nesting(i.op, blocks, known, depth + 1) for i in blocks[name].items if i.op in blocks]
        known[name] = 1 + max(inner, default=0)
    return known[name]


def _expanded_size(items: tuple[Item, ...] | list[Item], blocks: dict[str, Block], depth: int = 0,
                   known: dict[str, int] | None = None) -> int:
    """How many layers the items expand to (an upper bound), without expanding them."""
    known = {} if known is None else known  # block name -> its size, so nested blocks cost linear time
    if depth > MAX_DEPTH:
        return MAX_LAYERS + 1
    total = 0
    for item in items:
        if item.op in blocks:
            if item.op not in known:
                known[item.op] = _expanded_size(blocks[item.op].items, blocks, depth + 1, known)
            per = known[item.op]
        else:
            per = BUILTIN_SIZE.get(item.op, 1)
        total += item.repeat * per
        if total > MAX_LAYERS:
            return total
    return total
