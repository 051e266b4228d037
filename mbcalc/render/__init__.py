"""Renderers: a finished Report -> text. They choose columns and format numbers; they never count.

Each renderer is `render(report, *, exact=False, flops=False) -> str`. RENDERERS is the only
place the CLI looks formats up.
"""

from __future__ import annotations

from importlib import import_module

FORMATS = ("table", "markdown", "json", "csv")

# Display names of layer types and roles (the keys are the stable ones used in JSON).
TYPE_NAMES = {
    "conv": "standard conv",
    "depthwise": "depthwise conv",
    "pointwise": "pointwise conv (1x1)",
    "fc": "fully connected",
    "batchnorm": "batch norm",
    "relu": "ReLU",
    "relu6": "ReLU6",
    "hswish": "h-swish",
    "hsigmoid": "hard-sigmoid",
    "softmax": "softmax",
    "avgpool": "average pool",
    "maxpool": "max pool",
    "add": "residual add",
    "multiply": "channel-wise multiply",
}


def type_name(key: str) -> str:
    return TYPE_NAMES.get(key, key)


def renderer(fmt: str):
    """The render function for a format, imported on first use (rich loads only for tables)."""
    return import_module(f".{fmt}", __name__).render
