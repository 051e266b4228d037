"""Counting: a network and a convention -> one `Cost` per layer, from a table of counters.

Each operator's counting rule lives in its registry entry (ops.py); `default_counters()` gathers
them into a table, and `count` takes the table per call (fvcore's style), so a new counting
convention is a table with some entries replaced, not an edit inside a counter.

Conventions (docs/conventions.md has the long form):

* Mult-Adds (MACs): one multiply-accumulate is one Mult-Add, as in every MobileNet paper. Only
  convolutions and fully connected layers have Mult-Adds.
* Parameters: weights always; biases when the convention counts them; batch norm as 0, 2, 3 or 4
  tensors per channel.
* Element-wise operations (`elementwise`): activations, batch norm, residual adds, the
  squeeze-excite product and pooling, per output element as each operator says. Never Mult-Adds.

Which convention each build profile's implementation counts by is data too: `CONVENTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .cost import BN_TENSORS, Convention, Cost
from .errors import MbcalcError
from .expansion.profiles import base_name
from .ir import Layer, Network
from .ops import REGISTRY
from .record import Record, field, record

Counter = Callable[[Layer, Convention], Cost]


class Counters(dict[str, Counter]):
    """A table of counters, one per operator; registering one twice is an error (use `replace`)."""

    def register(self, op: str, counter: Counter) -> None:
        if op in self:
            raise ValueError(f"a counter for '{op}' is registered twice (use replace to change it)")
        self[op] = counter

    def replace(self, **counters: Counter) -> Counters:
        """A copy with some operators counted another way."""
        unknown = [op for op in counters if op not in self]
        if unknown:
            raise ValueError(f"no operator {', '.join(unknown)} to replace")
        table = Counters(self)
        table.update(counters)
        return table


def default_counters() -> Counters:
    """Every operator's own counting rule."""
    table = Counters()
    for name, op in REGISTRY.items():
        table.register(name, op.count)
    return table


DEFAULT_COUNTERS = default_counters()


def count(network: Network, convention: Convention, counters: Mapping[str, Counter] | None = None) -> list[Cost]:
    """Each layer's cost, by `counters` (default: each operator's own rule)."""
    if counters is not None:
        if missing := {layer.op for layer in network.layers} - set(counters):
            raise MbcalcError(
                f"counters has no counter for {', '.join(sorted(missing))} "
                f"(start from counting.default_counters() and replace entries)"
            )
        return [counters[layer.op](layer, convention) for layer in network.layers]
    # The operators' own rules read nothing but a layer's operator, attributes, shapes and number of
    # inputs: layers alike in those (a long stack of equal blocks) are counted once.
    known: dict[tuple[Any, ...], Cost] = {}
    costs = []
    for layer in network.layers:
        key = (layer.op, id(layer.attrs), layer.input_shapes, layer.output, len(layer.inputs))
        cost = known.get(key)
        if cost is None:
            cost = known[key] = DEFAULT_COUNTERS[layer.op](layer, convention)
        costs.append(cost)
    return costs


# --- each implementation's counting convention ------------------------------------------------


@record
class CountingProfile(Record):
    """How an implementation counts parameters: batch-norm tensors per spec form, and biases."""

    name: str
    description: str
    bn: Mapping[str, str] = field(default_factory=dict)  # form -> a key of BN_TENSORS; default "none"
    biases: bool | None = None  # None: the spec's own default (the V1 paper counts no biases)


_EVERY_FORM = ("v1", "v2", "v3", "graph")
CONVENTIONS: dict[str, CountingProfile] = {
    c.name: c
    for c in (
        CountingProfile(
            "paper",
            "the papers: Mult-Adds of conv and FC layers; weights (and biases, where the paper "
            "counts them), no batch norm",
        ),
        CountingProfile(
            "torchvision",
            "torchvision: sum(p.numel() for p in model.parameters()), i.e. weights, biases "
            "and batch-norm gamma/beta; Mult-Adds of conv and linear layers",
            dict.fromkeys(_EVERY_FORM, "affine"),
            True,
        ),
        CountingProfile(
            "keras",
            "Keras applications: model.count_params(), i.e. weights, biases and batch-norm "
            "gamma/beta/moving mean/moving variance",
            dict.fromkeys(_EVERY_FORM, "all"),
            True,
        ),
        CountingProfile(
            "tf-slim",
            "TensorFlow-Slim checkpoints, as their README tables count them: V1 with batch-norm "
            "beta/moving mean/moving variance, V2 and V3 weights and biases only",
            {"v1": "beta-stats"},
            True,
        ),
    )
}


def convention(
    profile: str,
    form: str,
    spec_biases: bool | None = None,
    *,
    biases: bool | None = None,
    bn: str | None = None,
    elementwise: bool = False,
) -> Convention:
    """The convention an implementation counts `form` specs by, with explicit overrides."""
    base = CONVENTIONS.get(base_name(profile), CONVENTIONS["paper"])  # a variant counts like its base
    if biases is not None and not isinstance(biases, bool):
        raise MbcalcError(f"biases must be true, false or None (the profile's), got {biases!r}")
    if biases is None:
        biases = base.biases if base.biases is not None else (True if spec_biases is None else spec_biases)
    bn = base.bn.get(form, "none") if bn is None else bn
    if bn not in BN_TENSORS:
        raise MbcalcError(f"bn must be one of {', '.join(BN_TENSORS)}, got '{bn}'")
    return Convention(biases=biases, bn=bn, elementwise=elementwise)
