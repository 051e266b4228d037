"""Expansion of a checked `form: graph` program into layers, at one alpha / resolution.

Walks the items with a `Builder`: resolves `$parameters` and expressions, widens `out` under the
spec's width rule (unless `fixed`), routes `input:` references, and expands blocks recursively.
Problems that depend on sizes (a vanishing map, mismatched merges, a wrong `in:`) surface here,
with the file:line:column of the layer.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import MbcalcError, did_you_mean
from .expand import Builder
from .expr import evaluate, is_expression
from .graph import ACTIVATIONS, MAX_LAYERS, OPS, Item, Namer, Program, Value
from .ir import Location
from .width import make_divisible, truncate

class Expander:
    """Walks the checked program at one alpha, appending layers to a Builder."""

    def __init__(self, program: Program, b: Builder, alpha: float, classes: int, profile):
        self.program, self.b, self.alpha, self.classes, self.profile = program, b, alpha, classes, profile
        self.count = 0

    def width(self, channels: int, fixed: bool) -> int:
        rule = self.program.width
        if fixed or rule["rule"] == "none":
            return channels
        if rule["rule"] == "make_divisible":
            return make_divisible(channels * self.alpha, rule.get("divisor", 8), rule.get("min"))
        return truncate(channels, self.alpha, rule.get("min", 1))

    def value(self, v: Any, env: dict[str, Any], kind: str = "int") -> Any:
        if isinstance(v, list):
            return [self.value(x, env, kind) for x in v]
        raw = v.raw if isinstance(v, Value) else v
        if is_expression(raw):
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

    def run(self, items, env: dict[str, Any], prefix: str, scope: dict[str, str], role: str) -> None:
        namer = Namer(items)
        for item in items:
            for _ in range(item.repeat):
                local = namer.next(item)
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
                    self.run(block.items, inner_env, f"{full}.", inner_scope, item.role or block.name)
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
        self.b.shape = self.b.output_of(target)
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

        def flag(key: str) -> bool:
            if not isinstance(a[key], bool):
                raise MbcalcError(f"{item.where}: '{op}.{key}' must be true or false, got '{a[key]}'")
            return a[key]

        def padding(kernel: int, pool: bool = False) -> str | int:
            p = a["p"]
            if p in ("same", "valid") and not pool:
                return p
            if isinstance(p, bool) or not isinstance(p, int) or p < 0 or (pool and p > kernel // 2):
                allowed = f"a whole number from 0 to {kernel // 2}" if pool else "same, valid or a whole number >= 0"
                raise MbcalcError(f"{item.where}: '{op}.p' must be {allowed}, got '{p}'")
            return p

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
            p = padding(k) if op == "conv" else 0
            b.conv(name, out, k, 1 if op == "pw" else integer("s"), groups=groups, bias=flag("bias"),
                   padding=p, dilation=1 if op == "pw" else integer("d"))
        elif op == "dw":
            k = integer("k")
            b.depthwise(name, k, integer("s"), padding=padding(k), dilation=integer("d"), bias=flag("bias"))
        elif op == "fc":
            check_in(a["in"])
            b.linear(name, self.width(integer("out"), item.fixed), bias=flag("bias"))
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
                b.pool(name, kind, k, s, padding(k, pool=True), flag("ceil"))
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
                if nl not in ("hswish", "relu"):
                    raise MbcalcError(f"{item.where}: 'bneck.nl' must be relu or hswish (RE or HS), got '{a['nl']}'")
                _bneck(b, self.profile.v3, 1.0, name, integer("k"), integer("exp"), b.shape.channels,
                       self.width(integer("out"), item.fixed), flag("se"), nl, integer("s"),
                       expanded=self.width(integer("exp"), item.fixed))

    def use_layer(self, target: str) -> None:
        self.b.shape = self.b.output_of(target)
        self.b.last = target


def expand(program: Program, b: Builder, alpha: float, classes: int, profile) -> None:
    Expander(program, b, alpha, classes, profile).run(program.items, {}, "", {"in": "input", "input": "input"}, "body")
