"""The JSON Schema of the spec format, derived from the operator registry, the block library and
the reader's keys, so editors can validate and complete specs:

    # yaml-language-server: $schema=https://.../spec.schema.json

`mbcalc docs` writes it to mbcalc/spec.schema.json (shipped in the package) and docs/.
"""

from __future__ import annotations

import json
from typing import Any

from .lang.args import NONLINEARITIES
from .lang.blocks import BUILTINS
from .ops import ACTIVATIONS, INTERPOLATIONS, REGISTRY, Arg
from .read.graph import META, WIDTH_RULES
from .read.spec import FORMS, REQUIRED

INTEGER = {"type": "integer", "minimum": 0}
EXPRESSION = {
    "type": "string",
    "pattern": r"^[\s\d.$A-Za-z_+\-*/()<>=!,]+$",
    "description": "an expression of numbers and $parameters, e.g. '$t * $block_in'",
}
KINDS: dict[str, dict[str, Any]] = {  # an argument's kind -> what it accepts
    "width": {"anyOf": [INTEGER, EXPRESSION]},
    "int": {"anyOf": [{"type": "integer", "minimum": 1}, EXPRESSION]},
    "channels": {"anyOf": [INTEGER, EXPRESSION]},
    "bool": {"anyOf": [{"type": "boolean"}, EXPRESSION]},
    "padding": {"anyOf": [INTEGER, {"enum": ["same", "valid"]}, EXPRESSION]},
    "pool_padding": {"anyOf": [INTEGER, EXPRESSION]},
    "kernel": {"anyOf": [INTEGER, {"const": "global"}, EXPRESSION]},
    "nl": {"enum": list(NONLINEARITIES)},
    "activation": {"enum": [*ACTIVATIONS, "none"]},
    "names": {"type": "array", "items": {"type": "string"}, "minItems": 2},
    "interpolation": {"enum": list(INTERPOLATIONS)},
    "factor": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
    "pixels": {"anyOf": [INTEGER, EXPRESSION]},
}
SIZE = {"type": "string", "pattern": r"^\s*\d+\s*(²|[xX×]\s*\d+)\s*[xX×]\s*\d+\s*$"}


def _op_schema(
    args: tuple[Arg, ...], shorthand: str | None, global_kernel: bool, merges: tuple[int, int] | None = None
) -> dict[str, Any]:
    props = {arg.name: {**KINDS[arg.kind], "description": arg.doc} if arg.doc else KINDS[arg.kind] for arg in args}
    if merges:  # the layers it reads: as many as the operator takes (0: no upper bound)
        fewest, most = merges
        props["inputs"] = {**props["inputs"], "minItems": fewest, **({"maxItems": most} if most else {})}
    required = [arg.name for arg in args if arg.required]
    mapping: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        mapping["required"] = required
    choices: list[dict[str, Any]] = [mapping] if required else [mapping, {"type": "null"}]
    if shorthand:
        choices.append(props[shorthand])
    if global_kernel:
        choices.append({"const": "global"})
    return {"anyOf": choices}


def schema() -> dict[str, Any]:
    layer_meta = {
        "name": {"type": "string"},
        "input": {"type": "string"},
        "repeat": {"anyOf": [{"type": "integer", "minimum": 0}, EXPRESSION]},
        "fixed": {"type": "boolean"},
        "role": {"type": "string"},
    }
    ops = {
        name: _op_schema(op.args, op.shorthand, any(a.kind == "kernel" for a in op.args), op.merges)
        for name, op in REGISTRY.items()
    }
    ops.update({name: _op_schema(block.args, None, False) for name, block in BUILTINS.items()})
    arguments = {**{name: op.args for name, op in REGISTRY.items()}, **{n: b.args for n, b in BUILTINS.items()}}
    no_required = sorted(name for name, args in arguments.items() if not any(a.required for a in args))
    graph_layer = {
        "anyOf": [
            {"enum": no_required},
            {
                "type": "object",
                "properties": {**layer_meta, **ops},
                "additionalProperties": {
                    "description": "a block defined under 'blocks', with its parameters",
                    "type": ["object", "null"],
                },
                "minProperties": 1,
            },
            {"type": "string", "description": "a block without parameters"},
        ]
    }
    table_row = {"type": "array", "items": {"type": ["string", "integer", "boolean"]}}
    table_item = {
        "anyOf": [
            table_row,
            {
                "type": "object",
                "properties": {
                    "repeat": {"type": "integer", "minimum": 1},
                    "layers": {"type": "array", "items": table_row},
                },
                "required": ["repeat", "layers"],
                "additionalProperties": False,
            },
        ]
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "mbcalc-spec.schema.json",
        "title": "mbcalc network spec",
        "description": (
            "A network in a paper's table form (v1, v2, v3) or as a layer graph (graph). See docs/spec-format.md."
        ),
        "type": "object",
        "required": list(REQUIRED),
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "source": {"type": "string"},
            "form": {"enum": list(FORMS)},
            "input": SIZE,
            "classes": {"type": "integer", "minimum": 1},
            "notes": {"type": "array", "items": {"type": "string"}},
            "counting": {
                "type": "object",
                "properties": {"biases": {"type": "boolean"}},
                "additionalProperties": False,
            },
            "width": {
                "type": "object",
                "properties": {
                    "rule": {"enum": list(WIDTH_RULES)},
                    "divisor": {"type": "integer", "minimum": 1},
                    "min": {"type": "integer", "minimum": 1},
                },
                "additionalProperties": False,
            },
            "widths": {
                "description": "the widths (alphas) the spec builds: a list, or each width's values as $names",
                "anyOf": [
                    {"type": "array", "minItems": 1, "items": {"type": "number", "exclusiveMinimum": 0, "maximum": 4}},
                    {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": {"type": "integer", "minimum": 1},
                        },
                    },
                ],
            },
            "variants": {
                "description": "named variants, each bundled under its name: values read as $names, and an input",
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {
                    "type": "object",
                    "properties": {"input": SIZE, "description": {"type": "string"}},
                    "additionalProperties": {"type": "number"},
                },
            },
            "blocks": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["layers"],
                    "additionalProperties": False,
                    "properties": {
                        "params": {"type": "array", "items": {"type": "string"}},
                        "layers": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"}},
                    },
                },
            },
            "layers": {"type": "array", "minItems": 1, "items": {"anyOf": [{"$ref": "#/$defs/layer"}, table_item]}},
        },
        "$defs": {"layer": graph_layer},
        "x-mbcalc": {"activations": list(ACTIVATIONS), "layer-keys": list(META)},
    }


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
