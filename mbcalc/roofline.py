"""Roofline bounds: how fast each operator could possibly run on a device, from its Mult-Adds and
its traffic.

An operator needs at least its Mult-Adds / the device's peak Mult-Adds per second at the dtype,
and at least its traffic (inputs, weights and output, each moved once) / the memory bandwidth.
Its bound is the larger of the two, and says which one binds it (compute or memory); a network's
bound is the sum over its operators. A lower bound, never a latency prediction: real kernels
reach a fraction of either roof, and a runtime adds its own overheads.
"""

from __future__ import annotations

from fractions import Fraction

from .errors import ArgumentError
from .memory import Memory
from .read.device import Device
from .record import Record, record


@record
class Bound(Record):
    layer: str
    op: str
    macs: int
    traffic_bytes: int
    compute_seconds: Fraction  # Mult-Adds / peak
    memory_seconds: Fraction  # traffic / bandwidth

    @property
    def seconds(self) -> Fraction:
        return max(self.compute_seconds, self.memory_seconds)

    @property
    def bound_by(self) -> str:
        return "compute" if self.compute_seconds >= self.memory_seconds else "memory"


@record
class Roofline(Record):
    memory: Memory
    device: Device
    bounds: tuple[Bound, ...]

    @property
    def peak(self) -> int:
        """The device's Mult-Adds per second at the dtype."""
        return self.device.peak[self.memory.dtype]

    @property
    def ridge(self) -> Fraction:
        """The arithmetic intensity (Mult-Adds per byte) where the two roofs meet."""
        return Fraction(self.peak, self.device.bandwidth)

    @property
    def seconds(self) -> Fraction:
        return sum((b.seconds for b in self.bounds), Fraction(0))

    def share(self, bound_by: str) -> tuple[int, Fraction]:
        """(operators, seconds) bound by compute or by memory."""
        chosen = [b for b in self.bounds if b.bound_by == bound_by]
        return len(chosen), sum((b.seconds for b in chosen), Fraction(0))

    def fraction(self, bound_by: str) -> Fraction:
        """The part of the total bound that compute- (or memory-) bound operators take."""
        total = self.seconds
        return self.share(bound_by)[1] / total if total else Fraction(0)


def roofline(memory: Memory, device: Device) -> Roofline:
    if memory.dtype not in device.peak:
        known = ", ".join(device.peak)
        message = f"the device '{device.name}' gives no peak for {memory.dtype} (it gives {known}): use that dtype"
        raise ArgumentError(
            message.replace("use that dtype", "use dtype=" + repr(next(iter(device.peak)))),
            message.replace(
                "use that dtype",
                f"use --dtype {next(iter(device.peak))}, or add peak.{memory.dtype} to the device file",
            ),
        )
    peak, bandwidth = device.peak[memory.dtype], device.bandwidth
    bounds = tuple(
        Bound(
            step.layer,
            step.op,
            step.macs,
            step.traffic_bytes,
            Fraction(step.macs, peak),
            Fraction(step.traffic_bytes, bandwidth),
        )
        for step in memory.steps
    )
    return Roofline(memory, device, bounds)
