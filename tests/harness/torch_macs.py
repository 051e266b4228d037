"""Mult-Adds and parameters of a PyTorch model, counted by forward hooks.

conv:   out_h * out_w * out_c * (in_c / groups) * k_h * k_w
linear: in_features * out_features (per output row; one row for a 1xC input)
params: sum(p.numel() for p in model.parameters())

The model is put in eval mode and run once under torch.no_grad() on a zero 1x3xRxR input.
Every call of a Conv2d or Linear module (subclasses included) is counted, so a module used
twice counts twice. Nothing else (batch norm, activations, pooling, additions) is counted.
"""

import sys

import torch
from torch import nn


def count(model, resolution):
    """(macs, params) of model on a 1x3xRxR input."""
    macs = 0

    def conv_hook(module, inputs, output):
        nonlocal macs
        _, out_c, out_h, out_w = output.shape
        k_h, k_w = module.kernel_size
        macs += out_h * out_w * out_c * (module.in_channels // module.groups) * k_h * k_w

    def linear_hook(module, inputs, output):
        nonlocal macs
        rows = output.numel() // module.out_features
        macs += rows * module.in_features * module.out_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, resolution, resolution))
    finally:
        for h in handles:
            h.remove()
    params = sum(p.numel() for p in model.parameters())
    return int(macs), int(params)


def import_torchvision():
    """import torchvision, even where its compiled operators cannot load.

    torchvision's wheel carries compiled operators (nms, roi_align, ...) built against one
    torch build; with another torch (for example PyPI's CUDA-built torchvision next to a CPU
    torch) `import torchvision` fails while registering them. The classification models use
    none of those operators, so on that failure the two registration modules are replaced by
    empty ones and the import is retried; a note goes to stderr.
    """
    try:
        import torchvision
        return torchvision
    except RuntimeError as e:
        if "torchvision::" not in str(e):
            raise
        first_error = e
    import types
    for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
        del sys.modules[name]
    for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
        sys.modules[name] = types.ModuleType(name)
    import torchvision
    print("note: torchvision's compiled operators did not load (%s); imported it without them "
          "(the models built here do not use them)" % first_error, file=sys.stderr)
    return torchvision
