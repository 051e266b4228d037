"""Static checks of a whole program: block cycles, nesting, size, and layer references.

They run when a spec is read, before anything is built, so `validate` reports them at any size.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import did_you_mean
from ..lang.blocks import BUILTINS
from ..lang.program import Block, Item, Namer, Program, Value
from ..ops import REGISTRY
from .nodes import Node
from .problems import Problems

MAX_LAYERS = 100_000  # a spec that would expand past this many layers is refused
MAX_DEPTH = 50  # blocks inside blocks
MERGES = frozenset(name for name, op in REGISTRY.items() if op.merges)


def check(program: Program, at: Node, problems: Problems, complete: bool = True) -> None:
    """Every program-wide problem, reported at `at` (the layers list) when it has no better place.

    Nesting and size are measured only without block cycles; references are checked only when
    every layer could be read (`complete`), since a layer left out would make its name unknown.
    """
    blocks = program.blocks
    cycles = False
    for name, block in blocks.items():
        path = _cycle(name, name, blocks, set())
        if path:
            cycles = True
            problems.add_at(
                block.where, f"block '{name}' uses itself ({' -> '.join([name, *path])}); blocks cannot form a cycle"
            )
    if cycles:
        return
    known: dict[str, int] = {}
    if max((_nesting(name, blocks, known) for name in blocks), default=0) > MAX_DEPTH:
        problems.add(at, f"blocks are nested more than {MAX_DEPTH} deep (flatten some of them)")
        return
    size = expanded_size(program.items, blocks)
    if size > MAX_LAYERS:
        problems.add(
            at,
            f"the spec would expand to about {size:,} layers, past the limit of {MAX_LAYERS:,} "
            f"(check the 'repeat' counts)",
        )
        return
    if not complete:
        return
    for block in blocks.values():
        _check_references(block.items, {"in"}, problems)
    _check_references(program.items, {"in", "input"}, problems)


def _check_references(items: tuple[Item, ...] | list[Item], names: set[str], problems: Problems) -> None:
    """Every `input:` and merge input must name a layer above (so the graph has no cycle)."""
    if not any(item.input or item.op in MERGES for item in items):
        return  # nothing refers to anything
    names, namer, splits = set(names), Namer(items), set()

    def known(ref: str) -> bool:
        return ref in names or ref.rpartition(".")[0] in splits  # a part of a split whose count is a $param

    def unknown(ref: str) -> str:
        return (
            f"no layer above is named '{ref}'{did_you_mean(ref, sorted(names))} "
            f"(inputs name earlier layers: a later one would make a cycle)"
        )

    for item in items:
        if item.input and not known(item.input):
            problems.add_at(item.where, unknown(item.input))
        op = REGISTRY.get(item.op)
        if op is not None and op.merges:
            refs: Any = item.args.get("inputs")
            refs = refs if isinstance(refs, list) else [refs]
            for ref in refs:
                if isinstance(ref, Value) and isinstance(ref.raw, str) and "$" not in ref.raw and not known(ref.raw):
                    problems.add_at(ref.where, unknown(ref.raw))
            if not op.takes(len(refs)):
                problems.add_at(item.where, f"'{item.op}' needs {op.inputs_needed()} inputs, e.g. {op.example}")
        for _ in range(item.repeat):
            local = namer.next(item)
            names.add(local)
            if op is not None and op.parts:  # NAME.0, NAME.1, ...
                parts = item.args.get(op.parts)
                if isinstance(parts, int) and not isinstance(parts, bool):
                    names.update(f"{item.name or local}.{i}" for i in range(parts))
                else:
                    splits.add(item.name or local)
        if item.name:
            names.add(item.name)


def _cycle(start: str, current: str, blocks: Mapping[str, Block], seen: set[str], depth: int = 1) -> list[str]:
    """The blocks leading from `current` back to `start` (depth first, in file order), or [].

    A path longer than MAX_DEPTH is not followed: the nesting check reports such a spec.
    """
    if depth > MAX_DEPTH:
        return []
    for used in dict.fromkeys(i.op for i in blocks[current].items if i.op in blocks):
        if used == start:
            return [used]
        if used not in seen:
            seen.add(used)
            rest = _cycle(start, used, blocks, seen, depth + 1)
            if rest:
                return [used, *rest]
    return []


def _nesting(name: str, blocks: Mapping[str, Block], known: dict[str, int], depth: int = 1) -> int:
    """How deep blocks nest below `name` (1 for a block of plain ops), counted up to MAX_DEPTH + 1."""
    if depth > MAX_DEPTH:
        return 1
    if name not in known:
        inner = [_nesting(i.op, blocks, known, depth + 1) for i in blocks[name].items if i.op in blocks]
        known[name] = 1 + max(inner, default=0)
    return known[name]


PARTS = {name: op.parts for name, op in REGISTRY.items() if op.parts}  # operators that make several layers


def _layers(item: Item) -> int:
    """How many layers an operator item makes: one, or its parts (a split's, when written as a number)."""
    count = item.args.get(PARTS[item.op])
    return count if isinstance(count, int) and not isinstance(count, bool) else 1


def expanded_size(
    items: tuple[Item, ...] | list[Item],
    blocks: Mapping[str, Block],
    depth: int = 0,
    known: dict[str, int] | None = None,
) -> int:
    """How many layers the items expand to (an upper bound), without expanding them."""
    known = {} if known is None else known  # block name -> its size, so nested blocks cost linear time
    if depth > MAX_DEPTH:
        return MAX_LAYERS + 1
    total = 0
    for item in items:
        if item.op in blocks:
            if item.op not in known:
                known[item.op] = expanded_size(blocks[item.op].items, blocks, depth + 1, known)
            per = known[item.op]
        else:
            per = BUILTINS[item.op].size if item.op in BUILTINS else _layers(item) if item.op in PARTS else 1
        total += item.repeat * per
        if total > MAX_LAYERS:
            return total
    return total
