"""The deployment view: weight bytes as deployed, and activation memory under named models.

Weights: batch norm folded into the convolution before it (which then carries a bias); bytes per
dtype, with TensorFlow Lite's int8 scheme (int8 weights, int32 biases; the quantization
parameters, a float32 scale and an int64 zero point per output channel of each convolution's
weights and bias as its flatbuffer stores them, counted apart; the activations' own pairs are not
counted). Checked against converted Keras models: tests/data/tflite_weights.json.

Activations: each layer that computes a new tensor allocates its output; batch norm and
activations fuse into the operator before them, and dropout and flatten are views, so they
allocate nothing. A tensor is live from the operator that makes it to its last reader. Named
models of the peak, each from its source:

* largest-tensor: the largest single activation (the V2 paper's Table 3).
* layer-io: the largest sum of one operator's inputs and output (layer-by-layer inference).
* layer-io-inplace-dw: the same with depthwise convolutions run in place (MCUNet's engine: a
  depthwise layer needs only the larger of its input and output).
* arena: the largest sum of the tensors live while an operator runs (its inputs, its output and
  every tensor still waiting for a later reader: a residual's skip branch, a concat's inputs).
* greedy-arena: the arena a greedy-by-size offset planner allocates (TensorFlow Lite Micro's
  GreedyMemoryPlanner): tensors placed largest first at the lowest offset that overlaps no
  tensor live at the same time. At least `arena`; fragmentation makes it larger.
* bottleneck: the largest tensor that must be materialized when inverted residual blocks run as
  the V2 paper's Section 5.1 describes: the expansion is computed t slices at a time, each slice
  through the depthwise and accumulated into the projection, so only a block's input and output
  (the bottlenecks) exist whole. A tensor inside such a block that two operators read (a
  squeeze-excite's depthwise output, read by its pool and by its scale, which waits for the gate
  that needs every channel) is materialized. The paper's first-layer trick: a block without an
  expansion whose input only a convolution writes and only it reads takes that convolution as its
  expansion. This reproduces Table 3 (1600K for V1, 400K for V2 at 16 bits); `materialized`
  gives the largest such tensor at each spatial size, as the table's rows do.
* patch: MCUNetV2's patch-based inference. The layers up to the end of the first block at output
  stride 8 (the stem and V2's first four blocks, "the first five blocks") run in 4x4 patches:
  each patch computes its tile of the stage's output from the region of every tensor it needs
  (halos recomputed, not kept), with depthwise convolutions in place, while the stage's whole
  output buffer fills; the input image is read a patch at a time and not counted. The rest runs
  layer by layer as `layer-io-inplace-dw`. The peak is the larger of the two (MobileNetV2 in
  int8: 175,616 bytes after the stage, MCUNetV2's 172 kB).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from .cost import DTYPES, Convention
from .counting import count
from .errors import ArgumentError
from .expansion.roles import global_pool
from .ir import Layer, Network, Shape
from .ops import FOLLOWERS, LEARNED, REGISTRY, Attrs, block_of, kernel_w
from .record import Record, field, record
from .units import amount

VIEWS = frozenset({"dropout", "flatten"})  # no arithmetic and no copy: the same tensor
WEIGHTED = frozenset({"conv", "dw", "pw", "fc", "deconv"})
PEAKS = ("largest-tensor", "layer-io", "layer-io-inplace-dw", "arena", "greedy-arena", "bottleneck", "patch")
PATCHES = 4  # MCUNetV2's 4x4 patches
PATCH_STRIDE = 8  # the patch-based stage ends at output stride 8
INPUT = "input"


@record
class Step(Record):
    """One operator that allocates its output, in execution order."""

    layer: str  # the layer whose output the tensor is (after the layers fused into it)
    op: str
    inputs: tuple[str, ...]  # tensors read
    output: str  # the tensor written
    fused: tuple[str, ...]  # the batch norm and activations fused into it
    live: tuple[str, ...]  # every tensor live while it runs (inputs, output, and tensors waiting)
    live_bytes: int
    io_bytes: int  # its inputs and output
    macs: int  # its Mult-Adds
    weight_bytes: int  # its weights and bias, as deployed at the dtype
    traffic_bytes: int  # read and written once each: inputs, weights, output

    @property
    def intensity(self) -> float:
        """Arithmetic intensity: Mult-Adds per byte moved."""
        return self.macs / self.traffic_bytes if self.traffic_bytes else 0.0


@record
class Memory(Record):
    network: Network
    dtype: str
    steps: tuple[Step, ...]
    tensors: dict[str, int]  # tensor -> bytes
    weights_bytes: int  # weights and biases at the dtype's scheme (batch norm folded)
    quantization_bytes: int  # int8: per-channel scale and zero point; 0 for the float dtypes
    peak: dict[str, int]  # each named model of the peak -> bytes
    peak_layer: dict[str, str]  # where each peak is reached
    sliced: frozenset[str]  # the tensors the bottleneck model never materializes whole
    unavailable: dict[str, str] = field(default_factory=dict)  # a named peak that does not apply -> why

    @property
    def bytes_per_element(self) -> int:
        return DTYPES[self.dtype]

    def materialized(self, height: int, width: int) -> tuple[int, int, str]:
        """(bytes, channels, tensor) of the largest tensor of that spatial size the bottleneck
        model materializes (the V2 paper's Table 3 rows); (0, 0, '') if there is none."""
        shapes = {INPUT: self.network.input} | {layer.name: layer.output for layer in self.network.layers}
        found = [
            (self.tensors[t], shapes[t].channels, t)
            for t in self.tensors  # in execution order: ties go to the first
            if t not in self.sliced and (shapes[t].height, shapes[t].width) == (height, width)
        ]
        return max(found, key=lambda found: found[0], default=(0, 0, ""))


def analyze_memory(network: Network, dtype: str = "int8") -> Memory:
    if dtype not in DTYPES:
        raise ArgumentError(
            f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}", f"--dtype must be one of {', '.join(DTYPES)}"
        )
    size = DTYPES[dtype]
    alias: dict[str, str] = {INPUT: INPUT}  # layer -> the tensor its output is
    tensors: dict[str, int] = {INPUT: network.input.size * size}
    produced: list[tuple[str, str, tuple[str, ...]]] = []  # (tensor, op, inputs) in order
    fused: dict[str, list[str]] = {}
    for layer in network.layers:
        shape_only = REGISTRY[layer.op].size_from  # an input read for its size only is not read
        sources = tuple(dict.fromkeys(alias[name] for i, name in enumerate(layer.inputs) if i != shape_only))
        follows = len(layer.inputs) == 1 and produced and sources[0] == produced[-1][0]
        if layer.op in VIEWS or (layer.op in FOLLOWERS and follows):
            alias[layer.name] = sources[0]
            if layer.op in FOLLOWERS:
                fused.setdefault(sources[0], []).append(layer.name)
            continue
        alias[layer.name] = layer.name
        tensors[layer.name] = layer.output.size * size
        produced.append((layer.name, layer.op, sources))
    last_reader = {INPUT: 0}
    for i, (_, _, sources) in enumerate(produced):
        for tensor in sources:
            last_reader[tensor] = i
    final = produced[-1][0] if produced else INPUT
    last_reader[final] = len(produced)  # the network's output is read after the last step
    born = {INPUT: -1} | {tensor: i for i, (tensor, _, _) in enumerate(produced)}

    followed_by_bn = _followed_by_bn(network)
    per_channel = _per_channel_bytes(network, alias, size)
    macs = {layer.name: cost.macs for layer, cost in zip(network.layers, count(network, Convention()), strict=True)}
    by_name = {layer.name: layer for layer in network.layers}
    ending: dict[int, list[str]] = {}  # step -> the tensors nothing reads after it
    for t in tensors:
        ending.setdefault(last_reader.get(t, born[t]), []).append(t)
    active = dict.fromkeys([INPUT])  # the tensors live now, in the order they were made
    steps, pairs = [], 0  # pairs: quantization parameters (a scale and a zero point) of the weights
    for i, (tensor, op, sources) in enumerate(produced):
        active[tensor] = None
        live = tuple(active)
        for done in ending.get(i, ()):
            active.pop(done, None)
        io = sum(tensors[t] for t in sources) + tensors[tensor]
        layer = by_name[tensor]
        weight_bytes = per_channel.get(tensor, 0)
        if op in WEIGHTED:  # a weighted operator is never fused away: every one is a step
            has_bias = bool(layer.attrs.get("bias")) or layer.name in followed_by_bn
            layer_bytes, layer_pairs = _layer_weights(layer, has_bias, size)
            weight_bytes += layer_bytes
            pairs += layer_pairs
        steps.append(
            Step(
                tensor,
                op,
                sources,
                tensor,
                tuple(fused.get(tensor, ())),
                live,
                sum(tensors[t] for t in live),
                io,
                macs[tensor],
                weight_bytes,
                io + weight_bytes,
            )
        )

    def inplace(step: Step) -> int:
        is_dw = by_name[step.layer].type == "depthwise"
        return max(tensors[step.inputs[0]], tensors[step.output]) if is_dw else step.io_bytes

    candidates = {
        "largest-tensor": max(((b, t) for t, b in tensors.items()), default=(0, "")),
        "layer-io": max(((s.io_bytes, s.layer) for s in steps), default=(0, "")),
        "layer-io-inplace-dw": max(((inplace(s), s.layer) for s in steps), default=(0, "")),
        "arena": max(((s.live_bytes, s.layer) for s in steps), default=(0, "")),
    }
    sliced = _sliced(network, produced, by_name)
    candidates["greedy-arena"] = (_greedy(tensors, born, last_reader), "")
    whole = [(b, t) for t, b in tensors.items() if t not in sliced]  # in execution order: ties go to the first
    candidates["bottleneck"] = max(whole, key=lambda pair: pair[0], default=(0, ""))
    unavailable = {}
    patched = _patch_peak(steps, tensors, by_name, network.input, inplace)
    if isinstance(patched, str):
        unavailable["patch"] = patched
    else:
        candidates["patch"] = patched
    peak = {name: value for name, (value, _) in candidates.items()}
    where = {name: layer for name, (_, layer) in candidates.items()}
    weights = sum(step.weight_bytes for step in steps)
    quantization = 12 * pairs if size == 1 else 0  # a float32 scale and an int64 zero point each
    return Memory(
        network, dtype, tuple(steps), tensors, weights, quantization, peak, where, frozenset(sliced), unavailable
    )


def _sliced(network: Network, produced: list[tuple[str, str, tuple[str, ...]]], by_name: dict[str, Layer]) -> set[str]:
    """The tensors the bottleneck model computes a channel slice at a time and never whole."""
    readers: dict[str, int] = {}
    for _, _, sources in produced:
        for tensor in sources:
            readers[tensor] = readers.get(tensor, 0) + 1
    index = {tensor: i for i, (tensor, _, _) in enumerate(produced)}
    blocks: dict[str, list[int]] = {}  # block -> the indices of its steps, in order
    previous = ""
    for layer in network.layers:
        previous = block_of(layer, previous)
        if layer.name in index:
            blocks.setdefault(previous, []).append(index[layer.name])
    sliced: set[str] = set()
    for members in blocks.values():
        types = [by_name[produced[i][0]].type for i in members]
        if "depthwise" not in types:
            continue
        first_dw = types.index("depthwise")
        size = _spatial(by_name[produced[members[first_dw]][0]])
        project = next(  # the projection, which the slices accumulate into (not a squeeze-excite's 1x1)
            (
                j
                for j in range(first_dw, len(members))
                if types[j] == "pointwise" and _spatial(by_name[produced[members[j]][0]]) == size
            ),
            None,
        )
        if project is None:
            continue
        inside = {produced[i][0]: produced[i][2] for i in members[:project]}
        feeding, stack = set(), list(produced[members[project]][2])
        while stack:  # what the projection is made from inside the block (not a branch around it)
            tensor = stack.pop()
            if tensor in inside and tensor not in feeding:
                feeding.add(tensor)
                if by_name[tensor].type not in ("pointwise", "conv"):  # an expansion's input stays whole
                    stack += inside[tensor]
        sliced.update(t for t in feeding if readers.get(t) == 1)
        if "pointwise" not in types[:first_dw]:  # no expansion: the paper's first-layer trick
            (source,) = produced[members[0]][2][:1] or ("",)
            if source in index and by_name[source].type == "conv" and readers.get(source) == 1:
                sliced.add(source)
    for tensor, _, sources in produced:  # only a global pool reads it: made slice by slice into the pool
        if global_pool(by_name[tensor]) and len(sources) == 1 and sources[0] in index:
            made_from = produced[index[sources[0]]][2]
            if readers.get(sources[0]) == 1 and not sliced.intersection(made_from):
                sliced.add(sources[0])
    return sliced


def _patch_peak(
    steps: list[Step],
    tensors: dict[str, int],
    by_name: dict[str, Layer],
    image: Shape,
    inplace: Callable[[Step], int],
) -> tuple[int, str] | str:
    """MCUNetV2's patch-based inference of the stage up to the first block at output stride 8 (see
    the module's notes): (bytes, where), or why the model does not apply to this network."""
    target = (-(-image.height // PATCH_STRIDE), -(-image.width // PATCH_STRIDE))
    end = next(  # the first block's last step at output stride 8 or more
        (
            i
            for i, step in enumerate(steps)
            if (lambda out: out.height <= target[0] and out.width <= target[1])(by_name[step.layer].output)
            and (i + 1 == len(steps) or block_of(by_name[steps[i + 1].layer], "") != block_of(by_name[step.layer], ""))
        ),
        None,
    )
    if end is None or end + 1 == len(steps):
        return "no block ends at output stride 8 before the last operator: nothing to run in patches"
    stage, rest = steps[: end + 1], steps[end + 1 :]
    made = {step.output for step in stage[:-1]} | {INPUT}
    for step in rest:
        if early := made.intersection(step.inputs):
            return f"{step.layer} reads {min(early)}, made before the patch stage ends: it would be held whole"
    for step in stage:
        layer = by_name[step.layer]
        op = REGISTRY[layer.op]
        if op.resize(cast(Attrs, layer.attrs)) not in ("same", "window") or op.size_from is not None:
            return f"{step.layer} ({layer.op}) needs its whole input map, which no patch holds"
    last = by_name[stage[-1].output].output
    tile = {stage[-1].output: (-(-last.height // PATCHES), -(-last.width // PATCHES))}
    shape_of = {INPUT: image} | {name: layer.output for name, layer in by_name.items()}
    for step in reversed(stage):  # the region of each tensor one patch needs: back through the stage
        a = by_name[step.layer].attrs
        need = tile[step.output]
        kernels = (a["kernel"], kernel_w(a)) if a.get("kernel") else (1, 1)
        span_h, span_w = (a.get("dilation", 1) * (k - 1) + 1 for k in kernels)
        stride = a.get("stride", 1) if a.get("kernel") else 1
        for tensor in step.inputs:
            shape = shape_of[tensor]
            region = (
                min((need[0] - 1) * stride + span_h, shape.height),
                min((need[1] - 1) * stride + span_w, shape.width),
            )
            held = tile.get(tensor, (0, 0))
            tile[tensor] = (max(held[0], region[0]), max(held[1], region[1]))
    buffer = tensors[stage[-1].output]

    def patch_bytes(tensor: str) -> int:
        shape, (height, width) = shape_of[tensor], tile[tensor]
        return tensors[tensor] * height * width // (shape.height * shape.width)

    inside = []
    for step in stage:
        ins = [patch_bytes(t) for t in step.inputs]
        out_bytes = 0 if step is stage[-1] else patch_bytes(step.output)  # the last writes into the buffer
        is_dw = by_name[step.layer].type == "depthwise"
        inside.append(((max(ins[0], out_bytes) if is_dw else sum(ins) + out_bytes) + buffer, step.layer))
    after = max(((inplace(step), step.layer) for step in rest), key=lambda pair: pair[0])
    return max([after, *inside], key=lambda pair: pair[0])


def _spatial(layer: Layer) -> tuple[int, int]:
    return layer.output.height, layer.output.width


def _greedy(tensors: dict[str, int], born: dict[str, int], last: dict[str, int]) -> int:
    """The arena size a greedy-by-size planner needs (TensorFlow Lite Micro's GreedyMemoryPlanner)."""
    placed: list[tuple[int, int]] = []  # (offset, end offset) of each placed tensor
    alive: dict[int, list[int]] = {}  # step -> the placed tensors live at it
    arena = 0
    for tensor in sorted(tensors, key=lambda t: (-tensors[t], born[t])):
        size, first, end = tensors[tensor], born[tensor], last.get(tensor, born[tensor])
        overlapping = {j for step in range(first, end + 1) for j in alive.get(step, ())}
        offset = 0
        for start, stop in sorted(placed[j] for j in overlapping):  # the lowest gap that fits
            if offset + size <= start:
                break
            offset = max(offset, stop)
        for step in range(first, end + 1):
            alive.setdefault(step, []).append(len(placed))
        placed.append((offset, offset + size))
        arena = max(arena, offset + size)
    return arena


def _per_channel_bytes(network: Network, alias: dict[str, str], size: int) -> dict[str, int]:
    """Bytes of the per-channel parameters no convolution absorbs, by the tensor whose step carries
    them: a PReLU's slopes and a layer scale (one per channel), and a batch norm that follows no
    convolution (after an add or a concat: a scale and a shift per channel), stored as the dtype."""
    by_name = {layer.name: layer for layer in network.layers}
    carried: dict[str, int] = {}
    for layer in network.layers:
        if layer.op in LEARNED or layer.op == "layer_scale":
            count = layer.output.channels
        elif layer.op == "bn" and layer.inputs and by_name.get(layer.inputs[0], layer).op not in WEIGHTED:
            count = 2 * layer.output.channels
        else:
            continue
        tensor = alias.get(layer.name, layer.name)
        carried[tensor] = carried.get(tensor, 0) + count * size
    return carried


def _followed_by_bn(network: Network) -> set[str]:
    return {layer.inputs[0] for layer in network.layers if layer.op == "bn" and layer.inputs}


def _layer_weights(layer: Layer, has_bias: bool, size: int) -> tuple[int, int]:
    """(weights and bias bytes, quantization parameter pairs) of one layer as deployed.

    int8 as TensorFlow Lite stores it (measured: tests/harness/tflite_weights.py): int32 biases;
    a float32 scale and an int64 zero point per output channel of a convolution's weights and
    again of its bias, one pair per tensor for a fully connected layer's."""
    out = layer.output.channels
    if layer.op == "fc":
        weights = layer.input.size * out
    else:
        a = layer.attrs
        weights = a["kernel"] * kernel_w(a) * (layer.input.channels // a["groups"]) * out
    biases = out if has_bias else 0
    per_tensor = 1 if layer.op == "fc" else out  # pairs per quantized tensor
    pairs = per_tensor * (2 if has_bias else 1)
    if size == 1:  # int8 weights, int32 biases
        return weights + 4 * biases, pairs
    return (weights + biases) * size, 0


def parse_size(text: str, argument: str = "size") -> int:
    """'256K' -> 256,000; '1.5MiB' -> 1,572,864; '300000' -> 300,000 (bytes). K, M, G are powers
    of 1000; Ki, Mi, Gi (KiB, MiB, GiB) powers of 1024."""
    try:
        return amount(text)
    except ValueError as exc:
        why = {
            "not a whole number": "a whole number of bytes",
            "out of range": "from 1 byte to 10^18",
        }.get(str(exc), "a size like 256K, 1M or 1.5MiB (K = 1000, Ki = 1024)")
        message = f"{argument} must be {why}, got '{text}'"
        raise ArgumentError(message, message) from None
