"""The view of `mbcalc memory`: the live bytes while each operator runs, the named peaks, the
weights as deployed, a verdict against a RAM and a flash budget, and with a device each
operator's roofline bound."""

from __future__ import annotations

from ..memory import PEAKS, Memory
from ..record import Record, record
from ..roofline import Roofline
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
    "patch": "the blocks to output stride 8 in 4x4 patches, then layer by layer, depthwise in place (MCUNetV2)",
}


def kib(value: int) -> str:
    return f"{value / 1024:,.1f} KiB"


def microseconds(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f}"


def rate(value: int, unit: str) -> str:
    """960000000, ' Mult-Adds/s' -> '960M Mult-Adds/s'; 1920000000, ' B/s' -> '1.92G B/s'."""
    for scale, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K")):
        if scale <= value < 1000 * scale or (prefix == "T" and value >= scale):
            return f"{value / scale:,.4g}{prefix}{unit}" if value < 10**15 else f"{value:,}{unit}"
    return f"{value:,}{unit}"


@record
class MemoryView(Record):
    memory: Memory
    sram: int | None = None
    flash: int | None = None
    roofline: Roofline | None = None

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
        m, roof = self.memory, self.roofline
        arena_at = m.peak_layer["arena"]
        bounds = roof.bounds if roof else ()
        rows = []
        for i, step in enumerate(m.steps, 1):
            mark = " ◀ peak" if step.layer == arena_at else ""
            bound = (microseconds(float(bounds[i - 1].seconds)), bounds[i - 1].bound_by) if roof else ()
            rows.append(
                (
                    str(i),
                    step.layer + mark,
                    step.op,
                    number(step.io_bytes, True),
                    number(step.live_bytes, True),
                    number(step.traffic_bytes, True),
                    f"{step.intensity:.1f}",
                    *bound,
                    ", ".join(step.live),
                )
            )
        headers: tuple[str, ...] = ("#", "operator", "op", "in + out bytes", "live bytes", "traffic bytes", "MACs/byte")
        headers += ("bound µs", "bound by") if roof else ()
        last = len(headers)  # the live tensors' column
        steps = Section(
            "Live memory and traffic per operator",
            (*headers, "live tensors"),
            tuple(rows),
            (3, 4, 5, 6) + ((7,) if roof else ()),
            wrap=(1, last),
            optional=(last, 0, 2, 6, 5),
        )
        peaks = tuple(
            (name, number(m.peak[name], True), kib(m.peak[name]), m.peak_layer[name], PEAK_WORDS[name])
            if name in m.peak
            else (name, "-", "-", "", f"{PEAK_WORDS[name]}: does not apply, {m.unavailable[name]}")
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
        sections = [steps, peak_section, weight_section]
        if roof:
            sections.append(self._roofline_section(roof))
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
        if roof:
            footer.append(
                f"Bound: max(Mult-Adds / peak, traffic / bandwidth) per operator on {roof.device.name}, summed: "
                "a lower bound, never a latency prediction."
            )
            footer += [f"Source of the {key}: {text}" for key, text in roof.device.sources.items()]
        footer += self.verdicts()
        heading = f"{network_title(m.network)}: memory in {m.dtype}"
        return Document(heading, tuple(sections), tuple(footer))

    @staticmethod
    def _roofline_section(roof: Roofline) -> Section:
        device = roof.device
        total = float(roof.seconds)

        def part(kind: str) -> str:
            count, seconds = roof.share(kind)
            share = 100 * float(roof.fraction(kind))
            return f"{count} operators, {float(seconds) * 1e3:,.3f} ms ({share:.0f}% of the bound)"

        rows = (
            ("device", f"{device.name}: {device.description}" if device.description else device.name),
            ("peak", f"{rate(roof.peak, ' Mult-Adds/s')} at {roof.memory.dtype} (source below)"),
            ("bandwidth", f"{rate(device.bandwidth, ' bytes/s')} (source below)"),
            ("ridge point", f"{float(roof.ridge):,.2f} Mult-Adds per byte: below it an operator is memory-bound"),
            ("compute-bound", part("compute")),
            ("memory-bound", part("memory")),
            ("total bound", f"{total * 1e3:,.3f} ms (a lower bound, not a latency)"),
        )
        return Section("Roofline bound", ("", "value"), rows, (), wrap=(1,))

    def data(self) -> dict:
        m = self.memory
        cfg = m.network.config
        data: dict = {
            "model": m.network.name,
            "alpha": cfg.alpha,
            "resolution": cfg.resolution,
            "width": cfg.size[1],
            "profile": cfg.profile,
            "dtype": m.dtype,
            "peak": dict(m.peak),
            "peak_layer": dict(m.peak_layer),
            "peak_unavailable": dict(m.unavailable),
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
        if self.roofline:
            roof, device = self.roofline, self.roofline.device
            for step, bound in zip(data["steps"], roof.bounds, strict=True):
                step["bound_seconds"], step["bound_by"] = float(bound.seconds), bound.bound_by
            data["device"] = {
                "name": device.name,
                "description": device.description,
                "file": device.file,
                "peak": dict(device.peak),
                "bandwidth": device.bandwidth,
                "sram": device.sram,
                "flash": device.flash,
                "sources": dict(device.sources),
            }
            compute, memory = roof.share("compute"), roof.share("memory")
            data["roofline"] = {
                "peak": roof.peak,
                "bandwidth": device.bandwidth,
                "ridge": float(roof.ridge),
                "bound_seconds": float(roof.seconds),
                "compute_bound": {"operators": compute[0], "seconds": float(compute[1])},
                "memory_bound": {"operators": memory[0], "seconds": float(memory[1])},
            }
        return data

    def csv(self):
        header = ["index", "layer", "op", "io_bytes", "live_bytes", "macs", "weight_bytes", "traffic_bytes", "live"]
        rows = [
            [i, s.layer, s.op, s.io_bytes, s.live_bytes, s.macs, s.weight_bytes, s.traffic_bytes, " ".join(s.live)]
            for i, s in enumerate(self.memory.steps, 1)
        ]
        if self.roofline:
            header += ["bound_seconds", "bound_by"]
            for row, bound in zip(rows, self.roofline.bounds, strict=True):
                row += [float(bound.seconds), bound.bound_by]
        return header, rows
