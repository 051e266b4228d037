"""The view of `mbcalc memory`: the live bytes while each operator runs, the named peaks, the
weights as deployed, and a verdict against a RAM and a flash budget."""

from __future__ import annotations

from dataclasses import dataclass

from ..memory import PEAKS, Memory
from ..units import number
from .document import Document, Section
from .model import network_title

PEAK_WORDS = {
    "largest-tensor": "the largest single tensor (V2 paper, Table 3)",
    "layer-io": "one operator's inputs and output (layer-by-layer inference)",
    "layer-io-inplace-dw": "the same, depthwise convolutions in place (MCUNet)",
    "arena": "the tensors live at once (liveness over the execution order): a lower bound",
    "greedy-arena": "what a greedy-by-size planner allocates (TensorFlow Lite Micro)",
    "bottleneck": "the largest tensor materialized when inverted residual blocks run in slices (V2 paper, Section 5.1)",
}


def kib(value: int) -> str:
    return f"{value / 1024:,.1f} KiB"


@dataclass(frozen=True)
class MemoryView:
    memory: Memory
    sram: int | None = None
    flash: int | None = None

    def verdicts(self) -> list[str]:
        m, lines = self.memory, []
        if self.sram is not None:
            peak, where = m.peak["arena"], m.peak_layer["arena"]
            gap = peak - self.sram
            lines.append(
                f"RAM: the arena peak {number(peak, True)} bytes "
                + (
                    f"fits in {number(self.sram, True)} ({number(-gap, True)} to spare)."
                    if gap <= 0
                    else f"does not fit in {number(self.sram, True)}: {number(gap, True)} bytes over, at {where}."
                )
            )
        if self.flash is not None:
            total = m.weights_bytes + m.quantization_bytes
            gap = total - self.flash
            lines.append(
                f"Flash: the weights {number(total, True)} bytes (quantization parameters included) "
                + (
                    f"fit in {number(self.flash, True)} ({number(-gap, True)} to spare)."
                    if gap <= 0
                    else f"do not fit in {number(self.flash, True)}: {number(gap, True)} bytes over."
                )
            )
        return lines

    def document(self) -> Document:
        m = self.memory
        arena_at = m.peak_layer["arena"]
        rows = []
        for i, step in enumerate(m.steps, 1):
            mark = " ◀ peak" if step.layer == arena_at else ""
            rows.append(
                (
                    str(i),
                    step.layer + mark,
                    step.op,
                    number(step.io_bytes, True),
                    number(step.live_bytes, True),
                    number(step.traffic_bytes, True),
                    f"{step.intensity:.1f}",
                    ", ".join(step.live),
                )
            )
        headers = ("#", "operator", "op", "in + out bytes", "live bytes", "traffic bytes", "MACs/byte", "live tensors")
        steps = Section(
            "Live memory and traffic per operator",
            headers,
            tuple(rows),
            (3, 4, 5, 6),
            wrap=(1, 7),
            optional=(7, 0, 2, 6, 5),
        )
        peaks = tuple(
            (name, number(m.peak[name], True), kib(m.peak[name]), m.peak_layer[name], PEAK_WORDS[name])
            for name in PEAKS
        )
        peak_section = Section(
            "Peak activation memory", ("model", "bytes", "KiB", "at", "what"), peaks, (1, 2), wrap=(4,)
        )
        weights = (
            ("weights and biases (batch norm folded)", number(m.weights_bytes, True), kib(m.weights_bytes)),
            ("quantization parameters (per channel)", number(m.quantization_bytes, True), kib(m.quantization_bytes)),
        )
        weight_section = Section("Weights as deployed", ("", "bytes", "KiB"), weights, (1, 2))
        scheme = (
            "int8 weights, int32 biases; a float32 scale and an int64 zero point per output channel of each "
            "convolution's weights and bias (TensorFlow Lite)"
            if m.dtype == "int8"
            else f"weights and biases in {m.dtype}"
        )
        footer = [f"Dtype {m.dtype}: {m.bytes_per_element} byte(s) per activation element; {scheme}."]
        footer.append("Batch norm and activations fuse into the operator before them; dropout and flatten are views.")
        footer.append(
            "Traffic: each operator reads its inputs and weights and writes its output once; "
            "MACs/byte is its arithmetic intensity (depthwise layers move much and compute little)."
        )
        footer += self.verdicts()
        heading = f"{network_title(m.network)}: memory in {m.dtype}"
        return Document(heading, (steps, peak_section, weight_section), tuple(footer))

    def data(self) -> dict:
        m = self.memory
        cfg = m.network.config
        return {
            "model": m.network.name,
            "alpha": cfg.alpha,
            "resolution": cfg.resolution,
            "profile": cfg.profile,
            "dtype": m.dtype,
            "peak": dict(m.peak),
            "peak_layer": dict(m.peak_layer),
            "weights_bytes": m.weights_bytes,
            "quantization_bytes": m.quantization_bytes,
            "steps": [
                {
                    "layer": s.layer,
                    "op": s.op,
                    "inputs": list(s.inputs),
                    "fused": list(s.fused),
                    "io_bytes": s.io_bytes,
                    "live_bytes": s.live_bytes,
                    "macs": s.macs,
                    "weight_bytes": s.weight_bytes,
                    "traffic_bytes": s.traffic_bytes,
                    "live": list(s.live),
                }
                for s in m.steps
            ],
            "verdicts": self.verdicts(),
        }

    def csv(self):
        header = ["index", "layer", "op", "io_bytes", "live_bytes", "macs", "weight_bytes", "traffic_bytes", "live"]
        rows = [
            [i, s.layer, s.op, s.io_bytes, s.live_bytes, s.macs, s.weight_bytes, s.traffic_bytes, " ".join(s.live)]
            for i, s in enumerate(self.memory.steps, 1)
        ]
        return header, rows
