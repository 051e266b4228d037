"""Building many small records at once (nodes, items, layers) triggers Python's cyclic garbage
collector again and again for nothing, since none of them form cycles: pause it meanwhile."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
