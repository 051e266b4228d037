"""How each operator is counted: one pure function per IR operator, in one table.

Conventions (docs/conventions.md has the long form):

* Mult-Adds (MACs): one multiply-accumulate is one Mult-Add, as in every MobileNet paper. Only
  convolutions (standard, depthwise, pointwise) and fully connected layers have Mult-Adds:
  conv = H_out * W_out * C_out * (C_in / groups) * k * k;  FC = C_in * C_out.
* Parameters: weights always; biases when the convention counts them; batch norm as 0, 2
  (gamma, beta), 3 (beta, moving mean, moving variance) or 4 tensors per channel.
* Element-wise operations (`--count`): activations, batch norm, residual adds, the squeeze-excite
  product and pooling cost the per-element amounts in ELEMENTWISE below. They are never Mult-Adds;
  `--flops` reports 2 x MACs + these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .ir import Activation, Add, BatchNorm, Concat, Conv2d, Layer, Linear, Multiply, Pool, Reshape, Shuffle, Split
from .profiles import BN_CONVENTIONS

# Operations per output element when element-wise items are counted (--count).
ELEMENTWISE = {
    "relu": 1,  # max(x, 0)
    "relu6": 2,  # min(max(x, 0), 6)
    "hsigmoid": 4,  # relu6(x + 3) / 6: add, max, min, multiply
    "hswish": 5,  # x * hsigmoid(x)
    "sigmoid": 4,  # 1 / (1 + exp(-x)): negate, exp, add, divide
    "swish": 5,  # x * sigmoid(x) (SiLU)
    "softmax": 3,  # exp, sum, divide
    "batchnorm": 2,  # folded to y = a * x + b at inference
    "add": 1,
    "multiply": 1,
}


@dataclass(frozen=True)
class Convention:
    """What a count includes. Profiles and CLI options choose one; reports echo it."""

    biases: bool = True
    bn: str = "none"
    elementwise: bool = False

    def describe(self) -> str:
        bn = {
            "none": "no batch norm",
            "affine": "batch-norm gamma/beta",
            "beta-stats": "batch-norm beta/moving mean/moving variance",
            "all": "batch-norm gamma/beta/moving mean/moving variance",
        }[self.bn]
        params = "weights" + (" + biases" if self.biases else " (no biases)") + f", {bn}"
        macs = "Mult-Adds of conv and FC layers"
        if self.elementwise:
            macs += "; element-wise ops (activations, batch norm, adds, SE multiply, pooling) counted apart"
        return f"{macs}; parameters = {params}"


@dataclass(frozen=True)
class Cost:
    macs: int = 0
    params: int = 0
    ops: int = 0  # element-wise operations (only with Convention.elementwise)

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(self.macs + other.macs, self.params + other.params, self.ops + other.ops)

    @property
    def flops(self) -> int:
        """FLOPs = 2 x Mult-Adds + element-wise ops."""
        return 2 * self.macs + self.ops


Counter = Callable[[Layer, Convention], Cost]
COUNTERS: dict[type, Counter] = {}


def counter(op_type: type) -> Callable[[Counter], Counter]:
    def register(fn: Counter) -> Counter:
        COUNTERS[op_type] = fn
        return fn

    return register


def count(layer: Layer, convention: Convention) -> Cost:
    return COUNTERS[type(layer.op)](layer, convention)  # every IR operator has one (tests/test_registry.py)


def _elementwise(layer: Layer, convention: Convention, kind: str) -> int:
    return ELEMENTWISE[kind] * layer.output.size if convention.elementwise else 0


@counter(Conv2d)
def count_conv(layer: Layer, convention: Convention) -> Cost:
    """weights = k*k*(C_in/groups)*C_out; Mult-Adds = weights * H_out * W_out."""
    op = layer.op
    weights = op.kernel * op.kernel * (layer.input.channels // op.groups) * layer.output.channels
    bias = layer.output.channels if op.bias and convention.biases else 0
    return Cost(macs=weights * layer.output.height * layer.output.width, params=weights + bias)


@counter(Linear)
def count_linear(layer: Layer, convention: Convention) -> Cost:
    """weights = C_in * C_out = Mult-Adds (on the flattened input)."""
    weights = layer.input.size * layer.output.channels
    bias = layer.output.channels if layer.op.bias and convention.biases else 0
    return Cost(macs=weights, params=weights + bias)


@counter(BatchNorm)
def count_batchnorm(layer: Layer, convention: Convention) -> Cost:
    params = BN_CONVENTIONS[convention.bn] * layer.output.channels
    return Cost(params=params, ops=_elementwise(layer, convention, "batchnorm"))


@counter(Activation)
def count_activation(layer: Layer, convention: Convention) -> Cost:
    return Cost(ops=_elementwise(layer, convention, layer.op.fn))


@counter(Add)
def count_add(layer: Layer, convention: Convention) -> Cost:
    """n inputs: n - 1 additions per output element."""
    return Cost(ops=(len(layer.inputs) - 1) * _elementwise(layer, convention, "add"))


@counter(Multiply)
def count_multiply(layer: Layer, convention: Convention) -> Cost:
    return Cost(ops=_elementwise(layer, convention, "multiply"))


def _bins(size: int, out: int) -> int:
    """Total length of PyTorch's adaptive-pooling bins [floor(i*size/out), ceil((i+1)*size/out))."""
    return sum(-(-(i + 1) * size // out) - (i * size // out) for i in range(out))


@counter(Pool)
def count_pool(layer: Layer, convention: Convention) -> Cost:
    """Per window of n elements: average (n-1) adds and a divide = n ops; max n-1 compares.

    A k x k pool's window is k^2 (padding included); a global pool's is the whole map; an adaptive
    pool's windows are PyTorch's bins, which overlap when the output does not divide the input.
    """
    if not convention.elementwise:
        return Cost()
    op, x, y = layer.op, layer.input, layer.output
    if op.output is not None:
        windows = _bins(x.height, y.height) * _bins(x.width, y.width)  # summed over all outputs
    elif op.kernel is None:
        windows = x.height * x.width
    else:
        windows = op.kernel**2 * y.height * y.width
    outputs = y.height * y.width
    per_channel = windows if op.kind == "avg" else windows - outputs
    return Cost(ops=per_channel * y.channels)


@counter(Concat)
@counter(Split)
@counter(Shuffle)
@counter(Reshape)
def count_data_movement(layer: Layer, convention: Convention) -> Cost:
    """Concatenation, channel split and shuffle, flatten and dropout move data: no arithmetic."""
    return Cost()
