"""Frozen records: immutable data classes that are cheap to define.

On Python 3.11 a `@dataclass(frozen=True)` compiles six methods and costs about 1 ms to create;
a command defines some thirty at start-up, a third of its own time. A `record` compiles only its
`__init__` and shares the rest from `Record`, with a frozen dataclass's behaviour: assignment
raises `FrozenInstanceError` (an AttributeError), instances are equal when the class and every field are equal,
hash by their fields and show as `Name(field=value, ...)`. Defaults and `field(default=...)` or
`field(default_factory=...)` work as in dataclasses; `replace` makes a changed copy.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorated: decorated


T = TypeVar("T")
R = TypeVar("R", bound="Record")
_MISSING: Any = object()  # no default given
_FACTORY = object()  # the default of a field made by a factory: a fresh value per instance


class FrozenInstanceError(AttributeError):
    """A field of a record was assigned or deleted."""


class Field:
    """A field's default, as `field(...)` gives it."""

    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any):
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING) -> Any:
    """A field's default (`default=`), or a factory called for each instance (`default_factory=`),
    as in dataclasses."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("a field takes a default or a default_factory, not both")
    return Field(default, default_factory)


class Record:
    """The methods every `record` shares."""

    __slots__ = ()
    _record_fields: tuple[str, ...] = ()

    def _record_values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._record_fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._record_values() == other._record_values()

    def __hash__(self) -> int:
        return hash(self._record_values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._record_fields)
        return f"{self.__class__.__qualname__}({shown})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # copy and pickle: made again from the fields
        return self.__class__, self._record_values()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: Any = None, /, *, slots: bool = False) -> Any:
    """Make a subclass of `Record` a frozen record of its annotated fields, with `__slots__` if
    `slots`."""
    return (lambda cls: _make(cls, slots)) if cls is None else _make(cls, slots)


def replace(obj: R, /, **changes: Any) -> R:
    """A copy of a record with some fields changed."""
    values = {name: getattr(obj, name) for name in obj._record_fields}
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{obj.__class__.__qualname__} has no field {', '.join(sorted(unknown))}")
    return obj.__class__(**(values | changes))


def _make(cls: Any, slots: bool) -> Any:
    annotations = inspect.get_annotations(cls)  # this class's own fields, unevaluated
    _refuse_what_dataclasses_do_otherwise(cls, annotations)
    names = tuple(annotations)
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name in names:
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, Field):
            if value.default_factory is not _MISSING:
                factories[name] = value.default_factory
            elif value.default is not _MISSING:
                defaults[name] = value.default
        elif value is not _MISSING:
            if isinstance(value, (list, dict, set)):
                raise ValueError(f"{cls.__qualname__}.{name}: a mutable default is shared (use default_factory)")
            defaults[name] = value
        if name not in defaults and name not in factories and (defaults or factories):
            raise TypeError(f"{cls.__qualname__}.{name}: a field without a default follows one with it")
    made = {
        "__match_args__": names,
        "_record_fields": names,
        "__init__": _init(cls.__qualname__, names, defaults, factories),
    }
    if slots:  # slots need a new class, without the defaults as class attributes
        body = {key: value for key, value in cls.__dict__.items() if key not in (*names, "__dict__", "__weakref__")}
        return type(cls)(
            cls.__name__, cls.__bases__, body | made | {"__slots__": names, "__qualname__": cls.__qualname__}
        )
    for name in names:
        if name in factories or (name in cls.__dict__ and name not in defaults):
            delattr(cls, name)
    for key, value in (defaults | made).items():  # as in dataclasses, a default stays on the class
        setattr(cls, key, value)
    return cls


def _refuse_what_dataclasses_do_otherwise(cls: Any, annotations: dict[str, Any]) -> None:
    """A record is a plain frozen dataclass: what would make it behave otherwise is refused."""
    name = cls.__qualname__
    if not issubclass(cls, Record):
        raise TypeError(f"{name}: a record subclasses Record")
    if any(base is not Record and issubclass(base, Record) for base in cls.__bases__):
        raise TypeError(f"{name}: a record does not subclass another record (its fields would be lost)")
    for attribute in ("__eq__", "__hash__", "__post_init__"):
        if attribute in cls.__dict__:
            raise TypeError(f"{name}: a record does not define {attribute} (Record's is by field)")
    if any("ClassVar" in str(annotation) for annotation in annotations.values()):
        raise TypeError(f"{name}: a record has no ClassVar fields (define the constant outside the class)")


def _init(owner: str, names: tuple[str, ...], defaults: dict[str, Any], factories: dict[str, Any]) -> Any:
    """The one compiled method: `__init__`, setting each field past the frozen guard."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    params, lines = ["self"], []
    for name in names:
        if name in factories:
            scope[f"_factory_{name}"] = factories[name]
            params.append(f"{name}=_FACTORY")
            lines.append(f"_set(self, {name!r}, _factory_{name}() if {name} is _FACTORY else {name})")
        else:
            if name in defaults:
                scope[f"_default_{name}"] = defaults[name]
            params.append(f"{name}=_default_{name}" if name in defaults else name)
            lines.append(f"_set(self, {name!r}, {name})")
    source = f"def __init__({', '.join(params)}):\n    " + ("\n    ".join(lines) or "pass")
    exec(source, scope)
    scope["__init__"].__qualname__ = f"{owner}.__init__"
    return scope["__init__"]
