"""What a count is: a `Cost` per layer, under a `Convention` that says what to include.

Plain data shared by the operator registry (each operator's counting rule) and the counting stage.
"""

from __future__ import annotations

from typing import NamedTuple

from .record import Record, record

# Batch-norm tensors per channel that a convention counts as parameters.
BN_TENSORS = {
    "none": 0,  # the papers: no batch-norm tensors
    "affine": 2,  # gamma and beta: PyTorch's model.parameters()
    "beta-stats": 3,  # beta, moving mean and variance: TF-Slim's batch norm has scale=False
    "all": 4,  # gamma, beta, moving mean and variance: Keras count_params()
}
DTYPES = {"int8": 1, "fp16": 2, "bf16": 2, "fp32": 4}  # bytes per number as deployed (mbcalc memory)
BN_WORDS = {
    "none": "no batch norm",
    "affine": "batch-norm gamma/beta",
    "beta-stats": "batch-norm beta/moving mean/moving variance",
    "all": "batch-norm gamma/beta/moving mean/moving variance",
}


@record(slots=True)
class Convention(Record):
    """What a count includes: biases, batch-norm tensors, element-wise operations."""

    biases: bool = True
    bn: str = "none"  # a key of BN_TENSORS
    elementwise: bool = False

    def describe(self, also: tuple[str, ...] = ()) -> str:
        """In words; `also`: what else carries Mult-Adds in this network (operators' `macs_of`)."""
        params = "weights" + (" + biases" if self.biases else " (no biases)") + f", {BN_WORDS[self.bn]}"
        macs = "Mult-Adds of conv and FC layers" + "".join(f" and of {what}" for what in also)
        if self.elementwise:
            macs += (
                "; element-wise ops (activations, batch norm, adds, SE multiply, layer scale, pooling, softmax)"
                " counted apart"
            )
        return f"{macs}; parameters = {params}"


class Cost(NamedTuple):  # made once per layer: a NamedTuple is fast to make
    macs: int = 0
    params: int = 0
    ops: int = 0  # element-wise operations (only with Convention.elementwise)

    def __add__(self, other: Cost) -> Cost:  # type: ignore[override]  # a sum, not tuple concatenation
        return Cost(self.macs + other.macs, self.params + other.params, self.ops + other.ops)

    def __sub__(self, other: Cost) -> Cost:
        return Cost(self.macs - other.macs, self.params - other.params, self.ops - other.ops)

    @property
    def flops(self) -> int:
        """FLOPs = 2 x Mult-Adds + element-wise ops."""
        return 2 * self.macs + self.ops
