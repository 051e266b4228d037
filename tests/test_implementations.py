"""The torchvision, Keras and TF-Slim profiles against counts measured on those implementations.

tests/data/implementations.json holds 759 (model, alpha, resolution) builds of torchvision 0.29.2,
Keras 3.15.1 and TF-Slim (its header says how each was measured; tests/harness/ reruns them),
including odd resolutions (225, 97, 331) where Keras's V1 padding differs. Every one must match
exactly, as integers.
"""

import json
from pathlib import Path

import pytest

from mbcalc import analyze

DATA = json.loads((Path(__file__).parent / "data" / "implementations.json").read_text())
RECORDS = DATA["records"]


@pytest.mark.parametrize("profile", ["torchvision", "keras", "tf-slim"])
def test_profile_matches_its_implementation_everywhere(profile):
    mismatches = []
    records = [r for r in RECORDS if r[0] == profile]
    for _, model, alpha, resolution, macs, params in records:
        total = analyze(model, alpha=alpha, resolution=resolution, profile=profile).total
        if (total.macs, total.params) != (macs, params):
            mismatches.append((model, alpha, resolution, (total.macs, total.params), (macs, params)))
    assert len(records) >= 50
    assert mismatches == []


@pytest.mark.parametrize(
    "profile, model, params",
    [
        ("torchvision", "v2", 3_504_872),  # torchvision weights metadata num_params
        ("torchvision", "v3-large", 5_483_032),
        ("torchvision", "v3-small", 2_542_856),
    ],
)
def test_published_torchvision_num_params(profile, model, params):
    assert analyze(model, profile=profile).total.params == params


BACKBONES = json.loads((Path(__file__).parent / "data" / "backbones.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("build", BACKBONES["builds"], ids=lambda b: b["torchvision"])
def test_backbone_is_torchvisions_features(build):
    """`--backbone` counts what torchvision's `model.features` holds (tests/harness/backbone_counts.py)."""
    report = analyze(build["model"], resolution=build["resolution"], profile="torchvision", backbone=True)
    assert (report.macs, report.params) == (build["macs"], build["params"])
