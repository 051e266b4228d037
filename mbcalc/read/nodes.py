"""YAML -> `Node`s: every value with its file position, in time linear in the file's size.

The text is parsed by libyaml (when present) into events, and composed here into nodes without
recursion. Scalars resolve like PyYAML's safe loader, with a fast path for plain words and
numbers. An alias shares the node of its anchor, so an alias bomb ("billion laughs") costs what
its text costs; a node that contains itself, nesting deeper than MAX_NESTING, custom tags and
duplicate keys are refused.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..bulk import no_gc
from ..errors import Problem, SpecError

MAX_NESTING = 64  # lists and mappings inside each other; a spec never needs more
MAX_DIGITS = 100  # a whole number longer than this is no width, kernel or count
_STANDARD_TAGS = {
    None,
    "!",
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
}
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10 MB specs parse in seconds
# The words YAML 1.1 reads as flags or null (PyYAML's resolvers); any other word is a string.
_WORDS = frozenset(
    {
        "yes",
        "Yes",
        "YES",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "null",
        "Null",
        "NULL",
    }
)


Position = tuple[int, int]  # (line, column), 1-based


class Node:
    """A value from the file and where it stands (1-based line and column).

    `value` is a scalar (str, int, float, bool, None), a list of Nodes, or a dict of str -> Node;
    a mapping's `keys` say where each key is written (its (line, column): a key is a name, not a value).
    """

    __slots__ = ("column", "keys", "line", "value")

    def __init__(self, value: Any, line: int, column: int, keys: dict[str, Position] | None = None):
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


UNUSUAL_BREAKS = re.compile("[\x85\u2028\u2029]")  # YAML breaks lines there; most editors do not


def read_yaml(text: str, file: str) -> Node:
    """Parse YAML safely (no tags, no code), keeping positions. Raises SpecError."""
    if "\r" in text:  # CRLF and a lone CR are line breaks to YAML and to editors: count them as one
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if found := UNUSUAL_BREAKS.search(text):  # every position after it would be off by a line
        at = found.start()
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        message = (
            f"U+{ord(found[0]):04X} is a line break to YAML but not to most editors, so positions would "
            f"disagree (remove it)"
        )
        raise SpecError([Problem(file, line, column, message)])
    loader = _Loader(text)
    stack: list[list[Any]] = []  # the collections still open: [node, anchor, its pending key, flow style]
    try:
        with no_gc():
            return _compose(loader, file, stack)
    except yaml.MarkedYAMLError as exc:
        # Where the problem is; an unclosed bracket or quote, where it was opened (the parser notices
        # only at the end of what it could read).
        context = exc.context or ""
        quote = context.startswith("while scanning a quoted scalar") and exc.context_mark
        mark = exc.context_mark if quote else exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = "" if isinstance(exc, yaml.constructor.ConstructorError) else " (check indentation and brackets)"
        if quote:
            hint = " (the quote opened here is not closed)"
        flows = [frame[0] for frame in stack if frame[3]]  # the [ and { still open, innermost last
        if flows and context.startswith("while parsing a flow"):
            line, column, bracket = flows[-1].line, flows[-1].column, "{" if flows[-1].is_map else "["
            hint = f" (the '{bracket}' opened here is not closed)"
        raise SpecError([Problem(file, line, column, f"not valid YAML: {exc.problem or exc.context}{hint}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a NUL byte: where it is
        position = exc.position
        if _Loader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        code = f"U+{character:04X}"
        message = f"not valid YAML: the control character {code} is not allowed (save the spec as UTF-8 text)"
        raise SpecError([Problem(file, line, column, message)]) from None
    except yaml.YAMLError as exc:  # anything else the reader refuses: its own message, first line only
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise SpecError([Problem(file, 1, 1, f"not valid YAML: {reason} (save the spec as UTF-8 text)")]) from None
    finally:
        loader.dispose()


def _fail(file: str, mark: Any, message: str) -> SpecError:
    return SpecError([Problem(file, mark.line + 1, mark.column + 1, message)])


def _scalar(loader: Any, event: Any, file: str) -> Any:
    """A scalar that may not be a plain string: resolved and constructed as the safe loader does."""
    value, tag = event.value, event.tag
    if tag in (None, "!"):
        if not event.implicit[0]:  # quoted, literal or folded: a string
            return value
        if value and value[0] not in loader.yaml_implicit_resolvers:
            return value
        tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag == "tag:yaml.org,2002:merge":
            raise _fail(
                file, event.start_mark, "merge keys (<<) are not read in a spec (write the keys out, or use a block)"
            )
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):  # e.g. !!int abc, 0x_
        kind = tag.rsplit(":", 1)[-1]
        fix = "fix the value, or quote it to make it text" if event.implicit[0] else "remove the tag or fix the value"
        raise _fail(
            file, event.start_mark, f"'{value}' is not {'an' if kind[0] in 'aeiou' else 'a'} {kind} ({fix})"
        ) from None
    except MemoryError:
        raise _fail(file, event.start_mark, "the value is too large to read") from None


def _compose(loader: Any, file: str, stack: list[list[Any]]) -> Node:
    """The single document as Nodes: one loop over the events, with an explicit stack (hot: a
    10 MB spec has millions of events, so the common cases come first and the innermost open
    collection's parts are kept in local variables)."""
    anchors: dict[str, Node | None] = {}  # None: being composed (an alias to it would be a cycle)
    get_event, resolvers = loader.get_event, loader.yaml_implicit_resolvers
    scalar_event, alias_event, mapping_start, document_end = (
        yaml.ScalarEvent,
        yaml.AliasEvent,
        yaml.MappingStartEvent,
        yaml.DocumentEndEvent,
    )
    starts = (yaml.SequenceStartEvent, mapping_start)
    get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        raise SpecError([Problem(file, 1, 1, "the spec is empty (start from a bundled spec: 'mbcalc list')")])
    get_event()  # DocumentStart
    root: Node | None = None
    # the innermost open collection: its items (a list or a dict), its keys' positions (a mapping's),
    # and the key waiting for its value: (name, line, column)
    container: Any = None
    keys: dict[str, Position] | None = None
    pending: tuple[str, int, int] | None = None
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            mark, value = event.start_mark, event.value
            if event.tag is not None or not event.implicit[0] or not value:
                value = _scalar(loader, event, file)
            elif value[0] in resolvers:  # it may be a number, a flag, null ...
                if value.isdigit() and (value[0] != "0" or len(value) == 1) and value.isascii():
                    if len(value) > MAX_DIGITS:
                        raise _fail(
                            file, mark, f"a number of {len(value)} digits is past any width (at most {MAX_DIGITS})"
                        )
                    value = int(value)  # plain decimal (a leading 0 is YAML 1.1 octal: left to the resolver)
                elif value[0].isalpha():  # only the words of YAML 1.1's flags and null start with a letter
                    if value in _WORDS:
                        value = _scalar(loader, event, file)
                else:
                    for _, regexp in resolvers[value[0]]:
                        if regexp.match(value):
                            value = _scalar(loader, event, file)
                            break
                    # else a word that only starts like one ('out', 'true_name'): a string
            if keys is not None and pending is None and not event.anchor:  # a key: a name and its place
                pending = (value if type(value) is str else str(value), mark.line + 1, mark.column + 1)
                continue
            node = Node(value, mark.line + 1, mark.column + 1)
            if event.anchor:
                anchors[event.anchor] = node
        elif kind in starts:  # a sequence or a mapping opens
            mark = event.start_mark
            if event.tag not in _STANDARD_TAGS:
                raise _fail(file, mark, f"the tag {event.tag} is not allowed in a spec (remove it)")
            if len(stack) >= MAX_NESTING:
                raise _fail(
                    file,
                    mark,
                    f"lists and mappings are nested more than {MAX_NESTING} levels deep "
                    f"(a spec is a finite table; flatten it)",
                )
            is_map = kind is mapping_start
            opened = Node({} if is_map else [], mark.line + 1, mark.column + 1, {} if is_map else None)
            if event.anchor:
                anchors[event.anchor] = None
            if stack:
                stack[-1][2] = pending  # the enclosing mapping's key waits for this collection
            stack.append([opened, event.anchor, None, event.flow_style])
            container, keys, pending = opened.value, opened.keys, None
            continue
        elif kind is alias_event:
            mark = event.start_mark
            if event.anchor not in anchors:
                raise _fail(file, mark, f"found undefined alias '{event.anchor}' (define the &anchor first)")
            target = anchors[event.anchor]
            if target is None:
                raise _fail(
                    file,
                    mark,
                    "an alias refers to the list or mapping that contains it (a spec is a finite table; flatten it)",
                )
            node = target
        elif kind is document_end:
            break
        else:  # a sequence or a mapping closes
            node, anchor = stack.pop()[:2]
            if anchor:
                anchors[anchor] = node
            if stack:
                parent = stack[-1][0]
                container, keys, pending = parent.value, parent.keys, stack[-1][2]
            else:
                container = keys = pending = None
        # attach the finished node to the collection it is in
        if container is None:
            root = node
            continue
        if keys is None:  # a list
            container.append(node)
            continue
        if pending is None:  # this node is a key: an anchored scalar, or one an alias repeats
            if node.keys is not None or type(node.value) is list:
                raise _fail(file, _Mark(node), "a key must be a plain word, not a list or mapping")
            name = node.value if type(node.value) is str else str(node.value)
            line, column = _position(event) if kind is alias_event else (node.line, node.column)
            pending = (name, line, column)
            continue
        name, line, column = pending
        if name in keys:
            raise _fail(
                file,
                _Mark.at(line, column),
                f"the key '{name}' appears twice in this mapping (first at line {keys[name][0]}; keep one)",
            )
        keys[name] = (line, column)
        container[name] = node
        pending = None
    if not loader.check_event(yaml.StreamEndEvent):
        event = get_event()
        raise _fail(file, event.start_mark, "a spec is one YAML document (remove the second '---')")
    assert root is not None
    return root


def _position(event: Any) -> Position:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Mark:
    """A node's position in the shape of a YAML mark (0-based), for _fail."""

    @classmethod
    def at(cls, line: int, column: int) -> _Mark:
        return cls(Node(None, line, column))

    def __init__(self, node: Node):
        self.line, self.column = node.line - 1, node.column - 1
