"""Channel rounding, exactly as the reference implementations write it.

The arithmetic stays in Python floats on purpose: the implementations compute `c * alpha` in
floats too, so e.g. int(100 * 0.29) == 28 here exactly as it is there.
"""

from __future__ import annotations


def truncate(channels: int, alpha: float, min_depth: int = 0) -> int:
    """V1: int(c * alpha) (Keras `int(filters * alpha)`; TF-Slim adds max(..., min_depth=8))."""
    return max(int(channels * alpha), min_depth)


def md(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """make_divisible: the nearest multiple of `divisor`, at least `min_value`, never below 90% of
    `value` (TF-Slim's, Keras's and torchvision's `_make_divisible`)."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:  # rounding down must not remove more than 10%
        rounded += divisor
    return rounded
