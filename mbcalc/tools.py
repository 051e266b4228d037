"""The counting tools' conventions: what ptflops, thop, fvcore, torchinfo, PyTorch's FlopCounterMode
and ptflops' aten backend print for a framework model, computed from the layer IR.

Every tool's total is an exact sum of line items an analysis knows per layer (conv and FC
Mult-Adds, biases, batch-norm elements and channels, each activation module, pooling inputs and
outputs ...), each with the tool's own coefficient. Which line item a layer makes depends on the
PyTorch module the implementation builds it with (timm's V1 fuses batch norm and ReLU6 into
`BatchNormAct2d`; torchvision's V2 pools with `F.adaptive_avg_pool2d`), so that is data here too.

The coefficients were measured on the real tools (tests/harness/tool_counts.py, records in
tests/data/counting_tools.json) and read from their sources; the test suite checks every record.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import ArgumentError
from .expansion.profiles import base_name, is_variant
from .ir import Layer, Network
from .record import Record, record

# Line items, in the order `explain` shows them: key -> what it is.
ITEMS: dict[str, str] = {
    "conv_macs": "conv Mult-Adds",
    "fc_macs": "FC Mult-Adds",
    "conv_bias": "conv biases (one add per output element)",
    "fc_bias": "FC biases (one add per output)",
    "bn_elements": "batch norm, per element",
    "bn_channels": "batch norm, per channel",
    "bnact_elements": "batch norm fused with its activation (timm's BatchNormAct2d), per element",
    "relu": "ReLU, per element",
    "relu6": "ReLU6, per element",
    "hardswish": "h-swish, per element",
    "hardsigmoid": "hard-sigmoid, per element",
    "pool_module_in": "global average pool (a module in PyTorch), per input element",
    "pool_module_out": "global average pool, per output element",
    "pool_function_in": "average pool function (F.adaptive_avg_pool2d), per input element",
    "se_pool_in": "squeeze-excite pool (torchvision: nn.AdaptiveAvgPool2d; timm: x.mean), per input element",
    "se_pool_out": "squeeze-excite pool, per output element",
    "attention_macs": "attention products Q·Kᵀ and ·V, Mult-Adds",
    "multiply": "squeeze-excite multiply, per element",
    "add": "residual adds, per element",
    "softmax": "softmax, per class",
    "rescaling": "input rescaling x / 127.5 - 1 (Keras V3), per input element",
}


@record
class Tool(Record):
    name: str
    unit: str  # what its number counts: "MACs" or "FLOPs"
    profiles: tuple[str, ...]  # the profiles whose framework models it counts
    version: str  # the version measured
    call: str  # how it was called
    coefficients: Mapping[str, int]  # line item -> coefficient; items not named count 0
    notes: str = ""  # what it counts twice, or leaves out, in words
    forms: tuple[str, ...] = ("v1", "v2", "v3")  # the spec forms whose framework models it was measured on
    models: frozenset[str] | None = None  # only these bundled models (None: any spec of the forms)


# The bundled models timm builds as the torchvision profile does (timm's names: mbcalc's aliases).
TIMM_MODELS = frozenset(
    {
        "v1",
        "v2",
        "v3-large",
        "v3-small",
        "v3-large-minimalistic",
        "v3-small-minimalistic",
        "mnasnet-a1",
        "mobilenetv4-conv-small",
        "mobilenetv4-conv-medium",
        "mobilenetv4-conv-large",
        "mobilenetv4-hybrid-medium",
        *(f"efficientnet-b{i}" for i in range(8)),
    }
)
PYTORCH = ("torchvision", "paper")  # torchvision's and timm's models; the paper's V1 in plain PyTorch
TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "flopcounter",
            "FLOPs",
            PYTORCH,
            "torch 2.13",
            "torch.utils.flop_counter.FlopCounterMode().get_total_flops()",
            {"conv_macs": 2, "fc_macs": 2},
            "2 FLOPs per Mult-Add of convolutions and matrix products; biases, batch norm and the rest not counted",
        ),
        Tool(
            "ptflops",
            "MACs",
            PYTORCH,
            "ptflops 0.7.5",
            "ptflops.get_model_complexity_info(model, (3, R, R), backend='pytorch')",
            {
                "conv_macs": 1,
                "conv_bias": 1,
                "fc_macs": 1,
                "fc_bias": 1,
                "bn_elements": 2,
                "relu": 2,
                "relu6": 1,
                "pool_module_in": 2,
                "se_pool_in": 2,
                "pool_function_in": 1,
            },
            "counts nn.ReLU and nn.AdaptiveAvgPool2d twice (the module's hook and the patched F.relu, "
            "F.adaptive_avg_pool2d it calls); leaves out timm's BatchNormAct2d (it hooks exact module types)",
        ),
        Tool(
            "ptflops-aten",
            "MACs",
            PYTORCH,
            "ptflops 0.7.5",
            "ptflops.get_model_complexity_info(model, (3, R, R), backend='aten')",
            {"conv_macs": 1, "conv_bias": 1, "fc_macs": 1, "fc_bias": 1},
            "convolutions and matrix products with their biases, nothing else",
        ),
        Tool(
            "thop",
            "MACs",
            PYTORCH,
            "ultralytics-thop 2.2.3",
            "thop.profile(model, inputs=(x,))",
            {
                "conv_macs": 1,
                "fc_macs": 1,
                "bn_elements": 4,
                "bnact_elements": 4,
                "pool_module_in": 1,
                "pool_module_out": 1,
                "se_pool_in": 1,
                "se_pool_out": 1,
            },
            "batch norm 2 per element, doubled for its learned scale and shift; pooling modules only",
        ),
        Tool(
            "fvcore",
            "MACs",  # fvcore calls them flops
            PYTORCH,
            "fvcore 0.1.5",
            "fvcore.nn.FlopCountAnalysis(model, x).total()",
            {
                "conv_macs": 1,
                "fc_macs": 1,
                "bn_elements": 2,
                "bnact_elements": 2,
                "pool_module_in": 1,
                "se_pool_in": 1,
                "pool_function_in": 1,
            },
            "one 'flop' per Mult-Add (no biases), batch norm 2 per element, pooling 1 per input element; "
            "activations, adds and multiplies skipped as unsupported",
        ),
        Tool(
            "torchinfo",
            "MACs",
            PYTORCH,
            "torchinfo 1.8.0",
            "torchinfo.summary(model, input_size=(1, 3, R, R)).total_mult_adds",
            {"conv_macs": 1, "conv_bias": 1, "fc_macs": 1, "fc_bias": 1, "bn_channels": 2},
            "each leaf module's parameters times its output positions: batch norm 2 per channel, not per element",
        ),
        Tool(
            "tf-profiler",
            "FLOPs",
            ("keras",),
            "TensorFlow 2.15",
            "tf.compat.v1.profiler.profile(frozen graph, options=float_operation()).total_float_ops",
            {
                "conv_macs": 2,
                "fc_macs": 2,
                "conv_bias": 1,
                "fc_bias": 1,
                "add": 1,
                "pool_module_in": 1,
                "se_pool_in": 1,
                "multiply": 1,
                "hardsigmoid": 2,
                "hardswish": 3,
                "softmax": 5,
                "rescaling": 2,
            },
            "TensorFlow's registered flop counts: 2 per Mult-Add, biases, adds, the squeeze-excite product, "
            "pooling per input element, hard-sigmoid 2 and hard-swish 3 per element, softmax 5 per class, "
            "the V3 input rescaling 2 per element; batch norm (not folded) and ReLU count nothing",
        ),
        Tool(
            "timm",
            "MACs",
            ("torchvision",),
            "timm benchmark.py (commit 90cae8c5)",
            "fvcore FlopCountAnalysis(model, torch.ones(1, 3, R, R)).total() on timm's model, as its benchmark "
            "tables' GMACs column",
            {
                "conv_macs": 1,
                "fc_macs": 1,
                "attention_macs": 1,
                "bn_elements": 2,
                "bnact_elements": 2,
                "pool_module_in": 1,
                "pool_function_in": 1,  # timm's head pools with a module wherever torchvision's does not
            },
            "fvcore on timm's models: batch norm 2 per element, the head's pool 1 per input element; "
            "squeeze-excite squeezes with x.mean (not counted); attention products counted with fused attention off",
            ("v1", "v2", "v3", "graph"),
            TIMM_MODELS,
        ),
    )
}

# How the PyTorch implementations build each layer, where it matters to the tools (profile, form)
# -> {operator: module kind, or None: no module at all}. Unnamed operators keep their own kind.
MODULES: dict[tuple[str, str], dict[str, str | None]] = {
    ("torchvision", "v1"): {"relu": "relu6", "bn": "bnact", "softmax": None},  # timm mobilenetv1_100
    ("torchvision", "v2"): {"avgpool": "pool_function"},  # torchvision: F.adaptive_avg_pool2d in the head
    ("torchvision", "v3"): {},
    ("paper", "v1"): {"softmax": None},  # the paper's Table 1 in plain PyTorch (tests/harness/tool_counts.py)
    ("keras", "v1"): {},
    ("keras", "v2"): {},
    ("keras", "v3"): {},
}
# What a Keras application adds that the papers' tables leave out: (form) -> (rescaling the input,
# a softmax over the classes).
KERAS_EXTRAS = {"v1": (False, False), "v2": (False, True), "v3": (True, True)}
KINDS = {"hswish": "hardswish", "hsigmoid": "hardsigmoid", "avgpool": "pool_module"}


def tool(name: str) -> Tool:
    if name not in TOOLS:
        raise ArgumentError(
            f"counting must be one of {', '.join(TOOLS)}, got {name!r}",
            f"--counting must be one of {', '.join(TOOLS)}, got '{name}'",
        )
    return TOOLS[name]


FRAMEWORK_MODELS = {
    "torchvision": "the PyTorch models of profile 'torchvision' (torchvision's V2 and V3, timm's V1) and of "
    "profile 'paper' (the paper's V1 in plain PyTorch)",
    "keras": "the Keras applications of profile 'keras' (V1, V2, V3)",
}


def check_measured(network: Network, chosen: Tool | None, argument: str, flag: str) -> None:
    """Refuse a tool's count for a framework model whose modules mbcalc does not know (`chosen`
    None: any tool); `argument` and `flag` say what asked (counting='ptflops', --counting ptflops)."""
    profile = base_name(network.config.profile)  # a variant of a profile builds with its modules
    if chosen is not None and chosen.models is not None:
        problem = (
            _timm_problem(network) if profile == "torchvision" else "timm's builds are those of profile 'torchvision'"
        )
        if problem:
            raise ArgumentError(f"{argument}: {problem}", f"{flag}: {problem}")
        return
    fits = (profile, network.form) in MODULES and (chosen is None or profile in chosen.profiles)
    if not fits:
        whose = (
            " and ".join(FRAMEWORK_MODELS[p] for p in dict.fromkeys(map(framework, chosen.profiles)))
            if chosen
            else " and ".join(FRAMEWORK_MODELS.values())
        )
        known = f"{whose}, written as the papers' tables; {network.name} with profile '{profile}' is not one of them"
        raise ArgumentError(
            f"{argument} reproduces the counting tools for {known}", f"{flag} reproduces the counting tools for {known}"
        )


def _timm_problem(network: Network) -> str | None:
    """Why timm's benchmark figure cannot be given for this network (None: it can)."""
    if not network.bundled or network.name not in TIMM_MODELS:
        return f"timm builds {', '.join(sorted(TIMM_MODELS))}; {network.name} is not one of them"
    variant = is_variant(network.config.profile)  # mbcalc reproduce builds timm's own variant this way
    if network.form == "v3" and network.config.alpha < 1 and not variant:
        return (
            "timm builds V3 below width 1.0 as TensorFlow does (the head fixed, expansions as ratios), not as "
            "profile 'torchvision' does; its benchmark figures for those widths are compared in mbcalc reproduce"
        )
    return None


def framework(profile: str) -> str:
    """Whose framework a profile's model is in: PyTorch's ("torchvision", also the paper's V1
    reference build) or Keras's."""
    return "keras" if base_name(profile) == "keras" else "torchvision"


def tools_for(network: Network) -> tuple[Tool, ...]:
    """The tools that count this network's framework model."""
    profile = base_name(network.config.profile)
    return tuple(t for t in TOOLS.values() if profile in t.profiles and network.form in t.forms)


def line_items(layer: Layer, macs: int, modules: Mapping[str, str | None]) -> dict[str, int]:
    """The line items one layer makes, given its Mult-Adds and the implementation's modules."""
    kind = modules.get(layer.op, KINDS.get(layer.op, layer.op))
    if kind is None:
        return {}
    out = layer.output.size
    if layer.op in ("conv", "dw", "pw"):
        return {"conv_macs": macs, "conv_bias": out if layer.attrs["bias"] else 0}
    if layer.op == "fc":
        return {"fc_macs": macs, "fc_bias": layer.output.channels if layer.attrs["bias"] else 0}
    if kind in ("bn", "bnact"):
        return {f"{kind}_elements": out, f"{kind}_channels": layer.output.channels}
    if kind == "pool_module" and layer.role == "se":  # a squeeze-excite's squeeze: a module, or a mean
        return {"se_pool_in": layer.input.size, "se_pool_out": out}
    if kind == "pool_module":
        return {"pool_module_in": layer.input.size, "pool_module_out": out}
    if layer.op == "attention":
        return {"attention_macs": macs}
    if kind == "pool_function":
        return {"pool_function_in": layer.input.size, "pool_function_out": out}
    return {kind: out}


def items_by_layer(network: Network, macs: tuple[int, ...]) -> list[dict[str, int]]:
    profile = base_name(network.config.profile)
    modules = MODULES.get((profile, network.form), {})
    items = [line_items(layer, m, modules) for layer, m in zip(network.layers, macs, strict=True)]
    if profile == "keras" and network.form in KERAS_EXTRAS and items:
        rescaling, softmax = KERAS_EXTRAS[network.form]
        if rescaling:
            items[0]["rescaling"] = network.input.size
        if softmax and not network.config.backbone:  # include_top=False has no softmax
            items[-1]["softmax"] = network.classes
    return items


def reported(items: Mapping[str, int], chosen: Tool) -> int:
    """What `chosen` prints for a layer (or a network) with these line items."""
    return sum(coefficient * items.get(item, 0) for item, coefficient in chosen.coefficients.items())
