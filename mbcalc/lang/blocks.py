"""The built-in block library: the blocks the papers' tables are made of, usable from any spec.

Each block is its arguments (read and checked like an operator's) and a function that emits its
layers through an `Emitter` (the build stage). The table forms lower their rows into these
blocks; a graph spec uses them by name (`bneck: {k: 5, exp: 120, out: 40, se: true}`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..ir import Padding, Role
from ..ops import Arg
from ..record import Record, record
from .program import Width
from .rounding import md


class Emitter(Protocol):
    """What a block sees of the build: the current tensor, and a way to append layers."""

    @property
    def channels(self) -> int: ...

    @property
    def last(self) -> str: ...

    def op(self, op: str, name: str, role: str, *, inputs: tuple[str, ...] | None = None, **args: Any) -> str: ...

    def width(self, width: Width | int) -> int: ...

    def setting(self, key: str) -> Any: ...


BlockFn = Callable[[Emitter, str, Mapping[str, Any], str], None]


@record
class Builtin(Record):
    name: str
    doc: str
    args: tuple[Arg, ...]
    build: BlockFn  # (emitter, the use's full name, its resolved arguments, the role in effect)
    size: int  # the most layers one use adds (for the size limit, checked before expanding)
    example: str = ""
    check: Callable[[Mapping[str, Any]], str | None] | None = None  # a problem in the arguments as written


def conv_bn_act(e: Emitter, name: str, a: Mapping[str, Any], role: str) -> None:
    """conv k x k (or depthwise) + batch norm + activation: NAME, NAME.bn, NAME.<activation>."""
    dilation = a.get("d", 1)
    if a["dw"]:
        e.op("dw", name, role, k=a["k"], s=a["s"], p=a["p"], d=dilation)
    else:  # without 'out' the emitter reports the block's place
        e.op("conv", name, role, out=e.width(a["out"]), k=a["k"], s=a["s"], p=a["p"], d=dilation)
    e.op("bn", f"{name}.bn", role)
    if a["act"] is not None:
        e.op(a["act"], f"{name}.{a['act']}", role)


def _conv_bn_act_check(args: Mapping[str, Any]) -> str | None:
    dw = args.get("dw", False)
    if dw is True and "out" in args:
        return "'conv_bn_act' takes no 'out' with dw: true (a depthwise conv keeps its channels)"
    if dw is False and "out" not in args:
        return "'conv_bn_act' needs 'out' (or dw: true)"
    return None  # dw from a $param: the build says


def separable(e: Emitter, name: str, a: Mapping[str, Any], role: str) -> None:
    """V1's depthwise separable block: depthwise k x k + BN + act, pointwise 1x1 + BN + act."""
    act = e.setting("v1.activation")
    dw = {"dw": True, "k": a["k"], "s": a["s"], "p": Padding.SAME, "d": a.get("d", 1), "act": act}
    conv_bn_act(e, f"{name}.dw", dw, Role.DEPTHWISE)
    conv_bn_act(
        e, f"{name}.pw", {"dw": False, "out": a["out"], "k": 1, "s": 1, "p": Padding.SAME, "act": act}, Role.POINTWISE
    )


def bottleneck(e: Emitter, name: str, a: Mapping[str, Any], role: str) -> None:
    """V2's inverted residual: expand 1x1 + ReLU6 (not when t = 1), depthwise 3x3 + ReLU6, linear
    projection 1x1, and a residual add when the stride is 1 and the widths match."""
    inp, skip, out = e.channels, e.last, e.width(a["out"])
    if a["t"] != 1:
        conv_bn_act(
            e,
            f"{name}.expand",
            {"dw": False, "out": inp * a["t"], "k": 1, "s": 1, "p": Padding.SAME, "act": "relu6"},
            Role.EXPAND,
        )
    dw = {"dw": True, "k": 3, "s": a["s"], "p": Padding.SAME, "d": a.get("d", 1), "act": "relu6"}
    conv_bn_act(e, f"{name}.dw", dw, Role.DEPTHWISE)
    conv_bn_act(
        e, f"{name}.project", {"dw": False, "out": out, "k": 1, "s": 1, "p": Padding.SAME, "act": None}, Role.PROJECT
    )  # linear bottleneck: no activation
    if a["s"] == 1 and inp == out:
        e.op("add", f"{name}.add", Role.RESIDUAL, inputs=(e.last, skip))


def squeeze_excite(e: Emitter, name: str, a: Mapping[str, Any], role: str) -> None:
    """Global pool, 1x1 reduce (bias) + act, 1x1 expand (bias) + gate, channel-wise multiply."""
    features, channels = e.last, e.channels
    e.op("avgpool", f"{name}.pool", role, k="global")
    e.op("conv", f"{name}.reduce", role, out=e.width(a["squeeze"]), k=1, bias=True)
    if a["act"] is not None:
        e.op(a["act"], f"{name}.{a['act']}", role)
    gate = e.op("conv", f"{name}.expand", role, out=channels, k=1, bias=True)
    if a["gate"] is not None:
        gate = e.op(a["gate"], f"{name}.{a['gate']}", role)
    e.op("multiply", f"{name}.scale", role, inputs=(features, gate))


def bneck(e: Emitter, name: str, a: Mapping[str, Any], role: str) -> None:
    """V3's bottleneck: expand 1x1 (when it widens), depthwise k x k, squeeze-and-excite, linear
    projection 1x1, and a residual add when the stride is 1 and the widths match. `d`: the
    depthwise's dilation (an atrous backbone's last stage: stride 1, dilation 2, as torchvision's
    dilated=True builds it)."""
    inp, skip, act = e.channels, e.last, a["nl"]
    expanded, out = e.width(a["exp"]), e.width(a["out"])
    if expanded > inp:  # no expansion conv when there is nothing to expand (the first bneck)
        conv_bn_act(
            e,
            f"{name}.expand",
            {"dw": False, "out": expanded, "k": 1, "s": 1, "p": Padding.SAME, "act": act},
            Role.EXPAND,
        )
    dw = {"dw": True, "k": a["k"], "s": a["s"], "p": Padding.SAME, "d": a["d"], "act": act}
    conv_bn_act(e, f"{name}.dw", dw, Role.DEPTHWISE)
    if a["se"]:
        # TF's channels / 4 and torchvision's // 4 agree for the multiples of 8 the tables produce
        squeeze_excite(e, f"{name}.se", {"squeeze": md(e.channels // 4), "act": "relu", "gate": "hsigmoid"}, Role.SE)
    conv_bn_act(
        e, f"{name}.project", {"dw": False, "out": out, "k": 1, "s": 1, "p": Padding.SAME, "act": None}, Role.PROJECT
    )
    if a["s"] == 1 and inp == out:
        e.op("add", f"{name}.add", Role.RESIDUAL, inputs=(e.last, skip))


_OUT = Arg("out", "width", doc="output channels at alpha 1")
_K = Arg("k", "int", 3, "depthwise kernel size")
_S = Arg("s", "int", 1, "stride")
_D = Arg("d", "int", 1, "the depthwise's dilation (an atrous backbone)")
BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin(
            "conv_bn_act",
            "conv (or depthwise, dw: true) + batch norm + activation (act: none for a linear one)",
            (
                Arg("out", "width", None, "output channels at alpha 1 (not with dw)"),
                Arg("k", "int", 1, "kernel size"),
                _S,
                Arg("p", "padding", "same", "same, valid or pixels per side"),
                Arg("dw", "bool", False, "depthwise"),
                Arg("act", "activation", "relu", "relu, relu6, hswish, ... or none"),
            ),
            conv_bn_act,
            3,
            "conv_bn_act: {out: 32, k: 3, s: 2, act: relu6}",
            _conv_bn_act_check,
        ),
        Builtin(
            "separable",
            "V1's depthwise separable block (dw k x k + BN + act, pw + BN + act; act as the profile's V1)",
            (_OUT, _K, _S, _D),
            separable,
            6,
            "separable: {out: 64}",
        ),
        Builtin(
            "bottleneck",
            "V2's inverted residual (expand t x, dw 3x3, linear projection, residual add)",
            (Arg("t", "int", doc="expansion factor"), _OUT, _S, _D),
            bottleneck,
            9,
            "bottleneck: {t: 6, out: 24, s: 2}",
        ),
        Builtin(
            "bneck",
            "V3's bottleneck (expand to exp, dw k x k, optional squeeze-excite, projection, residual add)",
            (
                Arg("k", "int", doc="depthwise kernel size"),
                Arg("exp", "width", doc="expanded channels at alpha 1"),
                _OUT,
                Arg("se", "bool", False, "squeeze-and-excite"),
                Arg("nl", "nl", "relu", "relu or hswish (RE, HS)"),
                _S,
                _D,
            ),
            bneck,
            15,
            "bneck: {k: 5, exp: 120, out: 40, se: true, nl: HS}",
        ),
        Builtin(
            "squeeze_excite",
            "global pool, 1x1 reduce + act, 1x1 expand + gate, channel-wise multiply",
            (
                Arg("squeeze", "width", doc="reduced channels"),
                Arg("act", "activation", "relu", "after the reduce"),
                Arg("gate", "activation", "hsigmoid", "the gate"),
            ),
            squeeze_excite,
            6,
            "squeeze_excite: {squeeze: 16, act: relu, gate: sigmoid}",
        ),
    )
}
