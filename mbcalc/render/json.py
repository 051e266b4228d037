"""JSON: the machine interface. Exact integers, stable keys, shares as fractions of 1."""

from __future__ import annotations

import json

from ..analysis import Group, Report

SCHEMA_VERSION = 1


def _layer(row) -> dict:
    layer, cost = row.layer, row.cost
    out = {
        "index": row.index,
        "name": layer.name,
        "op": layer.type,
        "role": layer.role,
        "operator": layer.operator,
        "input": layer.input.as_list(),
        "output": layer.output.as_list(),
        "macs": cost.macs,
        "params": cost.params,
    }
    if len(layer.inputs) > 1:
        out["inputs"] = list(layer.inputs)
    return out


def _groups(groups: tuple[Group, ...]) -> dict:
    return {
        g.key: {"layers": g.layers, "macs": g.cost.macs, "params": g.cost.params,
                "macs_share": g.macs_share, "params_share": g.params_share}
        for g in groups
    }


def as_dict(report: Report, *, flops: bool = False) -> dict:
    net, total = report.network, report.total
    data = {
        "schema_version": SCHEMA_VERSION,
        "model": net.name,
        "description": net.description,
        "alpha": net.config.alpha,
        "resolution": net.config.resolution,
        "profile": net.config.profile,
        "classes": net.classes,
        "convention": report.convention.describe(),
        "macs": total.macs,
        "params": total.params,
        "peak_activation": report.peak_activation,
    }
    if report.convention.elementwise:
        data["elementwise_ops"] = total.ops
    if flops:
        data["flops"] = total.flops
    layers = []
    for row in report.rows:
        item = _layer(row)
        if report.convention.elementwise:
            item["elementwise_ops"] = row.cost.ops
        layers.append(item)
    data["layers"] = layers
    data["by_type"] = _groups(report.by_type)
    data["by_role"] = _groups(report.by_role)
    data["notes"] = list(net.notes)
    return data


def render(report: Report, *, exact: bool = True, flops: bool = False) -> str:
    return json.dumps(as_dict(report, flops=flops), indent=2) + "\n"
