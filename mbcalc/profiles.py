"""Implementation profiles: how each reference implementation builds and counts a table.

The papers leave small things open (rounding of channels under alpha, padding, class count,
which tensors count as parameters), and each implementation settles them its own way. A profile
records those choices as data, each with the source line it comes from (docs/conventions.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """How V2's t/c/n/s table is widened by alpha (stem and blocks: make_divisible(c * alpha))."""

    truncate_first: bool = False  # Keras: make_divisible(int(c * alpha)) for block outputs
    head: str = "max1"  # last 1x1 conv: "max1" = md(1280 * max(1, alpha)); "above1": 1280 unless alpha > 1


@dataclass(frozen=True)
class V3Rules:
    """How V3's exp/#out table is widened by alpha."""

    stem: str = "scaled"  # "scaled": md(16 * alpha); "fixed": 16 at every alpha
    expand: str = "scaled"  # "scaled": md(exp * alpha); "ratio": md(actual input * exp / input)
    skip_expand: str = "equal"  # no expansion conv when "equal": widths match; "first": first block only
    squeeze: str = "floor"  # SE width: "floor": md(exp // 4); "quarter": md(exp * 0.25)
    last_conv: str = "ratio"  # "ratio": 6 x actual input (960/160); "md-ratio": md(6 x actual input)
    head: str = "scaled"  # NBN 1x1 conv: "scaled": md(1280 * alpha); "above1": 1280 unless alpha > 1


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    bn: str = "none"  # batch-norm parameters counted (a key of BN_CONVENTIONS)
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
            "counts them), no batch norm",
        ),
        Profile(
            "torchvision",
            "torchvision: sum(p.numel() for p in model.parameters()), i.e. weights, biases and "
            "batch-norm gamma/beta; Mult-Adds of conv and linear layers",
            bn="affine",
            biases=True,
        ),
        Profile(
            "keras",
            "Keras applications: model.count_params(), i.e. weights, biases and batch-norm "
            "gamma/beta/moving mean/moving variance",
            bn="all",
            biases=True,
            v1=V1Rules(activation="relu6", dw_stride2_padding="pad01"),
            v2=V2Rules(truncate_first=True, head="above1"),
            v3=V3Rules(stem="fixed", expand="ratio", skip_expand="first", squeeze="quarter",
                       last_conv="md-ratio", head="above1"),
        ),
        Profile(
            "tf-slim",
            "TensorFlow-Slim checkpoints: 1001 classes (with background), batch norm with "
            "beta/moving mean/moving variance (scale=False)",
            bn="beta-stats",
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
