"""The expansion pass: a validated program at one alpha, resolution and build profile -> `Network`.

One pass serves every form. It walks the items, resolves `$parameters` and expressions, widens
`Width`s under their rules, answers `Setting`s from the profile, routes `input:` references,
expands the spec's blocks and the built-in ones (lang/blocks.py), and appends each layer with the
shape its registry entry infers from all its inputs. Only what depends on the size can fail here
(a map that vanishes at a small resolution, merged shapes that differ), at the item's place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..bulk import no_gc
from ..errors import ArgumentError, MbcalcError, Problem, SpecError, did_you_mean
from ..ir import Config, Layer, Location, Network, Shape
from ..lang import args as kinds
from ..lang.blocks import BUILTINS
from ..lang.expr import evaluate, is_expression
from ..lang.program import Item, Namer, Setting, Spec, Value, Width
from ..ops import REGISTRY, Arg, Op, ShapeError, type_of
from ..read.checks import MAX_LAYERS
from .profiles import BuildProfile, get_profile
from .roles import UNTAGGED, infer_roles
from .widths import widen

MAX_FULL_NAME = 256  # characters in a layer's full name (its blocks' names, dotted)
_PARAM = re.compile(r"\$[A-Za-z_]\w*")


def build(spec: Spec, config: Config, profile: BuildProfile | None = None, shape: Shape | None = None) -> Network:
    """Expand `spec` at `config` into the layer IR (`profile` defaults to config.profile's; `shape`,
    the input, to config.size)."""
    profile = profile or get_profile(config.profile)
    classes = config.classes or profile.classes or spec.classes
    shape = shape or Shape(spec.input[2], *config.size)
    program = spec.program
    values = _width_values(spec, config.alpha)
    expansion = _Expansion(spec, config.alpha, profile, classes, shape)
    with no_gc():
        expansion.run(program.items, {**program.values, **values}, "", {"in": "input", "input": "input"}, UNTAGGED)
    notes = tuple(spec.notes)
    if spec.form == "graph" and config.alpha != 1.0:
        notes += (width_note(spec, config.alpha),)
    layers = tuple(expansion.layers)
    return Network(
        spec.name,
        spec.description,
        config,
        shape,
        infer_roles(layers) if spec.form == "graph" else layers,
        classes,
        spec.form,
        spec.counting.get("biases"),
        notes,
        spec.bundled,
    )


def _width_values(spec: Spec, alpha: float) -> Mapping[str, Any]:
    """The values a spec's widths table gives at `alpha`; an alpha the spec is not built at is refused."""
    widths = spec.program.widths
    if widths is None:
        return {}
    for width, values in widths.items():
        if abs(width - alpha) < 1e-9:
            return values
    shipped = ", ".join(_alpha(w) for w in widths)
    message = f"{spec.name} is built at widths {shipped} (those its implementation has), not at {_alpha(alpha)}"
    raise ArgumentError(f"alpha {_alpha(alpha)}: {message}", f"--alpha {_alpha(alpha)}: {message}")


def _alpha(alpha: float) -> str:
    """0.5 -> '0.5', 1.0 -> '1.0': widths as the papers print them."""
    text = f"{alpha:g}"
    return text if "." in text or "e" in text else f"{text}.0"


def width_note(spec: Spec, alpha: float) -> str:
    """Which width rule made this build's channels (a report says it for graph specs)."""
    program = spec.program
    if program.widths and any(program.widths.values()):
        return f"At alpha {alpha:g} the layers take the widths table's values for {alpha:g}."
    rule = program.width
    if rule.rule == "none":
        how = "keeps every layer's width (width rule none)"
    elif rule.rule == "make_divisible":
        how = f"rounds each width to make_divisible(c * {alpha:g}, {rule.divisor})"
    else:
        how = f"cuts each width to int(c * {alpha:g})" + (f", at least {rule.min}" if rule.min else "")
    default = "" if rule.stated or program.widths else " (no width rule is stated: the default)"
    return f"Alpha {alpha:g} {how}, except layers marked fixed{default}."


def _defaults(args: tuple[Arg, ...]) -> dict[str, Any]:
    return {arg.name: arg.default for arg in args if not arg.required}


class _Expansion:
    """Walks a program, appending layers; to a built-in block it is the `Emitter`."""

    def __init__(self, spec: Spec, alpha: float, profile: BuildProfile, classes: int, shape: Shape):
        self.program, self.alpha, self.profile, self.classes = spec.program, alpha, profile, classes
        self.layers: list[Layer] = []
        self.shapes: dict[str, Shape] = {"input": shape}
        self.last = "input"
        self.where: Location | None = None
        self.row: str | None = None
        self.made: dict[Any, list[tuple[Any, ...]]] = {}  # see _emit
        self.literals: dict[int, bool] = {}  # id of an item's arguments -> all literal
        self.alike: dict[tuple[str, int, Shape], list[tuple[Any, ...]]] = {}  # see operator
        self.block_defaults = {name: _defaults(block.args) for name, block in BUILTINS.items()}
        self.defaults = {name: _defaults(op.args) for name, op in REGISTRY.items()}

    # --- the Emitter ---------------------------------------------------------------------------

    @property
    def channels(self) -> int:
        return self.shapes[self.last].channels

    def op(self, op: str, name: str, role: str, *, inputs: tuple[str, ...] | None = None, **args: Any) -> str:
        return self._emit(REGISTRY[op], name, role, inputs or (self.last,), args)[-1]

    def width(self, width: Width | int) -> int:
        if isinstance(width, int):
            return width
        if width is None:
            raise self.error("this block needs 'out' (its output channels) here")
        return widen(
            width.nominal if isinstance(width.nominal, int) else self.value(width.nominal, {}),
            width.rule,
            width.per,
            self.alpha,
            self.channels,
            self.profile,
            self.program.width,
        )

    def setting(self, key: str) -> Any:
        return self.profile.setting(key)

    # --- appending layers ----------------------------------------------------------------------

    def error(self, message: str, where: Location | None = None) -> MbcalcError:
        where = where or self.where
        return SpecError([Problem(where.file, where.line, where.column, message)]) if where else MbcalcError(message)

    def _emit(self, op: Op, name: str, role: str, inputs: tuple[str, ...], args: dict[str, Any]) -> list[str]:
        shapes = (self.shapes[inputs[0]],) if len(inputs) == 1 else tuple(self.shapes[i] for i in inputs)
        try:  # a layer like one made before (same operator, arguments and input shapes) is the same
            key: Any = (op.name, shapes, tuple(args.items()))
            made = self.made.get(key)
        except TypeError:  # a list among the arguments
            key = made = None
        if made is None:
            made = self._make(op, name, shapes, args)
            if key is not None:
                self.made[key] = made
        return self._append(op, name, role, inputs, made)

    def _append(self, op: Op, name: str, role: str, inputs: tuple[str, ...], made: list[tuple[Any, ...]]) -> list[str]:
        if len(self.layers) + len(made) > MAX_LAYERS:
            raise self.error(f"the spec expands past {MAX_LAYERS:,} layers")
        names = []
        for suffix, attrs, output, kind, same_shapes in made:  # the shapes of the first layer alike, shared
            layer_name = name + suffix if suffix else name
            self.layers.append(
                Layer(layer_name, op.name, attrs, inputs, same_shapes, output, kind, role, self.where, self.row)
            )
            self.shapes[layer_name] = output
            names.append(layer_name)
        self.last = names[-1]
        return names

    def _make(self, op: Op, name: str, shapes: tuple[Shape, ...], args: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Each layer an operator makes: (name suffix, attributes, output shape, breakdown type, input shapes)."""
        full = {**self.defaults[op.name], **args}
        for arg in op.args:
            if full.get(arg.name) is not None:
                full[arg.name] = kinds.normal(arg, full[arg.name])
        attrs = op.attrs(full, shapes)
        if op.parts and len(self.layers) + attrs[op.parts] > MAX_LAYERS:  # before making them
            raise self.error(f"the spec expands past {MAX_LAYERS:,} layers")
        made = []
        for suffix, instance in op.instances(attrs):
            try:
                output = op.infer(name + suffix, instance, shapes)
            except ShapeError as exc:
                raise self.error(str(exc)) from None
            if output.channels < 1:
                raise self.error(f"layer '{name + suffix}' would have no channels; use a larger alpha")
            made.append((suffix, MappingProxyType(instance), output, type_of(op, instance, shapes, output), shapes))
        return made

    # --- walking the program -------------------------------------------------------------------

    def run(self, items: tuple[Item, ...], env: dict[str, Any], prefix: str, scope: dict[str, str], role: str) -> None:
        namer = Namer(items)
        blocks = self.program.blocks
        for item in items:
            for _ in range(item.repeat):
                local = namer.next(item)
                full = f"{prefix}{local}"
                self.where, self.row = item.where, item.row
                if item.input:
                    self.use(item.input, scope)
                if item.op in blocks:
                    block = blocks[item.op]
                    params = {p: self.value(item.args[p], env) for p in block.params}
                    inner = {**params, "block_in": self.channels}  # a block sees only its parameters
                    if len(full) > MAX_FULL_NAME:  # names join block by block: bound what a layer's name costs
                        raise MbcalcError(
                            f"{item.where}: the layer names inside '{full[:40]}...' pass {MAX_FULL_NAME} "
                            f"characters (blocks nest their names: shorten them)"
                        )
                    self.run(block.items, inner, f"{full}.", {"in": self.last}, item.role or block.name)
                elif item.op in BUILTINS:
                    builtin = BUILTINS[item.op]
                    args = {**self.block_defaults[item.op], **self.arguments(builtin.args, item, env, widths=False)}
                    normal = {
                        a.name: kinds.normal(a, args[a.name]) if args[a.name] is not None else None
                        for a in builtin.args
                        if a.name in args
                    }
                    builtin.build(self, full, normal, item.role or role)
                else:
                    self.operator(item, full, local, env, scope, item.role or role)
                scope[local] = self.last
                if item.name:
                    scope[item.name] = self.last

    def operator(
        self, item: Item, name: str, local: str, env: dict[str, Any], scope: dict[str, str], role: str
    ) -> None:
        op = REGISTRY[item.op]
        if not op.merges and self.literal(item.args):
            # Arguments written alike share one dict (the reader's); all literal, they make the same
            # layers from the same input: made once (a long stack of equal layers).
            shape = self.shapes[self.last]
            key = (op.name, id(item.args), shape)
            made = self.alike.get(key)
            if made is None:
                args = self.arguments(op.args, item, env, widths=True)
                self.check_in(item, args.pop("in", None))
                made = self.alike[key] = self._make(op, name, (shape,), args)
            names = self._append(op, name, role, (self.last,), made)
        else:
            args = self.arguments(op.args, item, env, widths=True)
            self.check_in(item, args.pop("in", None))
            inputs: tuple[str, ...] = (self.last,)
            if op.merges:
                refs = args.pop("inputs")
                if not op.takes(len(refs)):
                    raise self.error(f"'{item.op}' needs {op.inputs_needed()} inputs, e.g. {op.example}")
                inputs = tuple(self.use(str(ref), scope) for ref in refs)
            names = self._emit(op, name, role, inputs, args)
        if op.parts:  # its parts are NAME.0, NAME.1, ... in this scope
            base = item.name or local
            for part in names:
                scope[f"{base}{part[len(name) :]}"] = part

    def check_in(self, item: Item, expected: int | None) -> None:
        """An `in:` check holds at alpha 1 (the channels the spec expects its input to have)."""
        if expected is not None and self.alpha == 1.0 and expected != self.channels:
            raise self.error(
                f"'{item.op}' says in: {expected} but its input has {self.channels} channels "
                f"(fix 'in' or the layer before)"
            )

    def literal(self, given: Mapping[str, Any]) -> bool:
        """Whether an item's arguments are all literals (no parameter, expression or setting)."""
        literal = self.literals.get(id(given))
        if literal is None:
            literal = self.literals[id(given)] = all(
                type(v) is not Value
                and type(v) is not Setting
                and type(v) is not list
                and (type(v) is not Width or type(v.nominal) is not Value)
                for v in given.values()
            )
        return literal

    def use(self, name: str, scope: dict[str, str]) -> str:
        if name not in scope:
            known = [n for n in scope if not n.startswith("_")]
            raise self.error(
                f"no earlier layer is named '{name}'{did_you_mean(name, known)} "
                f"(inputs must name layers above this one)"
            )
        self.last = scope[name]
        return self.last

    # --- values --------------------------------------------------------------------------------

    def arguments(self, args: tuple[Arg, ...], item: Item, env: dict[str, Any], widths: bool) -> dict[str, Any]:
        """An item's arguments at this build. Widths become channels, or (for a built-in block, which
        widens them itself) Widths whose channels at alpha 1 are evaluated. Literals were checked when
        the spec was read; values from parameters and expressions are checked here."""
        out: dict[str, Any] = {}
        given = item.args
        for arg in args:
            written = given.get(arg.name)
            if written is None:
                continue
            kind = type(written)
            if kind is Width:
                nominal = written.nominal
                if type(nominal) is Value:
                    nominal = self.checked(arg, nominal, env, item.op)
                if widths:
                    out[arg.name] = widen(
                        nominal, written.rule, written.per, self.alpha, self.channels, self.profile, self.program.width
                    )
                else:
                    out[arg.name] = Width(nominal, written.rule, written.per)
            elif kind is Value:
                kernel = out.get("k") if type(out.get("k")) is int else None
                out[arg.name] = self.checked(arg, written, env, item.op, kernel)
            elif kind is Setting:
                out[arg.name] = self.setting(written.key)
            elif kind is list:
                out[arg.name] = [self.value(v, env) for v in written]
            else:  # a literal, checked when the spec was read
                out[arg.name] = written
        return out

    def checked(self, arg: Arg, written: Value, env: dict[str, Any], owner: str, kernel: Any = None) -> Any:
        value = self.value(written, env)
        if value is not written.raw:  # from a parameter or an expression: not seen by the reader
            message = kinds.problem(arg, value, owner, kernel)
            if message:
                raise self.error(message, written.where)
        return value

    def value(self, v: Any, env: dict[str, Any]) -> Any:
        if type(v) is not Value:
            return v  # a literal
        raw = v.raw
        if type(raw) is not str or not is_expression(raw):
            return raw
        text = raw.strip()
        env = {**env, "in": self.channels, "classes": self.classes, "alpha": self.alpha}  # $in: entering the item
        if _PARAM.fullmatch(text) and text[1:] in env:
            return env[text[1:]]  # a parameter alone: its value, whatever it is (its kind is checked where used)
        try:
            result = evaluate(raw, env)
        except (ValueError, OverflowError) as exc:
            raise self.error(str(exc), v.where) from None
        if isinstance(result, float) and not math.isfinite(result):
            raise self.error(f"'{raw}' gives {result}, not a whole number", v.where)
        if result != int(result):
            shown = f"{result:g}" if isinstance(result, float) else str(result)
            raise self.error(f"'{raw}' gives {shown}, not a whole number (use // or floor, ceil, round)", v.where)
        return int(result)
