"""YAML -> `Node`s: every value with its file position, in time linear in the file's size.

The text is parsed by libyaml (when present) into events, and composed here into nodes without
recursion. Scalars resolve like PyYAML's safe loader, with a fast path for plain words and
numbers. An alias shares the node of its anchor, so an alias bomb ("billion laughs") costs what
its text costs; a node that contains itself, nesting deeper than MAX_NESTING, custom tags and
duplicate keys are refused.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from ..errors import Problem, SpecError

MAX_NESTING = 64  # lists and mappings inside each other; a spec never needs more
_STANDARD_TAGS = {None, "!", yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG}
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10 MB specs parse in seconds
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")


class Node:
    """A value from the file and where it stands (1-based line and column).

    `value` is a scalar (str, int, float, bool, None), a list of Nodes, or a dict of str -> Node
    whose keys' own nodes (for their positions) are in `keys`.
    """

    __slots__ = ("value", "line", "column", "keys")

    def __init__(self, value: Any, line: int, column: int, keys: dict[str, Node] | None = None):
        self.value, self.line, self.column, self.keys = value, line, column, keys

    @property
    def is_map(self) -> bool:
        return self.keys is not None

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return self.keys is None and not isinstance(self.value, list)

    def __repr__(self) -> str:
        return f"Node({self.value!r} @ {self.line}:{self.column})"


@contextmanager
def no_gc() -> Iterator[None]:
    """Building many small records triggers the cyclic collector for nothing: pause it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_yaml(text: str, file: str) -> Node:
    """Parse YAML safely (no tags, no code), keeping positions. Raises SpecError."""
    loader = _Loader(text)
    open_flows: list[tuple[int, int, str]] = []  # where each [ or { still open was opened
    try:
        with no_gc():
            return _compose(loader, file, open_flows)
    except yaml.MarkedYAMLError as exc:
        # where the problem starts: an unclosed bracket or quote is reported where it was opened
        mark = exc.context_mark or exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = "" if isinstance(exc, yaml.constructor.ConstructorError) else " (check indentation and brackets)"
        if open_flows and (exc.context or "").startswith("while parsing a flow"):
            line, column, bracket = open_flows[-1]
            hint = f" (the '{bracket}' opened here is not closed)"
        raise SpecError([Problem(file, line, column, f"not valid YAML: {exc.problem or exc.context}{hint}")]) from None
    except yaml.YAMLError as exc:  # e.g. a NUL byte: the reader's own message, first line only
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise SpecError([Problem(file, 1, 1, f"not valid YAML: {reason} (save the spec as UTF-8 text)")]) from None
    finally:
        loader.dispose()


def _fail(file: str, mark: Any, message: str) -> SpecError:
    return SpecError([Problem(file, mark.line + 1, mark.column + 1, message)])


def _scalar(loader: Any, event: Any) -> Any:
    value = event.value
    if event.tag not in (None, "!"):  # an explicit tag: !!str, !!int ... or a refused one
        node = yaml.ScalarNode(event.tag, value, event.start_mark, event.end_mark, event.style)
        return loader.construct_object(node, deep=True)
    if not event.implicit[0]:  # quoted, literal or folded: a string
        return value
    if not value or value[0] in loader.yaml_implicit_resolvers:
        if _DECIMAL.match(value):
            return int(value)
        tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag != "tag:yaml.org,2002:str":
            return loader.construct_object(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark), deep=True)
    return value


def _compose(loader: Any, file: str, open_flows: list[tuple[int, int, str]]) -> Node:
    """The single document as Nodes: a loop over events with an explicit stack."""
    anchors: dict[str, Node | None] = {}  # None: being composed (an alias to it would be a cycle)
    stack: list[tuple[Node, str | None, Any]] = []  # open collections: node, anchor, pending key node
    root: Node | None = None
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        raise SpecError([Problem(file, 1, 1, "the spec is empty (start from a bundled spec: 'mbcalc list')")])
    loader.get_event()  # DocumentStart

    def attach(node: Node, mark: Any) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent, anchor, key = stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(node)
        elif key is None:  # this node is a key
            if not node.is_scalar:
                raise _fail(file, mark, "a key must be a plain word, not a list or mapping")
            stack[-1] = (parent, anchor, node)
        else:
            name = str(key.value)
            if name in parent.value:
                raise _fail(file, _Mark(key), f"the key '{name}' appears twice in this mapping "
                                              f"(first at line {parent.keys[name].line}; keep one)")
            parent.keys[name] = Node(name, key.line, key.column)
            parent.value[name] = node
            stack[-1] = (parent, anchor, None)

    while not loader.check_event(yaml.DocumentEndEvent):
        event = loader.get_event()
        kind = type(event)
        mark = event.start_mark
        if kind is yaml.ScalarEvent:
            node = Node(_scalar(loader, event), mark.line + 1, mark.column + 1)
            if event.anchor:
                anchors[event.anchor] = node
            attach(node, mark)
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                raise _fail(file, mark, f"found undefined alias '{event.anchor}' (define the &anchor first)")
            target = anchors[event.anchor]
            if target is None:
                raise _fail(file, mark, "an alias refers to the list or mapping that contains it "
                                        "(a spec is a finite table; flatten it)")
            attach(target, mark)
        elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            if event.tag not in _STANDARD_TAGS:
                raise _fail(file, mark, f"the tag {event.tag} is not allowed in a spec (remove it)")
            if len(stack) >= MAX_NESTING:
                raise _fail(file, mark, f"lists and mappings are nested more than {MAX_NESTING} levels deep "
                                        f"(a spec is a finite table; flatten it)")
            is_map = kind is yaml.MappingStartEvent
            node = Node({} if is_map else [], mark.line + 1, mark.column + 1, {} if is_map else None)
            if event.anchor:
                anchors[event.anchor] = None
            stack.append((node, event.anchor, None))
            if event.flow_style:
                open_flows.append((node.line, node.column, "{" if is_map else "["))
        else:  # SequenceEnd / MappingEnd
            node, anchor, _ = stack.pop()
            if open_flows and open_flows[-1][:2] == (node.line, node.column):
                open_flows.pop()
            if anchor:
                anchors[anchor] = node
            attach(node, _Mark(node))
    loader.get_event()  # DocumentEnd
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise _fail(file, event.start_mark, "a spec is one YAML document (remove the second '---')")
    assert root is not None
    return root


class _Mark:
    """A node's position in the shape of a YAML mark (0-based), for _fail."""

    def __init__(self, node: Node):
        self.line, self.column = node.line - 1, node.column - 1
