"""Build profiles: how each reference implementation builds a table (its architecture details).

The papers leave small things open (rounding of channels under alpha, padding, class count), and
each implementation settles them its own way. A build profile records those choices as data, each
from the implementation's source (docs/conventions.md). How an implementation *counts* (biases,
batch-norm tensors) is a counting convention, in counting.py.
"""

from __future__ import annotations

from ..errors import MbcalcError, did_you_mean
from ..record import Record, field, record, replace


@record
class V1Rules(Record):
    min_depth: int = 0  # channels = max(int(c * alpha), min_depth)
    activation: str = "relu"  # the paper says ReLU; TF-Slim and Keras use ReLU6
    dw_padding: str = "same"  # stride-2 depthwise: Keras pads bottom/right by one, then "valid" (pad01)


@record
class V2Rules(Record):
    """How V2's t/c/n/s table is widened: make_divisible(c * alpha); the last 1x1 conv keeps 1280
    for alpha < 1 (the paper, and all three implementations)."""

    truncate_first: bool = False  # Keras: make_divisible(int(c * alpha)) for block outputs


@record
class V3Rules(Record):
    """How V3's exp / #out table is widened by alpha."""

    stem: str = "scaled"  # "scaled": md(16 * alpha); "fixed": 16 at every alpha (Keras)
    expand: str = "ratio"  # "ratio": md(actual input * exp / input) (TF, Keras); "scaled": md(exp * alpha)
    last_conv: str = "scaled"  # the 1x1 conv to 960/576: "scaled" md(960 * alpha) (TF); "ratio": 6 x the
    #                            actual last block width (torchvision, Keras); they differ for Small at 0.35
    head: str = "fixed"  # NBN 1x1 conv: "fixed" 1280/1024 (TF finegrain mode, as released);
    #                      "scaled" md(1280 * alpha) (torchvision); "above1": fixed unless alpha > 1 (Keras)


@record
class BuildProfile(Record):
    name: str
    classes: int | None = None  # None: the spec's own
    v1: V1Rules = field(default_factory=V1Rules)
    v2: V2Rules = field(default_factory=V2Rules)
    v3: V3Rules = field(default_factory=V3Rules)

    def setting(self, key: str) -> str:
        """A choice a program leaves to the profile ('v1.activation')."""
        family, _, rule = key.partition(".")
        return str(getattr(getattr(self, family), rule))


PROFILES: dict[str, BuildProfile] = {
    p.name: p
    for p in (
        BuildProfile("paper"),
        BuildProfile("torchvision", v3=V3Rules(expand="scaled", last_conv="ratio", head="scaled")),
        BuildProfile(
            "keras",
            v1=V1Rules(activation="relu6", dw_padding="pad01"),
            v2=V2Rules(truncate_first=True),
            v3=V3Rules(stem="fixed", last_conv="ratio", head="above1"),
        ),
        BuildProfile("tf-slim", classes=1001, v1=V1Rules(min_depth=8, activation="relu6")),
    )
}


def get_profile(profile: str | BuildProfile) -> BuildProfile:
    if isinstance(profile, BuildProfile):
        return profile
    if not isinstance(profile, str):
        raise MbcalcError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    try:
        return PROFILES[profile]
    except KeyError:
        raise MbcalcError(
            f"unknown profile '{profile}'{did_you_mean(profile, list(PROFILES))} (profiles: {', '.join(PROFILES)})"
        ) from None


def base_name(profile: str) -> str:
    """The profile a variant's name is of: 'torchvision[v3.head=fixed]' -> 'torchvision'."""
    return profile.split("[")[0]


def is_variant(profile: str) -> bool:
    return profile != base_name(profile)


def variant(profile: str | BuildProfile, overrides: dict[str, str]) -> BuildProfile:
    """A profile with some width rules changed, e.g. {"v3.head": "scaled"} (for what-if checks)."""
    base = get_profile(profile)
    changes: dict[str, object] = {}
    for key, value in overrides.items():
        family, _, rule = key.partition(".")
        rules = changes.get(family, getattr(base, family))
        changes[family] = replace(rules, **{rule: value})  # type: ignore[type-var]
    label = ",".join(f"{k}={v}" for k, v in overrides.items())
    return replace(base, name=f"{base.name}[{label}]", **changes)
