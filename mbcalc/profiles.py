"""Implementation profiles: how each reference implementation builds and counts a table.

The papers leave small things open (rounding of channels under alpha, padding, class count,
which tensors count as parameters), and each implementation settles them its own way. A profile
records those choices as data, each with the source line it comes from (docs/conventions.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .errors import MbcalcError, did_you_mean

BN_CONVENTIONS = {
    "none": 0,  # the papers: no batch-norm tensors
    "affine": 2,  # gamma and beta: PyTorch's model.parameters()
    "beta-stats": 3,  # beta, moving mean and variance: TF-Slim's batch norm has scale=False
    "all": 4,  # gamma, beta, moving mean and variance: Keras count_params()
}


@dataclass(frozen=True)
class V1Rules:
    min_depth: int = 0  # channels = max(int(c * alpha), min_depth)
    activation: str = "relu"  # the paper says ReLU; TF-Slim and Keras use ReLU6
    dw_stride2_padding: str = "same"  # Keras pads bottom/right by one, then "valid" (floor(in/2))


@dataclass(frozen=True)
class V2Rules:
    """How V2's t/c/n/s table is widened: make_divisible(c * alpha); the last 1x1 conv keeps 1280
    for alpha < 1 (the paper, and all three implementations)."""

    truncate_first: bool = False  # Keras: make_divisible(int(c * alpha)) for block outputs


@dataclass(frozen=True)
class V3Rules:
    """How V3's exp / #out table is widened by alpha."""

    stem: str = "scaled"  # "scaled": md(16 * alpha); "fixed": 16 at every alpha (Keras)
    expand: str = "ratio"  # "ratio": md(actual input * exp / input) (TF, Keras); "scaled": md(exp * alpha)
    last_conv: str = "scaled"  # the 1x1 conv to 960/576: "scaled" md(960 * alpha) (TF); "ratio": 6 x the
    #                            actual last block width (torchvision, Keras); they differ for Small at 0.35
    head: str = "fixed"  # NBN 1x1 conv: "fixed" 1280/1024 (TF finegrain mode, as released);
    #                      "scaled" md(1280 * alpha) (torchvision); "above1": fixed unless alpha > 1 (Keras)


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    bn: dict[str, str] = field(default_factory=dict)  # form -> batch-norm convention; default "none"
    biases: bool | None = None  # None: the spec's own counting default
    classes: int | None = None  # None: the spec's own
    v1: V1Rules = field(default_factory=V1Rules)
    v2: V2Rules = field(default_factory=V2Rules)
    v3: V3Rules = field(default_factory=V3Rules)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "paper",
            "the papers: Mult-Adds of conv and FC layers; weights (and biases, where the paper "
            "counts them), no batch norm; V3 widths as the authors' TF-Slim code",
        ),
        Profile(
            "torchvision",
            "torchvision: sum(p.numel() for p in model.parameters()), i.e. weights, biases and "
            "batch-norm gamma/beta; Mult-Adds of conv and linear layers",
            bn={"v1": "affine", "v2": "affine", "v3": "affine", "graph": "affine"},
            biases=True,
            v3=V3Rules(expand="scaled", last_conv="ratio", head="scaled"),
        ),
        Profile(
            "keras",
            "Keras applications: model.count_params(), i.e. weights, biases and batch-norm "
            "gamma/beta/moving mean/moving variance",
            bn={"v1": "all", "v2": "all", "v3": "all", "graph": "all"},
            biases=True,
            v1=V1Rules(activation="relu6", dw_stride2_padding="pad01"),
            v2=V2Rules(truncate_first=True),
            v3=V3Rules(stem="fixed", last_conv="ratio", head="above1"),
        ),
        Profile(
            "tf-slim",
            "TensorFlow-Slim checkpoints, as their README tables count them: 1001 classes "
            "(with background); V1 with batch-norm beta/moving mean/moving variance, V2 and V3 "
            "weights and biases only",
            bn={"v1": "beta-stats"},
            biases=True,
            classes=1001,
            v1=V1Rules(min_depth=8, activation="relu6"),
        ),
    )
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise MbcalcError(
            f"unknown profile '{name}'{did_you_mean(name, list(PROFILES))} "
            f"(profiles: {', '.join(PROFILES)})"
        ) from None


def resolve(profile: "str | Profile") -> Profile:
    return profile if isinstance(profile, Profile) else get_profile(profile)


def variant(profile: str | Profile, overrides: dict[str, str]) -> Profile:
    """A profile with some width rules changed, e.g. {"v3.head": "scaled"} (for what-if checks)."""
    base = resolve(profile)
    changes: dict[str, object] = {}
    for key, value in overrides.items():
        family, _, rule = key.partition(".")
        rules = changes.get(family, getattr(base, family))
        changes[family] = replace(rules, **{rule: value})
    label = ",".join(f"{k}={v}" for k, v in overrides.items())
    return replace(base, name=f"{base.name}[{label}]", **changes)
