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

`check` validates a spec statically (every problem, with its file:line:column); `expand` builds
the layers at one alpha / resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import MbcalcError, did_you_mean
from .expand import Builder
from .ir import Location
from .spec import Cell, Mapping, Sequence
from .width import make_divisible, truncate

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
        return Block(name, tuple(params), (), where(cell))
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
        return _with_args(op, None, node, node, problems, where, blocks, params)
    if not isinstance(node, Mapping):
        problems.add(node, "a layer is an op name (relu) or a mapping like {conv: {out: 64, k: 3}}")
        return None
    ops = [k for k in node.items if k not in META]
    if len(ops) != 1:
        unknown = [k for k in ops if k not in known]
        for key in unknown:
            problems.add(node.keys[key], f"unknown op or block '{key}'{did_you_mean(key, sorted(known) + list(META))}")
        if not unknown:
            problems.add(node, f"a layer has exactly one op, this one has {len(ops)} ({', '.join(ops) or 'none'})")
        return None
    op = ops[0]
    if op not in known:
        problems.add(node.keys[op], f"unknown op or block '{op}'{did_you_mean(op, sorted(known) + list(META))}")
        return None
    meta: dict[str, Any] = {}
    for key in META:
        if key in node.items and (value := _read_meta(key, node.items[key], problems)) is not None:
            meta[key] = value
    item = _with_args(op, node.items[op], node.keys[op], node, problems, where, blocks, params)
    if item is None:
        return None
    if meta.get("fixed") and (op in blocks or op in ("separable", "bottleneck", "bneck")):
        problems.add(node.keys["fixed"], f"'fixed' applies to one layer, not to the block '{op}' (mark the layers inside it)")
    return Item(item.op, item.args, item.where, meta.get("name"), meta.get("input"), meta.get("repeat", 1),
                meta.get("fixed", False), meta.get("role"))


def _read_meta(key: str, value: Any, problems) -> Any:
    if key in ("name", "input", "role"):
        if isinstance(value, Cell) and isinstance(value.value, str) and value.value:
            return value.value
        problems.add(value, f"'{key}' must be a layer name (a string)")
    elif key == "repeat":
        if isinstance(value, Cell) and isinstance(value.value, int) and not isinstance(value.value, bool) and value.value >= 1:
            return value.value
        problems.add(value, "'repeat' must be a whole number >= 1")
    elif key == "fixed":
        if isinstance(value, Cell) and isinstance(value.value, bool):
            return value.value
        problems.add(value, "'fixed' must be true or false (true: alpha does not change this layer's width)")
    return None


def _with_args(op: str, value: Any, at: Cell, node, problems, where, blocks, params) -> Item | None:
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
        if "$" in value.value and not unknown:
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


def _check_references(items, names: set[str], problems) -> None:
    """Every `input:` and merge input must name a layer above (so the graph has no cycle)."""
    names, counters = set(names), {}

    def refer(ref: Any, item: Item) -> None:
        if isinstance(ref, Value) and isinstance(ref.raw, str) and "$" not in ref.raw and ref.raw not in names:
            problems.add_at(ref.where, f"no layer above is named '{ref.raw}'{did_you_mean(ref.raw, sorted(names))} "
                                       f"(inputs name earlier layers: a later one would make a cycle)")

    for item in items:
        if item.input and item.input not in names:
            problems.add_at(item.where, f"no layer above is named '{item.input}'{did_you_mean(item.input, sorted(names))} "
                                        f"(inputs name earlier layers: a later one would make a cycle)")
        if item.op in ("add", "concat", "multiply"):
            refs = item.args.get("inputs")
            refs = refs if isinstance(refs, list) else [refs]
            for ref in refs:
                refer(ref, item)
            wanted = "two" if item.op == "multiply" else "two or more"
            if len(refs) < 2 or (item.op == "multiply" and len(refs) != 2):
                problems.add_at(item.where, f"'{item.op}' needs {wanted} inputs, e.g. {item.op}: [a, b]")
        for _ in range(item.repeat):
            counters[item.op] = counters.get(item.op, 0) + 1
            local = item.name if item.name and item.repeat == 1 else f"{item.name or item.op}{counters[item.op]}"
            names.add(local)
            if item.op == "split" and isinstance(item.args.get("parts"), Value) and isinstance(item.args["parts"].raw, int):
                names.update(f"{item.name or local}.{i}" for i in range(item.args["parts"].raw))
        if item.name:
            names.add(item.name)


def _check_block_cycles(blocks: dict[str, Block], problems) -> None:
    def uses(block: Block) -> set[str]:
        return {i.op for i in block.items if i.op in blocks}

    for name, block in blocks.items():
        seen, path = set(), [name]

        def visit(current: str) -> bool:
            for used in uses(blocks[current]):
                if used == name:
                    return True
                if used not in seen:
                    seen.add(used)
                    path.append(used)
                    if visit(used):
                        return True
                    path.pop()
            return False

        if visit(name):
            problems.add_at(block.where, f"block '{name}' uses itself ({' -> '.join(path + [name])}); blocks cannot form a cycle")


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


# --- expressions -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\d*\.\d+|\d+)|(\$[A-Za-z_]\w*)|(//|[-+*/()]))")


def evaluate(text: str, env: dict[str, float]) -> float:
    """A tiny, safe arithmetic evaluator: numbers, $names, + - * / // and parentheses."""
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read the expression '{text}' at '{text[pos:]}' (use numbers, $names, + - * / // and parentheses)")
        tokens.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
    index = 0

    def peek():
        return tokens[index] if index < len(tokens) else None

    def take():
        nonlocal index
        index += 1
        return tokens[index - 1] if index <= len(tokens) else None

    def atom() -> float:
        token = take() if peek() is not None else None
        if token is None:
            raise ValueError(f"the expression '{text}' ends too early")
        if token == "(":
            value = expr()
            if take() != ")":
                raise ValueError(f"unbalanced parentheses in '{text}'")
            return value
        if token == "-":
            return -atom()
        if token.startswith("$"):
            if token[1:] not in env:
                raise ValueError(f"unknown parameter '{token}' in '{text}'")
            return env[token[1:]]
        if token[0].isdigit() or token[0] == ".":
            return float(token) if "." in token else int(token)
        raise ValueError(f"unexpected '{token}' in '{text}'")

    def term() -> float:
        value = atom()
        while peek() in ("*", "/", "//"):
            op, right = take(), atom()
            if op != "*" and right == 0:
                raise ValueError(f"division by zero in '{text}'")
            value = value * right if op == "*" else value / right if op == "/" else value // right
        return value

    def expr() -> float:
        value = term()
        while peek() in ("+", "-"):
            op, right = take(), term()
            value = value + right if op == "+" else value - right
        return value

    result = expr()
    if index != len(tokens):
        raise ValueError(f"unexpected '{tokens[index]}' in '{text}'")
    return result


# --- expansion ---------------------------------------------------------------------------------


class Expander:
    """Walks the checked program at one alpha, appending layers to a Builder."""

    def __init__(self, program: Program, b: Builder, alpha: float, classes: int, profile):
        self.program, self.b, self.alpha, self.classes, self.profile = program, b, alpha, classes, profile
        self.count = 0

    def width(self, channels: int, fixed: bool) -> int:
        rule = self.program.width
        if fixed or rule["rule"] == "none" or self.alpha == 1.0:
            return channels
        if rule["rule"] == "make_divisible":
            return make_divisible(channels * self.alpha, rule.get("divisor", 8), rule.get("min"))
        return truncate(channels, self.alpha, rule.get("min", 1))

    def value(self, v: Any, env: dict[str, Any], kind: str = "int") -> Any:
        if isinstance(v, list):
            return [self.value(x, env, kind) for x in v]
        raw = v.raw if isinstance(v, Value) else v
        if isinstance(raw, str) and "$" in raw:
            if re.fullmatch(r"\$[A-Za-z_]\w*", raw.strip()) and not isinstance(env.get(raw.strip()[1:]), (int, float)):
                return env[raw.strip()[1:]]  # a non-numeric parameter (a name, a flag)
            numbers = {k: x for k, x in env.items() if isinstance(x, (int, float)) and not isinstance(x, bool)}
            try:
                raw = evaluate(raw, numbers)
            except ValueError as exc:
                raise MbcalcError(f"{v.where}: {exc}") from None
            if kind == "int":
                if raw != int(raw):
                    raise MbcalcError(f"{v.where}: '{v.raw}' gives {raw:g}, not a whole number (use // to round down)")
                raw = int(raw)
        if kind == "int" and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            where = v.where if isinstance(v, Value) else ""
            raise MbcalcError(f"{where}: expected a whole number, got '{raw}'")
        return raw

    def run(self, items, env: dict[str, Any], prefix: str, scope: dict[str, str], role: str, depth: int = 0) -> None:
        counters: dict[str, int] = {}
        for item in items:
            for _ in range(item.repeat):
                counters[item.op] = counters.get(item.op, 0) + 1
                local = item.name if item.name and item.repeat == 1 else f"{item.name or item.op}{counters[item.op]}"
                full = f"{prefix}{local}"
                self.b.location = item.where
                if item.input:
                    self.use(item.input, scope, item.where)
                env_here = {**env, "in": self.b.shape.channels, "classes": self.classes}
                if item.op in self.program.blocks:
                    block = self.program.blocks[item.op]
                    args = {p: self.value(item.args[p], env_here, "any") for p in block.params}
                    inner_scope = {"in": self.b.last}
                    inner_env = {**args, "block_in": self.b.shape.channels}
                    self.run(block.items, inner_env, f"{full}.", inner_scope, item.role or block.name, depth + 1)
                    self.b.role = item.role or role
                else:
                    self.b.role = item.role or role
                    self.op(item, full, env_here, scope)
                scope[local] = self.b.last
                if item.name:
                    scope[item.name] = self.b.last

    def use(self, name: str, scope: dict[str, str], where: Location) -> None:
        if name not in scope:
            known = [n for n in scope if not n.startswith("_")]
            raise MbcalcError(f"{where}: no earlier layer is named '{name}'{did_you_mean(name, known)} "
                              f"(inputs must name layers above this one)")
        target = scope[name]
        self.b.shape = self.b.output_of(target) if target != "input" else self.b.input_shape
        self.b.last = target

    def op(self, item: Item, name: str, env: dict[str, Any], scope: dict[str, str]) -> None:
        b, op, a = self.b, item.op, dict(OPS[item.op])
        a.update({k: self.value(v, env, "any") for k, v in item.args.items()})
        self.count += 1
        if self.count > MAX_LAYERS:
            raise MbcalcError(f"{item.where}: the spec expands past {MAX_LAYERS:,} layers")

        def integer(key: str) -> int:
            value = a[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < (0 if key == "p" else 1):
                raise MbcalcError(f"{item.where}: '{op}.{key}' must be a whole number, got '{value}'")
            return value

        def check_in(value) -> None:
            if value is not None and self.alpha == 1.0 and value != b.shape.channels:
                raise MbcalcError(f"{item.where}: '{op}' says in: {value} but its input has {b.shape.channels} "
                                  f"channels (fix 'in' or the layer before)")

        if op in ("conv", "pw"):
            check_in(a["in"])
            out = self.width(integer("out"), item.fixed)
            k = 1 if op == "pw" else integer("k")
            groups = 1 if op == "pw" else integer("groups")
            if b.shape.channels % groups or out % groups:
                raise MbcalcError(f"{item.where}: groups={groups} must divide the input ({b.shape.channels}) "
                                  f"and output ({out}) channels")
            p = a["p"] if op == "conv" else 0
            b.conv(name, out, k, 1 if op == "pw" else integer("s"), groups=groups, bias=bool(a["bias"]),
                   padding=p, dilation=1 if op == "pw" else integer("d"))
        elif op == "dw":
            b.depthwise(name, integer("k"), integer("s"), padding=a["p"], dilation=integer("d"), bias=bool(a["bias"]))
        elif op == "fc":
            check_in(a["in"])
            b.linear(name, self.width(integer("out"), item.fixed), bias=bool(a["bias"]))
        elif op in ACTIVATIONS:
            b.activation(name, op)
        elif op == "bn":
            b.batchnorm(name)
        elif op in ("flatten", "dropout"):
            b.reshape(name, op)
        elif op in ("maxpool", "avgpool"):
            kind = op[:3]
            if a["k"] == "global":
                b.global_pool(name, kind)
            else:
                k = integer("k")
                s = k if a["s"] is None else integer("s")
                b.pool(name, kind, k, s, a["p"], bool(a["ceil"]))
        elif op == "adaptive_avgpool":
            b.adaptive_pool(name, integer("out"))
        elif op in ("add", "concat", "multiply"):
            names = a["inputs"] if isinstance(a["inputs"], list) else [a["inputs"]]
            if len(names) < 2 or (op == "multiply" and len(names) != 2):
                raise MbcalcError(f"{item.where}: '{op}' needs {'two' if op != 'concat' else 'two or more'} "
                                  f"inputs, e.g. {op}: [a, b]")
            targets = []
            for ref in names:
                self.use(str(ref), scope, item.where)
                targets.append(self.b.last)
            b.merge(name, op, tuple(targets))
        elif op == "split":
            parts = integer("parts")
            source = b.last
            for i in range(parts):
                self.use_layer(source)
                b.split(f"{name}.{i}", parts, i)
                scope[f"{item.name or name.rsplit('.', 1)[-1]}.{i}"] = b.last
        elif op == "shuffle":
            b.shuffle(name, integer("groups"))
        else:  # the table forms' blocks, shared with forms.py
            from .forms import _bneck, _bottleneck_v2, _separable

            if op == "separable":
                _separable(b, name, self.width(integer("out"), item.fixed), integer("k"), integer("s"),
                           self.profile.v1.activation)
            elif op == "bottleneck":
                _bottleneck_v2(b, name, integer("t"), self.width(integer("out"), item.fixed), integer("s"))
            else:
                nl = {"HS": "hswish", "RE": "relu"}.get(a["nl"], a["nl"])
                _bneck(b, self.profile.v3, 1.0, name, integer("k"), integer("exp"), b.shape.channels,
                       self.width(integer("out"), item.fixed), bool(a["se"]), nl, integer("s"),
                       expanded=self.width(integer("exp"), item.fixed))

    def use_layer(self, target: str) -> None:
        self.b.shape = self.b.output_of(target) if target != "input" else self.b.input_shape
        self.b.last = target


def expand(program: Program, b: Builder, alpha: float, classes: int, profile) -> None:
    Expander(program, b, alpha, classes, profile).run(program.items, {}, "", {"in": "input", "input": "input"}, "body")

