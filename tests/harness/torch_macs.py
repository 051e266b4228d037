"""Mult-Adds and parameters of a PyTorch model, counted by forward hooks.

conv:   out_h * out_w * out_c * (in_c / groups) * k_h * k_w
linear: in_features * out_features (per output row; one row for a 1xC input)
matmul: the product of a (..., M, K) @ (..., K, N) matrix multiply, broadcast batch dims
        included, M * K * N per matrix; scaled_dot_product_attention as its two products,
        Q @ K^T and attention @ V (softmax and scaling not counted). Only attention models
        (MobileNetV4 hybrids) call these; everything else is counted by module hooks.
params: sum(p.numel() for p in model.parameters())

The model is put in eval mode and run once under torch.no_grad() on a zero 1x3xRxR input.
Every call of a Conv2d or Linear module (subclasses included) is counted, so a module used
twice counts twice. Nothing else (batch norm, activations, pooling, additions) is counted.
"""

import json
import sys

import torch
from torch import nn
from torch.overrides import TorchFunctionMode


def _matmul_macs(a_shape, b_shape):
    """M * K * N for each matrix of a broadcast (..., M, K) @ (..., K, N)."""
    batch = torch.broadcast_shapes(tuple(a_shape[:-2]), tuple(b_shape[:-2]))
    m, k = a_shape[-2], a_shape[-1]
    n = b_shape[-1]
    size = 1
    for d in batch:
        size *= d
    return size * m * k * n


class _MatmulCounter(TorchFunctionMode):
    """Counts the matrix products that no module hook sees (attention)."""

    def __init__(self):
        super().__init__()
        self.macs = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        # by name: Tensor.__matmul__ reaches here as the C-level TensorBase method
        if getattr(func, "__name__", "") in ("matmul", "__matmul__", "bmm"):
            self.macs += _matmul_macs(args[0].shape, args[1].shape)
        elif func is torch.nn.functional.scaled_dot_product_attention:
            q, k, v = args[:3]
            self.macs += _matmul_macs(q.shape, k.transpose(-1, -2).shape)
            scores = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (q.shape[-2], k.shape[-2])
            self.macs += _matmul_macs(scores, v.shape)
        return func(*args, **kwargs)


def macs_of(module, run):
    """(Mult-Adds, result) of the calls `run()` makes into `module`: conv and linear layers by
    forward hooks, and the matrix products no module hook sees."""
    macs = 0

    def conv_hook(m, inputs, output):
        nonlocal macs
        _, out_c, out_h, out_w = output.shape
        k_h, k_w = m.kernel_size
        macs += out_h * out_w * out_c * (m.in_channels // m.groups) * k_h * k_w

    def linear_hook(m, inputs, output):
        nonlocal macs
        rows = output.numel() // m.out_features
        macs += rows * m.in_features * m.out_features

    handles = [
        m.register_forward_hook(conv_hook if isinstance(m, nn.Conv2d) else linear_hook)
        for m in module.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    matmuls = _MatmulCounter()
    try:
        with torch.no_grad(), matmuls:
            result = run()
    finally:
        for h in handles:
            h.remove()
    return int(macs + matmuls.macs), result


def count(model, resolution):
    """(macs, params) of model on a 1x3xRxR input (or 1x3xHxW for resolution (H, W))."""
    height, width = resolution if isinstance(resolution, tuple) else (resolution, resolution)
    model.eval()
    macs, _ = macs_of(model, lambda: model(torch.zeros(1, 3, height, width)))
    return macs, int(sum(p.numel() for p in model.parameters()))


def write_builds(records):
    """The records as tests/data's harness files hold them, on stdout."""
    version = f"torch {torch.__version__}, torchvision {import_torchvision().__version__}"
    json.dump({"measured_with": version, "builds": records}, sys.stdout, indent=1)
    print()


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
