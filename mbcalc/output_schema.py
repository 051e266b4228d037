"""The JSON Schema of mbcalc's JSON outputs: one object per command (model, compare, diff, conv,
reproduce), each with `schema_version`. `mbcalc docs` writes it to mbcalc/output.schema.json
(shipped in the package) and docs/; the test suite validates every command's output against it.

A consumer checks `schema_version` (the number below) before reading anything else; it changes
when a key is removed or changes meaning (new keys may appear without it changing).
"""

from __future__ import annotations

import json
from typing import Any

from .cost import DTYPES
from .schema_version import SCHEMA_VERSION
from .tools import TOOLS

COUNT = {"type": "integer", "minimum": 0}
SHARE = {"type": "number", "minimum": 0, "maximum": 1}
SHAPE = {"type": "array", "items": COUNT, "minItems": 3, "maxItems": 3, "description": "[channels, height, width]"}
TEXT = {"type": "string"}
SECONDS = {"type": "number", "minimum": 0}
VERSION = {"const": SCHEMA_VERSION, "description": "the version of this schema the output follows"}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = (), description: str = "") -> dict[str, Any]:
    """A closed object: every key listed, those not in `optional` required."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


GROUP = _object(
    {
        "layers": COUNT,
        "macs": COUNT,
        "params": COUNT,
        "macs_share": SHARE,
        "params_share": SHARE,
        "elementwise_ops": COUNT,
    },
    ("elementwise_ops",),
)
LAYER = _object(
    {
        "index": {"type": "integer", "minimum": 1},
        "name": TEXT,
        "op": {**TEXT, "description": "the layer's type, the by_type key"},
        "role": TEXT,
        "operator": {**TEXT, "description": "a short label, e.g. 'conv 3x3/2'"},
        "input": SHAPE,
        "output": SHAPE,
        "inputs": {"type": "array", "items": TEXT, "description": "the layers a merge reads"},
        "macs": COUNT,
        "params": COUNT,
        "elementwise_ops": COUNT,
        "reported": {**COUNT, "description": "with --counting: what the tool counts for this layer"},
    },
    ("inputs", "elementwise_ops", "reported"),
)
PART = _object(
    {
        "name": {**TEXT, "description": "the block's name, or the table row as written (with its line)"},
        "layers": COUNT,
        "first": {"type": "integer", "minimum": 1, "description": "the index of its first layer"},
        "input": SHAPE,
        "output": SHAPE,
        "macs": COUNT,
        "params": COUNT,
        "macs_share": SHARE,
        "params_share": SHARE,
        "elementwise_ops": COUNT,
        "reported": COUNT,
    },
    ("elementwise_ops", "reported"),
)
MODEL = _object(
    {
        "schema_version": VERSION,
        "model": TEXT,
        "description": TEXT,
        "alpha": {"type": "number", "exclusiveMinimum": 0},
        "resolution": {"type": "integer", "minimum": 1, "description": "the input's height"},
        "width": {"type": "integer", "minimum": 1, "description": "the input's width (the height, when square)"},
        "profile": TEXT,
        "classes": {"type": "integer", "minimum": 1},
        "backbone": {"type": "boolean"},
        "convention": {**TEXT, "description": "the counting convention, in words"},
        "macs": COUNT,
        "params": COUNT,
        "peak_activation": {**COUNT, "description": "the largest layer output, in elements"},
        "elementwise_ops": {**COUNT, "description": "with --count"},
        "flops": {**COUNT, "description": "with --flops: 2 x macs + elementwise_ops"},
        "counting": {"enum": list(TOOLS), "description": "with --counting: the counting tool"},
        "reported": {**COUNT, "description": "with --counting: exactly the integer that tool prints"},
        "reported_unit": {"enum": ["MACs", "FLOPs"]},
        "layers": {"type": "array", "items": LAYER},
        "by": {"enum": ["block", "row"]},
        "blocks": {"type": "array", "items": PART, "description": "with --by block"},
        "rows": {"type": "array", "items": PART, "description": "with --by row"},
        "by_type": {"type": "object", "additionalProperties": GROUP},
        "by_role": {"type": "object", "additionalProperties": GROUP},
        "by_part": {
            "type": "object",
            "additionalProperties": GROUP,
            "description": "a detector's or segmenter's backbone, neck and head",
        },
        "notes": {"type": "array", "items": TEXT},
    },
    ("elementwise_ops", "flops", "counting", "reported", "reported_unit", "by", "blocks", "rows", "by_part"),
    "mbcalc MODEL -f json: one configuration of one model",
)
CONFIGURATION = _object(
    {
        "model": TEXT,
        "alpha": {"type": "number"},
        "resolution": {"type": "integer"},
        "width": {"type": "integer", "description": "the input's width (the height, when square)"},
        "macs": COUNT,
        "params": COUNT,
        "elementwise_ops": COUNT,
        "flops": COUNT,
        "reported": {**COUNT, "description": "with --counting: the integer that tool prints"},
        "macs_ratio": {"type": "number"},
        "params_ratio": {"type": "number"},
        "dtype": {"enum": list(DTYPES), "description": "with --memory: the deployment dtype"},
        "peak_bytes": {**COUNT, "description": "with --memory: the arena peak (liveness), as `mbcalc memory`"},
        "weights_bytes": {**COUNT, "description": "with --memory: weights and biases as deployed"},
        "quantization_bytes": COUNT,
    },
    (
        "elementwise_ops",
        "flops",
        "reported",
        "macs_ratio",
        "params_ratio",
        "dtype",
        "peak_bytes",
        "weights_bytes",
        "quantization_bytes",
    ),
)
COMPARE = _object(
    {
        "schema_version": VERSION,
        "profile": TEXT,
        "backbone": {"type": "boolean", "description": "with --backbone: the feature extractors only"},
        "conventions": {"type": "object", "additionalProperties": TEXT},
        "rows": {"type": "array", "items": CONFIGURATION},
        "baseline": CONFIGURATION,
    },
    ("baseline",),
    "mbcalc compare -f json: one row per model x alpha x resolution",
)
SIDE = _object(
    {
        "model": TEXT,
        "alpha": {"type": "number"},
        "resolution": {"type": "integer"},
        "width": {"type": "integer"},
        "macs": COUNT,
        "params": COUNT,
    }
)
DIFF_LAYER = {
    "anyOf": [
        {"type": "null"},
        _object({"name": TEXT, "op": TEXT, "input": SHAPE, "output": SHAPE, "macs": COUNT, "params": COUNT}),
    ]
}
DIFF = _object(
    {
        "schema_version": VERSION,
        "a": SIDE,
        "b": SIDE,
        "by_type": {
            "type": "object",
            "additionalProperties": _object({"a_macs": COUNT, "b_macs": COUNT, "a_params": COUNT, "b_params": COUNT}),
        },
        "layers": {
            "type": "array",
            "items": _object({"a": DIFF_LAYER, "b": DIFF_LAYER, "changed": {"type": "boolean"}}),
        },
    },
    description="mbcalc diff -f json: two configurations aligned layer by layer (null: absent on that side)",
)
CONV_SIDE = _object(
    {
        "macs": COUNT,
        "params": COUNT,
        "layers": {
            "type": "array",
            "items": _object(
                {"name": TEXT, "op": TEXT, "input": SHAPE, "output": SHAPE, "macs": COUNT, "params": COUNT}
            ),
        },
    }
)
CONV = _object(
    {
        "schema_version": VERSION,
        "standard": CONV_SIDE,
        "separable": CONV_SIDE,
        "macs_ratio": {"type": "number"},
        "params_ratio": {"type": "number"},
        "formula": {"type": "number", "description": "the V1 paper's 1/N + 1/D_K^2"},
    },
    description="mbcalc conv -f json: one convolution against its depthwise separable replacement",
)
VERDICTS = ("exact", "rounded", "explained", "documented", "unexplained")
REPRODUCE = _object(
    {
        "schema_version": VERSION,
        "figures": COUNT,
        "verdicts": _object({verdict: COUNT for verdict in VERDICTS}),
        "rows": {
            "type": "array",
            "items": _object(
                {
                    "id": TEXT,
                    "source": TEXT,
                    "configuration": TEXT,
                    "quantity": TEXT,
                    "published": TEXT,
                    "computed": TEXT,
                    "exact_value": {**TEXT, "description": "the computed value in full, with its unit"},
                    "delta": TEXT,
                    "verdict": {"enum": list(VERDICTS)},
                    "reason": {**TEXT, "description": "why a deviation is what it is ('' for none)"},
                }
            ),
        },
    },
    description="mbcalc reproduce -f json: every published figure beside the computed one",
)
COUNTS = {"type": "object", "additionalProperties": COUNT, "description": "convention -> count"}
RUN = {  # the configuration an output is of
    "schema_version": VERSION,
    "model": TEXT,
    "alpha": {"type": "number"},
    "resolution": {"type": "integer", "description": "the input's height"},
    "width": {"type": "integer", "description": "the input's width (the height, when square)"},
    "profile": TEXT,
}
EXPLAIN = _object(
    {
        **RUN,
        "items": {
            "type": "array",
            "items": _object({"item": TEXT, "what": TEXT, "quantity": COUNT, "counted": COUNTS}),
        },
        "totals": {**COUNTS, "description": "what each convention's count totals: the number each tool prints"},
        "tools": {
            "type": "object",
            "additionalProperties": _object(
                {"version": TEXT, "unit": {"enum": ["MACs", "FLOPs"]}, "call": TEXT, "notes": TEXT}
            ),
        },
    },
    description="mbcalc explain -f json: each line item, what each convention counts for it, and the totals",
)
MEMORY = _object(
    {
        **RUN,
        "dtype": {"enum": list(DTYPES)},
        "peak": {**COUNTS, "description": "each named model of the peak activation memory -> bytes"},
        "peak_layer": {"type": "object", "additionalProperties": TEXT},
        "peak_unavailable": {
            "type": "object",
            "additionalProperties": TEXT,
            "description": "each named model that does not apply to this network -> why (it is not in peak)",
        },
        "weights_bytes": {**COUNT, "description": "weights and biases at the dtype's scheme, batch norm folded"},
        "quantization_bytes": {**COUNT, "description": "int8: per-channel scales and zero points"},
        "steps": {
            "type": "array",
            "items": _object(
                {
                    "layer": TEXT,
                    "op": TEXT,
                    "inputs": {"type": "array", "items": TEXT},
                    "fused": {"type": "array", "items": TEXT},
                    "io_bytes": COUNT,
                    "live_bytes": COUNT,
                    "macs": COUNT,
                    "weight_bytes": COUNT,
                    "traffic_bytes": {**COUNT, "description": "inputs, weights and output, each once"},
                    "live": {"type": "array", "items": TEXT},
                    "bound_seconds": {**SECONDS, "description": "with a device: max(macs / peak, traffic / bandwidth)"},
                    "bound_by": {"enum": ["compute", "memory"]},
                },
                optional=("bound_seconds", "bound_by"),
            ),
        },
        "verdicts": {"type": "array", "items": TEXT},
        "device": _object(
            {
                "name": TEXT,
                "description": TEXT,
                "file": TEXT,
                "peak": {**COUNTS, "description": "dtype -> Mult-Adds per second"},
                "bandwidth": {**COUNT, "description": "bytes per second"},
                "sram": {"type": ["integer", "null"]},
                "flash": {"type": ["integer", "null"]},
                "sources": {"type": "object", "additionalProperties": TEXT},
            }
        ),
        "roofline": _object(
            {
                "peak": {**COUNT, "description": "Mult-Adds per second at the dtype"},
                "bandwidth": {**COUNT, "description": "bytes per second"},
                "ridge": {"type": "number", "description": "Mult-Adds per byte where the two roofs meet"},
                "bound_seconds": {**SECONDS, "description": "the sum of the operators' bounds: a lower bound"},
                "compute_bound": _object({"operators": COUNT, "seconds": SECONDS}),
                "memory_bound": _object({"operators": COUNT, "seconds": SECONDS}),
            }
        ),
    },
    optional=("device", "roofline"),
    description="mbcalc memory -f json: weights as deployed and activation memory (with --device, roofline bounds)",
)
POINT = {  # one configuration of a sweep or fit
    "model": TEXT,
    "alpha": {"type": "number"},
    "resolution": {"type": "integer"},
    "macs": COUNT,
    "params": COUNT,
    "peak_bytes": {**COUNT, "description": "with the peak-memory metric: the arena peak at the dtype"},
    "weights_bytes": {**COUNT, "description": "with the weight-bytes metric: weights and biases as deployed"},
}
SWEEP = _object(
    {
        "schema_version": VERSION,
        "profile": TEXT,
        "dtype": {"enum": [*DTYPES, None], "description": "the dtype of the memory metrics, or null"},
        "metrics": {"type": "array", "items": {"enum": ["macs", "params", "peak-memory", "weight-bytes"]}},
        "points": {"type": "array", "items": _object(POINT, ("peak_bytes", "weights_bytes"))},
    },
    description="mbcalc sweep -f json: one record per model x alpha x resolution",
)
FIT = _object(
    {
        "schema_version": VERSION,
        "profile": TEXT,
        "dtype": {"enum": [*DTYPES, None]},
        "budgets": {"type": "object", "additionalProperties": COUNT, "description": "macs, params, peak_bytes -> most"},
        "sort": TEXT,
        "configurations": {**COUNT, "description": "how many configurations the grid had"},
        "fitting": {
            "type": "array",
            "items": _object(
                {
                    **POINT,
                    "frontier": {"type": "boolean"},
                    "checkpoints": {"type": "array", "items": {"enum": ["TF-Slim", "Keras", "torchvision", "timm"]}},
                    "top1": {"type": ["number", "null"], "description": "a published ImageNet top-1, percent"},
                },
                ("peak_bytes", "weights_bytes"),
            ),
        },
        "verdicts": {"type": "array", "items": TEXT},
    },
    description="mbcalc fit -f json: the configurations within every budget, best first",
)
OUTPUTS = {
    "sweep": SWEEP,
    "fit": FIT,
    "memory": MEMORY,
    "model": MODEL,
    "compare": COMPARE,
    "diff": DIFF,
    "conv": CONV,
    "reproduce": REPRODUCE,
    "explain": EXPLAIN,
}


def output_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mbcalc JSON output",
        "description": "What `mbcalc ... -f json` prints: one of the objects below, by command.",
        "$defs": OUTPUTS,
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in OUTPUTS],
    }


def output_schema_text() -> str:
    return json.dumps(output_schema(), indent=2, ensure_ascii=False) + "\n"
