"""The operator registry: one entry per operator, read by every stage.

An entry holds the operator's arguments (what the spec reader accepts and the JSON Schema
describes), how its arguments become the IR's attributes, its shape inference from all its
inputs, its counting rule, its breakdown type and its label. The readers, the static checks, the
expander, the counters, the JSON Schema and the operator table in docs/spec-format.md all derive
from `REGISTRY`: adding an operator is one `register(Op(...))` here, plus its tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .cost import BN_TENSORS, Convention, Cost
from .ir import Layer, Padding, Shape
from .record import Record, record

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


@record(slots=True)
class Arg(Record):
    """One argument of an operator or block, as written in a spec.

    kind: width (a channel count alpha may scale), int (>= 1), padding (same, valid or pixels),
    pool_padding (pixels, at most half the window), kernel (an int or 'global'), bool, names
    (layer names), channels (an optional check), nl (relu or hswish), activation (an activation
    operator, or none).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class ShapeError(Exception):
    """A shape an operator cannot take; the expander adds where it happened."""


Attrs = dict[str, Any]


def _one(attrs: Attrs) -> list[tuple[str, Attrs]]:
    return [("", attrs)]


@record
class Op(Record):
    name: str
    doc: str  # one line for the operator table
    args: tuple[Arg, ...]
    infer: Callable[[str, Attrs, tuple[Shape, ...]], Shape]  # (layer name, attributes, input shapes) -> output
    count: Callable[[Layer, Convention], Cost]
    types: Mapping[str, str]  # breakdown keys this operator produces -> display names
    type_of: Callable[[Attrs, tuple[Shape, ...], Shape], str] | None = None  # which of `types` (None: the only one)
    label: Callable[[Layer], str] | None = None  # a short description ('conv 3x3/2'); None: the type
    attrs: Callable[[Attrs, tuple[Shape, ...]], Attrs] = lambda args, shapes: args
    instances: Callable[[Attrs], list[tuple[str, Attrs]]] = _one  # split: one layer per part
    merges: tuple[int, int] | None = None  # reads the layers its 'inputs' names: (fewest, most; 0: any)
    parts: str | None = None  # the argument saying how many layers it makes (NAME.0, NAME.1, ...)
    shorthand: str | None = None  # `add: [a, b]` stands for `add: {inputs: [a, b]}`
    per_element: int = 0  # element-wise operations per output element (--count)
    macs_of: str = ""  # beyond conv and FC layers, what Mult-Adds it adds, for the counting line
    example: str = ""  # a spec line using it
    resize: Callable[[Attrs], str] = lambda attrs: "counted"  # at another resolution: see RESIZE
    size_from: int | None = None  # an input read only for its height and width (not its data)

    def inputs_needed(self) -> str:
        """How many inputs a merge takes, in words ('two', 'two or more')."""
        fewest, most = self.merges or (1, 1)
        return {1: "one", 2: "two", 3: "three"}.get(fewest, str(fewest)) + ("" if most == fewest else " or more")

    def takes(self, count: int) -> bool:
        """Whether a merge takes `count` inputs."""
        fewest, most = self.merges or (1, 1)
        return count >= fewest and (most == 0 or count <= most)


REGISTRY: dict[str, Op] = {}

# How a sweep (sweep.py) derives an operator at another input resolution from one build, without
# building again. Every kind keeps the channels and the parameters.
RESIZE = {
    "same": "its output has its first input's height and width; Mult-Adds and ops scale with that area",
    "window": "its output size comes from infer; Mult-Adds and ops scale with the output's area",
    "global": "its output size does not depend on its input's; it is counted at the new shapes",
    "counted": "its output size comes from infer; it is counted at the new shapes",
    "unknown": "its output channels may change with the resolution: the network is built afresh",
}


LAYER_KEYS = ("name", "input", "repeat", "fixed", "role")  # what a spec's layer says besides its operator


def register(op: Op) -> Op:
    if op.name in REGISTRY:
        raise ValueError(f"operator '{op.name}' is registered twice")
    if op.name in LAYER_KEYS:
        raise ValueError(f"'{op.name}' is a layer key, not a name an operator can take")
    REGISTRY[op.name] = op
    return op


def type_of(op: Op, attrs: Attrs, inputs: tuple[Shape, ...], output: Shape) -> str:
    return op.type_of(attrs, inputs, output) if op.type_of else next(iter(op.types))


def label(layer: Layer) -> str:
    op = REGISTRY[layer.op]
    return op.label(layer) if op.label else layer.type


def type_title(key: str) -> str:
    """The display name of a breakdown key ('pointwise' -> 'pointwise conv (1x1)')."""
    for op in REGISTRY.values():
        if key in op.types:
            return op.types[key]
    return key


def _elementwise(layer: Layer, convention: Convention) -> int:
    return REGISTRY[layer.op].per_element * layer.output.size if convention.elementwise else 0


# --- spatial arithmetic -------------------------------------------------------------------------


def output_size(size: int, kernel: int, stride: int, padding: str | int, dilation: int = 1, ceil: bool = False) -> int:
    """Spatial output size of a convolution or pooling window.

    same: ceil(in / stride) (TF "SAME"); valid: no padding; pad01: one extra row/column at the
    bottom/right, then valid (Keras V1); an integer p: p pixels on each side (PyTorch), with
    PyTorch's ceil_mode for pools (the last window must start inside the input or left padding).
    """
    if padding == Padding.SAME:
        return -(-size // stride)
    span = dilation * (kernel - 1) + 1
    if padding == Padding.PAD01:
        size += 1
    pad = padding if isinstance(padding, int) else 0
    if not ceil:
        return (size + 2 * pad - span) // stride + 1
    out = -(-(size + 2 * pad - span) // stride) + 1
    if (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _spatial(
    name: str,
    x: Shape,
    channels: int,
    kernel: int,
    stride: int,
    padding: Any,
    dilation: int = 1,
    ceil: bool = False,
    kernel_w: int | None = None,
) -> Shape:
    h = output_size(x.height, kernel, stride, padding, dilation, ceil)
    w = output_size(x.width, kernel if kernel_w is None else kernel_w, stride, padding, dilation, ceil)
    if min(h, w) < 1:
        raise ShapeError(
            f"layer '{name}' gets a {x} input and its output map would be empty; build it at a larger resolution"
        )
    return Shape(channels, h, w)


# --- convolutions -------------------------------------------------------------------------------


def _conv_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x = shapes[0]
    if x.channels % a["groups"] or a["out"] % a["groups"]:
        raise ShapeError(f"groups={a['groups']} must divide the input ({x.channels}) and output ({a['out']}) channels")
    return _spatial(name, x, a["out"], a["kernel"], a["stride"], a["padding"], a["dilation"], kernel_w=kernel_w(a))


def kernel_w(a: Mapping[str, Any]) -> int:
    """A convolution's kernel width: its height unless the spec gives `kw` (a k x kw kernel)."""
    return a.get("kernel_w") or a["kernel"]


def _conv_count(layer: Layer, convention: Convention) -> Cost:
    """weights = k*kw*(C_in/groups)*C_out; Mult-Adds = weights * H_out * W_out."""
    a = layer.attrs
    weights = a["kernel"] * kernel_w(a) * (layer.input.channels // a["groups"]) * layer.output.channels
    bias = layer.output.channels if a["bias"] and convention.biases else 0
    return Cost(macs=weights * layer.output.height * layer.output.width, params=weights + bias)


def _conv_type(a: Attrs, inputs: tuple[Shape, ...], output: Shape) -> str:
    if a["groups"] > 1 and a["groups"] == inputs[0].channels == output.channels:
        return "depthwise"
    return "pointwise" if a["kernel"] == kernel_w(a) == 1 and a["groups"] == 1 else "conv"


def _conv_label(layer: Layer) -> str:
    a = layer.attrs
    kind = "dw" if layer.type == "depthwise" else "conv"
    text = f"{kind} {a['kernel']}x{kernel_w(a)}"
    if a["groups"] > 1 and kind != "dw":
        text += f" g{a['groups']}"
    if a["dilation"] > 1:
        text += f" d{a['dilation']}"
    return text + (f"/{a['stride']}" if a["stride"] > 1 else "")


CONV_TYPES = {"conv": "standard conv", "depthwise": "depthwise conv", "pointwise": "pointwise conv (1x1)"}
_IN = Arg("in", "channels", None, "the input channels the spec expects (checked at alpha 1)")
_OUT = Arg("out", "width", doc="output channels at alpha 1")
_BIAS = Arg("bias", "bool", False, "a bias per output channel")
_KW = Arg("kw", "int", None, "the kernel's width when it is not k (a k x kw kernel, e.g. 7 x 1)")


def _keeps_size(a: Attrs) -> bool:
    """Whether a stride-1 window leaves every input size as it is."""
    if a["stride"] != 1:
        return False
    if a["padding"] == Padding.SAME:
        return True
    if a["padding"] == Padding.PAD01:
        return False
    pad = a["padding"] if isinstance(a["padding"], int) else 0
    return all(2 * pad == a.get("dilation", 1) * (k - 1) for k in (a["kernel"], kernel_w(a)))


def _window_resize(a: Attrs) -> str:
    return "same" if _keeps_size(a) else "window"


def _conv(
    name: str, doc: str, args: tuple[Arg, ...], attrs: Callable[[Attrs, tuple[Shape, ...]], Attrs], example: str
) -> Op:
    return register(
        Op(
            name,
            doc,
            args,
            _conv_infer,
            _conv_count,
            CONV_TYPES,
            _conv_type,
            _conv_label,
            attrs,
            example=example,
            resize=_window_resize,
        )
    )


_conv(
    "conv",
    "convolution k x k (groups > 1: grouped; groups = channels: depthwise)",
    (
        _OUT,
        Arg("k", "int", doc="kernel size"),
        _KW,
        Arg("s", "int", 1, "stride"),
        Arg("p", "padding", "same", "same, valid or pixels per side"),
        Arg("d", "int", 1, "dilation"),
        Arg("groups", "int", 1, "channel groups"),
        _BIAS,
        _IN,
    ),
    lambda a, x: {
        "out": a["out"],
        "kernel": a["k"],
        **({"kernel_w": a["kw"]} if a["kw"] is not None else {}),  # only a k x kw kernel says it
        "stride": a["s"],
        "groups": a["groups"],
        "bias": a["bias"],
        "padding": a["p"],
        "dilation": a["d"],
    },
    "conv: {out: 32, k: 3, s: 2}",
)
_conv(
    "dw",
    "depthwise convolution k x k (one filter per channel)",
    (
        Arg("k", "int", doc="kernel size"),
        _KW,
        Arg("s", "int", 1, "stride"),
        Arg("p", "padding", "same", "same, valid or pixels per side"),
        Arg("d", "int", 1, "dilation"),
        _BIAS,
    ),
    lambda a, x: {
        "out": x[0].channels,
        "kernel": a["k"],
        **({"kernel_w": a["kw"]} if a["kw"] is not None else {}),  # only a k x kw kernel says it
        "stride": a["s"],
        "groups": x[0].channels,
        "bias": a["bias"],
        "padding": a["p"],
        "dilation": a["d"],
    },
    "dw: {k: 3, s: 2}",
)
_conv(
    "pw",
    "pointwise (1 x 1) convolution",
    (_OUT, _BIAS, _IN),
    lambda a, x: {
        "out": a["out"],
        "kernel": 1,
        "stride": 1,
        "groups": 1,
        "bias": a["bias"],
        "padding": 0,
        "dilation": 1,
    },
    "pw: {out: 64}",
)


def _deconv_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x = shapes[0]
    h, w = ((n - 1) * a["stride"] - 2 * a["padding"] + a["kernel"] for n in (x.height, x.width))
    if min(h, w) < 1:
        raise ShapeError(f"deconv '{name}': padding {a['padding']} leaves no output from a {x} input")
    return Shape(a["out"], h, w)


def _deconv_count(layer: Layer, convention: Convention) -> Cost:
    """weights = k*k*C_in*C_out; Mult-Adds = weights * H_in * W_in (each input pixel is scattered
    through all of them, as PyTorch's profilers count a transposed convolution)."""
    a = layer.attrs
    weights = a["kernel"] ** 2 * layer.input.channels * layer.output.channels
    bias = layer.output.channels if a["bias"] and convention.biases else 0
    return Cost(macs=weights * layer.input.height * layer.input.width, params=weights + bias)


register(
    Op(
        "deconv",
        "transposed convolution k x k, stride s (nn.ConvTranspose2d): output (in - 1) * s - 2p + k",
        (
            _OUT,
            Arg("k", "int", doc="kernel size"),
            Arg("s", "int", 1, "stride"),
            Arg("p", "pixels", 0, "pixels of padding taken off each side"),
            _BIAS,
        ),
        _deconv_infer,
        _deconv_count,
        {"deconv": "transposed conv"},
        label=lambda layer: f"deconv {layer.attrs['kernel']}x{layer.attrs['kernel']}/{layer.attrs['stride']}",
        macs_of="transposed convs",
        attrs=lambda a, x: {
            "out": a["out"],
            "kernel": a["k"],
            "stride": a["s"],
            "padding": a["p"],
            "groups": 1,
            "dilation": 1,
            "bias": a["bias"],
        },
        example="deconv: {out: 19, k: 2, s: 2}",
    )
)


def _fc_count(layer: Layer, convention: Convention) -> Cost:
    """weights = C_in * C_out = Mult-Adds, on the flattened input."""
    weights = layer.input.size * layer.output.channels
    bias = layer.output.channels if layer.attrs["bias"] and convention.biases else 0
    return Cost(macs=weights, params=weights + bias)


register(
    Op(
        "fc",
        "fully connected layer on the flattened input",
        (_OUT, Arg("bias", "bool", True, "a bias per output"), _IN),
        lambda name, a, x: Shape(a["out"], 1, 1),
        _fc_count,
        {"fc": "fully connected"},
        example="fc: {out: $classes}",
        resize=lambda a: "global",
    )
)


# --- batch norm and activations -----------------------------------------------------------------


def _same_shape(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    return shapes[0]


def _bn_count(layer: Layer, convention: Convention) -> Cost:
    """Parameters: the convention's batch-norm tensors (0, 2, 3 or 4) per channel; no Mult-Adds."""
    return Cost(params=BN_TENSORS[convention.bn] * layer.output.channels, ops=_elementwise(layer, convention))


def _elementwise_count(layer: Layer, convention: Convention) -> Cost:
    """No Mult-Adds, no parameters."""
    return Cost(ops=_elementwise(layer, convention))


register(
    Op(
        "bn",
        "batch norm (its parameters per channel: the convention's)",
        (),
        _same_shape,
        _bn_count,
        {"batchnorm": "batch norm"},
        per_element=2,
        example="bn",
        resize=lambda a: "same",
    )
)  # folded to y = a*x + b at inference

ACTIVATIONS = {  # name: (display name, operations per element, why)
    "relu": ("ReLU", 1, "max(x, 0)"),
    "relu6": ("ReLU6", 2, "min(max(x, 0), 6)"),
    "leaky_relu": ("leaky ReLU", 2, "max(x, 0.1 * x): multiply, max (darknet's leaky)"),
    "prelu": ("PReLU", 2, "max(x, a * x), a learned slope a per channel: multiply, max"),
    "hsigmoid": ("hard-sigmoid", 4, "relu6(x + 3) / 6: add, max, min, multiply"),
    "hswish": ("h-swish", 5, "x * hsigmoid(x)"),
    "sigmoid": ("sigmoid", 4, "1 / (1 + exp(-x)): negate, exp, add, divide"),
    "swish": ("swish", 5, "x * sigmoid(x) (SiLU)"),
    "softmax": ("softmax", 3, "exp, sum, divide"),
}
LEARNED = frozenset({"prelu"})  # activations with a learned parameter per channel


def _per_channel_count(layer: Layer, convention: Convention) -> Cost:
    """A learned value per channel (a PReLU slope, a layer scale): C parameters; no Mult-Adds."""
    return Cost(params=layer.output.channels, ops=_elementwise(layer, convention))


for _name, (_title, _per, _why) in ACTIVATIONS.items():
    register(
        Op(
            _name,
            f"{_title} activation: {_why}",
            (),
            _same_shape,
            _per_channel_count if _name in LEARNED else _elementwise_count,
            {_name: _title},
            per_element=_per,
            example=_name,
            resize=lambda a: "same",
        )
    )


FOLLOWERS = frozenset({"bn", *ACTIVATIONS})  # an unnamed one belongs to the layer before it


def block_of(layer: Layer, previous: str) -> str:
    """The block a layer belongs to: the first part of its name (block3.expand and block3.se.scale
    are block3); a batch norm or activation without one (bn1, relu1) joins the layer before it."""
    head, dot, _ = layer.name.partition(".")
    if not dot and previous and layer.op in FOLLOWERS:
        return previous
    return head


# --- pooling ------------------------------------------------------------------------------------


def _pool_attrs(a: Attrs, shapes: tuple[Shape, ...]) -> Attrs:
    if a["k"] == "global":
        return {"kernel": None, "stride": 1, "padding": 0, "ceil": False}
    return {"kernel": a["k"], "stride": a["k"] if a["s"] is None else a["s"], "padding": a["p"], "ceil": a["ceil"]}


def _pool_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x = shapes[0]
    if a["kernel"] is None:
        return Shape(x.channels, 1, 1)
    return _spatial(name, x, x.channels, a["kernel"], a["stride"], a["padding"], 1, a["ceil"])


def _bins(size: int, out: int) -> int:
    """Total length of PyTorch's adaptive-pooling bins [floor(i*size/out), ceil((i+1)*size/out))."""
    return sum(-(-(i + 1) * size // out) - (i * size // out) for i in range(out))


def _pool_count(layer: Layer, convention: Convention) -> Cost:
    """Per window of n elements: average (n-1) adds and a divide = n ops; max n-1 compares.

    A k x k pool's window is k^2 (padding included); a global pool's is the whole map; an adaptive
    pool's windows are PyTorch's bins, which overlap when the output does not divide the input.
    """
    if not convention.elementwise:
        return Cost()
    a, x, y = layer.attrs, layer.input, layer.output
    if "output" in a:
        windows = _bins(x.height, y.height) * _bins(x.width, y.width)  # summed over all outputs
    elif a["kernel"] is None:
        windows = x.height * x.width
    else:
        windows = a["kernel"] ** 2 * y.height * y.width
    per_channel = windows if layer.type == "avgpool" else windows - y.height * y.width
    return Cost(ops=per_channel * y.channels)


def _pool_label(layer: Layer) -> str:
    a, kind = layer.attrs, layer.type
    if "output" in a:
        return f"{kind} to {a['output']}x{a['output']}"
    if a["kernel"] is None:
        return f"{kind} global"
    return f"{kind} {a['kernel']}x{a['kernel']}" + (f"/{a['stride']}" if a["stride"] > 1 else "")


_POOL_ARGS = (
    Arg("k", "kernel", doc="window size, or global"),
    Arg("s", "int", None, "stride (default: k)"),
    Arg("p", "pool_padding", 0, "pixels per side, at most k // 2"),
    Arg("ceil", "bool", False, "PyTorch's ceil_mode"),
)
for _kind, _title in (("max", "max pool"), ("avg", "average pool")):
    register(
        Op(
            f"{_kind}pool",
            f"{_title} k x k, or over the whole map (global)",
            _POOL_ARGS,
            _pool_infer,
            _pool_count,
            {f"{_kind}pool": _title},
            label=_pool_label,
            attrs=_pool_attrs,
            example=f"{_kind}pool: {{k: 3, s: 2}}",
            resize=lambda a: "global" if a["kernel"] is None else _window_resize({**a, "dilation": 1}),
        )
    )
register(
    Op(
        "adaptive_avgpool",
        "average pool to a fixed out x out map (PyTorch's bins)",
        (Arg("out", "int", doc="output height and width"),),
        lambda name, a, x: Shape(x[0].channels, a["output"], a["output"]),
        _pool_count,
        {"avgpool": "average pool"},
        label=_pool_label,
        attrs=lambda a, x: {"output": a["out"]},
        shorthand="out",
        example="adaptive_avgpool: 1",
        resize=lambda a: "global",
    )
)


# --- merges and data movement -------------------------------------------------------------------

_INPUTS = Arg("inputs", "names", doc="the layers it reads (in: the block's input)")


def _add_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    if any(s != shapes[0] for s in shapes):
        raise ShapeError(f"add '{name}' needs inputs of one shape, got {', '.join(map(str, shapes))}")
    return shapes[0]


def _concat_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    first = shapes[0]
    if any((s.height, s.width) != (first.height, first.width) for s in shapes):
        raise ShapeError(
            f"concat '{name}' joins maps of different sizes ({', '.join(map(str, shapes))}); "
            f"every input needs the same height and width"
        )
    return Shape(sum(s.channels for s in shapes), first.height, first.width)


def _multiply_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    first, gate = shapes
    if gate.channels != first.channels or (gate.height, gate.width) not in ((1, 1), (first.height, first.width)):
        raise ShapeError(
            f"multiply '{name}' scales {first} by {gate}; the gate needs the same channels and a 1x1 or equal map"
        )
    return first


def _add_count(layer: Layer, convention: Convention) -> Cost:
    """n inputs: n - 1 additions per output element."""
    return Cost(ops=(len(layer.inputs) - 1) * _elementwise(layer, convention))


def _no_arithmetic(layer: Layer, convention: Convention) -> Cost:
    """Concatenation, channel split and shuffle, space-to-depth, flatten and dropout move data: no arithmetic."""
    return Cost()


register(
    Op(
        "add",
        "element-wise sum of two or more equal tensors (a residual connection)",
        (_INPUTS,),
        _add_infer,
        _add_count,
        {"add": "residual add"},
        merges=(2, 0),
        shorthand="inputs",
        per_element=1,
        example="add: [in, body]",
        resize=lambda a: "same",
    )
)
register(
    Op(
        "multiply",
        "a [C,H,W] tensor scaled channel-wise by a [C,1,1] gate (squeeze-excite)",
        (_INPUTS,),
        _multiply_infer,
        _elementwise_count,
        {"multiply": "channel-wise multiply"},
        merges=(2, 2),
        shorthand="inputs",
        per_element=1,
        example="multiply: [features, gate]",
        resize=lambda a: "same",
    )
)
register(
    Op(
        "concat",
        "channel concatenation of maps of one height and width",
        (_INPUTS,),
        _concat_infer,
        _no_arithmetic,
        {"concat": "concat"},
        merges=(2, 0),
        shorthand="inputs",
        example="concat: [a, b]",
        resize=lambda a: "same",
    )
)


INTERPOLATIONS = {"bilinear": 7, "nearest": 0, "area": 0}  # mode -> element-wise ops per output element (--count)
# area: an adaptive average pool (PyTorch's adaptive_avg_pool2d), counted as adaptive_avgpool counts it


def _interpolation_ops(layer: Layer, convention: Convention) -> int:
    """Element-wise ops of a resize (--count): bilinear 7 per output element (4 multiplies and 3
    adds of the 4 neighbours), nearest none (a copy), area an adaptive average pool's (each bin of
    n elements: n - 1 adds and a divide)."""
    if not convention.elementwise:
        return 0
    x, y = layer.input, layer.output
    if layer.attrs["mode"] == "area":  # an adaptive average pool: each bin's n elements, n ops
        return _bins(x.height, y.height) * _bins(x.width, y.width) * y.channels
    return INTERPOLATIONS[layer.attrs["mode"]] * y.size


def _upsample_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x, like = shapes
    return Shape(x.channels, like.height, like.width)


def _resize_count(layer: Layer, convention: Convention) -> Cost:
    """No Mult-Adds, no parameters; with --count, the resize's element-wise ops."""
    return Cost(ops=_interpolation_ops(layer, convention))


_MODE = Arg("mode", "interpolation", "bilinear", "bilinear, nearest or area (an adaptive average pool)")


register(
    Op(
        "upsample",
        "resize the first input's map to the second's height and width (bilinear, nearest or area), as "
        "segmentation heads do; the second is read for its size only",
        (
            Arg("inputs", "names", doc="[the map to resize, the layer whose height and width it takes (or input)]"),
            _MODE,
        ),
        _upsample_infer,
        _resize_count,
        {"upsample": "upsample"},
        label=lambda layer: f"upsample {layer.attrs['mode']} to {layer.output.height}x{layer.output.width}",
        merges=(2, 2),
        example="upsample: {inputs: [head, c2], mode: bilinear}",
        resize=lambda a: "window",
        size_from=1,
    )
)


def _rescale_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x, scale = shapes[0], float(a["scale"])  # in floating point, as the implementations compute it
    return Shape(x.channels, *(max(a["min"], math.ceil(n * scale)) for n in (x.height, x.width)))


register(
    Op(
        "rescale",
        "resize the map by a factor: ceil(scale * side), at least `min` (PyTorch's interpolate to a "
        "computed size, or adaptive_avg_pool2d with mode area), as pyramid-pooling heads do",
        (
            Arg("scale", "factor", doc="the factor, e.g. 1.5 or 0.1"),
            _MODE,
            Arg("min", "int", 1, "the smallest side"),
        ),
        _rescale_infer,
        _resize_count,
        {"rescale": "rescale"},
        label=lambda layer: f"rescale {layer.attrs['mode']} x{float(layer.attrs['scale']):g}",
        example="rescale: {scale: 0.5, mode: area, min: 5}",
    )
)


def _attention_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    query, key, value = shapes
    heads = a["heads"]
    if query.channels % heads:
        raise ShapeError(
            f"attention '{name}': {query.channels} query channels do not split into {heads} heads "
            f"(make the query heads x key channels)"
        )
    if query.channels // heads != key.channels:
        per_head = query.channels // heads
        raise ShapeError(
            f"attention '{name}': {heads} heads of {per_head} query channels need keys of {per_head} channels, "
            f"got {key.channels}"
        )
    if (key.height, key.width) != (value.height, value.width):
        raise ShapeError(f"attention '{name}': keys {key} and values {value} need the same height and width")
    return Shape(heads * value.channels, query.height, query.width)


def _attention_count(layer: Layer, convention: Convention) -> Cost:
    """Q·Kᵀ and softmax(·)·V for each head: heads x (Hq·Wq) x (Hk·Wk) x (key + value channels).

    Keys and values are shared by all heads (multi-query attention); no parameters. --count adds
    the scaling and the softmax (1 + 3 operations per score).
    """
    query, key, value = layer.input_shapes
    scores = layer.attrs["heads"] * query.height * query.width * key.height * key.width
    return Cost(macs=scores * (key.channels + value.channels), ops=4 * scores if convention.elementwise else 0)


register(
    Op(
        "attention",
        "multi-query attention of a query map over one key and one value map (softmax(Q·Kᵀ/√d)·V per head)",
        (
            Arg("inputs", "names", doc="query, key and value layers"),
            Arg("heads", "int", doc="heads: query channels / key channels"),
        ),
        _attention_infer,
        _attention_count,
        {"attention": "attention (Q·Kᵀ, ·V)"},
        merges=(3, 3),
        macs_of="attention's Q·Kᵀ and ·V products",
        example="attention: {inputs: [q, k, v], heads: 4}",
    )
)


register(
    Op(
        "layer_scale",
        "a learned per-channel scale (timm's LayerScale2d)",
        (),
        _same_shape,
        _per_channel_count,
        {"layer_scale": "layer scale"},
        per_element=1,
        example="layer_scale",
        resize=lambda a: "same",
    )
)


def _shuffle_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    if shapes[0].channels % a["groups"]:
        raise ShapeError(f"shuffle '{name}': {shapes[0].channels} channels do not split into {a['groups']} groups")
    return shapes[0]


def _split_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x = shapes[0]
    if x.channels % a["parts"]:
        raise ShapeError(f"split '{name}': {x.channels} channels do not split into {a['parts']} equal parts")
    return Shape(x.channels // a["parts"], x.height, x.width)


register(
    Op(
        "split",
        "equal channel slices, one layer per part, named NAME.0, NAME.1, ...",
        (Arg("parts", "int", doc="how many slices"),),
        _split_infer,
        _no_arithmetic,
        {"split": "split"},
        attrs=lambda a, x: {"parts": a["parts"]},
        instances=lambda a: [(f".{i}", {**a, "index": i}) for i in range(a["parts"])],
        parts="parts",
        shorthand="parts",
        example="split: 2",
        resize=lambda a: "same",
    )
)
register(
    Op(
        "shuffle",
        "channel shuffle across groups (a permutation)",
        (Arg("groups", "int", doc="groups"),),
        _shuffle_infer,
        _no_arithmetic,
        {"shuffle": "shuffle"},
        shorthand="groups",
        example="shuffle: 2",
        resize=lambda a: "same",
    )
)


def _space_to_depth_infer(name: str, a: Attrs, shapes: tuple[Shape, ...]) -> Shape:
    x, block = shapes[0], a["block"]
    if x.height % block or x.width % block:
        raise ShapeError(
            f"space_to_depth '{name}': a {x.height}x{x.width} map does not split into {block}x{block} blocks "
            f"(give an input size whose map here is a multiple of {block})"
        )
    return Shape(x.channels * block * block, x.height // block, x.width // block)


register(
    Op(
        "space_to_depth",
        "each block x block patch of pixels becomes block*block*C channels (darknet's reorg): moves data",
        (Arg("block", "int", doc="the patch side"),),
        _space_to_depth_infer,
        _no_arithmetic,
        {"space_to_depth": "space-to-depth"},
        shorthand="block",
        example="space_to_depth: 2",
    )
)
register(
    Op(
        "flatten",
        "[C,H,W] -> [C*H*W,1,1]",
        (),
        lambda name, a, x: Shape(x[0].size, 1, 1),
        _no_arithmetic,
        {"flatten": "flatten"},
        example="flatten",
        resize=lambda a: "unknown",
    )
)
register(
    Op(
        "dropout",
        "dropout (the identity at inference)",
        (),
        _same_shape,
        _no_arithmetic,
        {"dropout": "dropout"},
        example="dropout",
        resize=lambda a: "same",
    )
)
