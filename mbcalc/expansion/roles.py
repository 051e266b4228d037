"""Where a network's parts are, read from its layers: the end of the feature extractor (what
detection and segmentation heads read, torchvision's `model.features`) and the roles of a graph
spec's untagged layers (stem, head, classifier), so its by-role breakdown needs no tagging."""

from __future__ import annotations

from ..ir import Layer

UNTAGGED = "body"  # the role a graph spec's layer has when neither it nor its block names one
TRAILING = frozenset({"flatten", "dropout"})  # no part of the features, though they follow them


def global_pool(layer: Layer) -> bool:
    if layer.op in ("avgpool", "maxpool"):
        return layer.attrs.get("kernel") is None  # a pool over the whole map
    return layer.op == "adaptive_avgpool" and layer.attrs.get("output") == 1


def _classifier_start(layers: tuple[Layer, ...]) -> int:
    """The first layer tagged classifier, else the first fully connected layer after the last map
    wider than 1x1 (a squeeze-excite gate's fc, inside the features, is not the classifier), else
    the end."""
    tagged = next((i for i, layer in enumerate(layers) if layer.role == "classifier"), None)
    if tagged is not None:
        return tagged
    spatial = [i for i, layer in enumerate(layers) if layer.output.height * layer.output.width > 1]
    after = spatial[-1] + 1 if spatial else 0
    return next((i for i in range(after, len(layers)) if layers[i].op == "fc"), len(layers))


TASK_HEADS = frozenset({"detection", "segmentation"})  # a detector's or a segmenter's head: not the backbone


def backbone_end(layers: tuple[Layer, ...]) -> int:
    """One past the last layer of the feature extractor: before a detection or segmentation head
    (the layers tagged so), or else before the last global pooling and the classifier, without
    the flatten, dropout and same-size pooling that trail the features."""
    task = next((i for i, layer in enumerate(layers) if layer.role in TASK_HEADS), None)
    if task is not None:
        return task
    pools = [i for i, layer in enumerate(layers) if global_pool(layer)]
    end = min(pools[-1] if pools else len(layers), _classifier_start(layers))
    while end > 0 and _trails(layers[end - 1]):
        end -= 1
    return end


def head_before_backbone(layers: tuple[Layer, ...]) -> tuple[str, str] | None:
    """(a head layer, a backbone layer after it) when a detection or segmentation head does not
    come after the whole backbone in the spec, so that no prefix of the layers is the backbone."""
    first = next((i for i, layer in enumerate(layers) if layer.role in TASK_HEADS), None)
    if first is None:
        return None
    later = next((layer for layer in layers[first:] if layer.role not in TASK_HEADS), None)
    return (layers[first].name, later.name) if later is not None else None


def _trails(layer: Layer) -> bool:
    same_size = layer.op == "adaptive_avgpool" and layer.output == layer.input
    return layer.op in TRAILING or same_size


def infer_roles(layers: tuple[Layer, ...]) -> tuple[Layer, ...]:
    """A graph spec's untagged layers as stem (before its first block), head (after its last block,
    and the pooling before the classifier) and classifier (the first fully connected layer after
    the features, and what follows it); tagged layers and untagged ones between blocks keep theirs."""
    end = backbone_end(layers)
    blocks = [i for i, layer in enumerate(layers[:end]) if layer.role != UNTAGGED]
    first_block, last_block = (blocks[0], blocks[-1]) if blocks else (0, end)
    classifier = max(end, _classifier_start(layers))

    def role(i: int, layer: Layer) -> str:
        if layer.role != UNTAGGED:
            return layer.role
        if i >= end:
            return "classifier" if i >= classifier else "head"
        if i < first_block:
            return "stem"
        if i > last_block:
            return "head"
        return UNTAGGED

    return tuple(
        layer if layer.role != UNTAGGED else layer._replace(role=role(i, layer)) for i, layer in enumerate(layers)
    )
