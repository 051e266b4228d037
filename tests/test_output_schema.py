"""Every JSON output carries schema_version and follows the output schema shipped in the package."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from mbcalc.output_schema import SCHEMA_VERSION, output_schema

SHIPPED = Path(__file__).parent.parent / "mbcalc" / "output.schema.json"
VALIDATOR = Draft202012Validator(output_schema())


@pytest.mark.parametrize(
    "command, kind",
    [
        (["v1"], "model"),
        (["v3-large", "--count", "--flops", "--by", "block"], "model"),
        (["v2", "--by", "row", "--backbone", "--profile", "torchvision"], "model"),
        (["googlenet", "--count"], "model"),
        (["compare", "v1", "v2", "--alpha", "1.0,0.5", "--baseline", "v2@1.0/224", "--flops"], "compare"),
        (["diff", "v1", "v1-shallow"], "diff"),
        (["conv", "--in", "14x14x512", "--out", "512"], "conv"),
        (["reproduce", "v1"], "reproduce"),
        (["explain", "v3-large", "--alpha", "0.75"], "explain"),
        (["memory", "v3-small", "--dtype", "fp16", "--sram", "1M", "--flash", "1M"], "memory"),
        (["v2", "--profile", "torchvision", "--counting", "ptflops", "--by", "block"], "model"),
        (["compare", "v1", "v2", "--profile", "keras", "--counting", "tf-profiler"], "compare"),
        (["compare", "v2", "--memory", "int8"], "compare"),
        (["memory", "v2", "--device", "cortex-m7"], "memory"),
        (["sweep", "v2", "v3-small", "--alpha", "1.0,0.5", "--res", "96:224:64"], "sweep"),
        (["sweep", "v2", "--metric", "macs,peak-memory,weight-bytes", "--dtype", "fp16"], "sweep"),
        (["fit", "v3-large", "--macs", "150M"], "fit"),
        (["fit", "v2", "--memory", "256K", "--params", "3M", "--sort", "peak-memory"], "fit"),
    ],
)
def test_every_json_output_follows_the_schema(run, command, kind):
    data = json.loads(run(*command, "-f", "json").output)
    assert next(iter(data)) == "schema_version" and data["schema_version"] == SCHEMA_VERSION
    Draft202012Validator(output_schema()["$defs"][kind]).validate(data)
    VALIDATOR.validate(data)


def test_the_schema_rejects_what_an_output_never_has(run):
    data = json.loads(run("v1", "-f", "json").output)
    assert not VALIDATOR.is_valid({**data, "macs": -1})
    assert not VALIDATOR.is_valid({**data, "schema_version": SCHEMA_VERSION + 1})
    assert not VALIDATOR.is_valid({key: value for key, value in data.items() if key != "layers"})


def test_the_shipped_schema_is_current():
    Draft202012Validator.check_schema(output_schema())
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == output_schema()
