"""The JSON Schema of the spec format, built from the same tables the parser uses (graph.OPS,
spec.TOP_KEYS), so editors can validate and complete specs:

    # yaml-language-server: $schema=https://.../spec.schema.json

`mbcalc docs` writes it to mbcalc/spec.schema.json (shipped in the package) and docs/.
"""

from __future__ import annotations

import json

from .graph import ACTIVATIONS, META, OPS, SHORTHAND, WIDTH_RULES

INTEGER = {"type": "integer", "minimum": 0}
EXPRESSION = {"type": "string", "pattern": r"^[\s\d.$A-Za-z_+\-*/()]+$",
              "description": "an expression of numbers and $parameters, e.g. '$t * $block_in'"}
NUMBER = {"anyOf": [INTEGER, EXPRESSION]}
ARG_TYPES = {
    "bias": {"type": "boolean"}, "ceil": {"type": "boolean"}, "se": {"anyOf": [{"type": "boolean"}, EXPRESSION]},
    "p": {"anyOf": [INTEGER, {"enum": ["same", "valid"]}, EXPRESSION]},
    "k": {"anyOf": [INTEGER, {"const": "global"}, EXPRESSION]},
    "nl": {"enum": ["relu", "hswish", "RE", "HS"]},
    "inputs": {"type": "array", "items": {"type": "string"}, "minItems": 2},
}
SIZE = {"type": "string", "pattern": r"^\s*\d+\s*(²|[xX×]\s*\d+)\s*[xX×]\s*\d+\s*$"}


def _op_schema(op: str, args: dict) -> dict:
    props = {name: ARG_TYPES.get(name, NUMBER) for name in args}
    required = [name for name, default in args.items() if default == "REQUIRED"]
    mapping = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        mapping["required"] = required
    choices = [mapping, {"type": "null"}] if not required else [mapping]
    if op in SHORTHAND:
        choices.append(props[SHORTHAND[op]])
    if op in ("maxpool", "avgpool"):
        choices.append({"const": "global"})
    return {"anyOf": choices}


def schema() -> dict:
    layer_meta = {"name": {"type": "string"}, "input": {"type": "string"}, "repeat": {"type": "integer", "minimum": 1},
                  "fixed": {"type": "boolean"}, "role": {"type": "string"}}
    ops = {op: _op_schema(op, args) for op, args in OPS.items()}
    graph_layer = {
        "anyOf": [
            {"enum": sorted(op for op, args in OPS.items() if all(d != "REQUIRED" for d in args.values()))},
            {"type": "object", "properties": {**layer_meta, **ops},
             "additionalProperties": {"description": "a block defined under 'blocks', with its parameters",
                                      "type": ["object", "null"]},
             "minProperties": 1},
            {"type": "string", "description": "a block without parameters"},
        ]
    }
    table_row = {"type": "array", "items": {"type": ["string", "integer", "boolean"]}}
    table_item = {"anyOf": [table_row, {"type": "object", "properties": {
        "repeat": {"type": "integer", "minimum": 1}, "layers": {"type": "array", "items": table_row}},
        "required": ["repeat", "layers"], "additionalProperties": False}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "mbcalc-spec.schema.json",
        "title": "mbcalc network spec",
        "description": "A network in a paper's table form (v1, v2, v3) or as a layer graph (graph). See docs/spec-format.md.",
        "type": "object",
        "required": ["name", "form", "input", "classes", "layers"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "source": {"type": "string"},
            "form": {"enum": ["v1", "v2", "v3", "graph"]},
            "input": SIZE,
            "classes": {"type": "integer", "minimum": 1},
            "notes": {"type": "array", "items": {"type": "string"}},
            "counting": {"type": "object", "properties": {"biases": {"type": "boolean"}}, "additionalProperties": False},
            "width": {"type": "object", "properties": {"rule": {"enum": list(WIDTH_RULES)},
                                                       "divisor": {"type": "integer", "minimum": 1},
                                                       "min": {"type": "integer", "minimum": 1}},
                      "additionalProperties": False},
            "blocks": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["layers"], "additionalProperties": False,
                "properties": {"params": {"type": "array", "items": {"type": "string"}},
                               "layers": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"}}}}},
            "layers": {"type": "array", "minItems": 1, "items": {"anyOf": [{"$ref": "#/$defs/layer"}, table_item]}},
        },
        "$defs": {"layer": graph_layer},
        "x-mbcalc": {"activations": list(ACTIVATIONS), "layer-keys": list(META)},
    }


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
