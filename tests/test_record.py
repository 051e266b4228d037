"""Frozen records (mbcalc/record.py) behave as frozen dataclasses do, and JSON output keeps a
layer per line."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcalc import api
from mbcalc.record import FrozenInstanceError, Record, field, record, replace
from mbcalc.render import json_text


@record
class Plain(Record):
    name: str
    sizes: list[int] = field(default_factory=list)
    scale: float = 1.0


@record(slots=True)
class Slotted(Record):
    name: str
    scale: float = field(default=2.0)


@pytest.mark.parametrize("kind", [Plain, Slotted])
def test_a_record_is_frozen_and_equal_by_its_fields(kind):
    one, same, other = kind("a"), kind("a"), kind("b")
    assert one == same and one != other
    if kind is Slotted:  # Plain holds a list, unhashable as in a dataclass
        assert hash(one) == hash(same) == hash(("a", 2.0))
    else:
        with pytest.raises(TypeError, match="unhashable"):
            hash(one)
    assert one != ("a",) and one.name == "a"
    with pytest.raises(FrozenInstanceError):
        one.name = "c"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del one.name  # type: ignore[misc]
    assert replace(one, name="c") == kind("c") and one.name == "a"


def test_defaults_factories_repr_and_slots_are_those_of_a_dataclass():
    first, second = Plain("a"), Plain("a")
    assert first.sizes == [] and first.sizes is not second.sizes  # a fresh list each
    assert Plain("x", [1], 3.0).scale == 3.0 and Plain.scale == 1.0  # a default stays on the class
    assert repr(Plain("x", [1])) == "Plain(name='x', sizes=[1], scale=1.0)"
    assert Slotted("y").scale == 2.0 and not hasattr(Slotted("y"), "__dict__")
    assert Slotted.__match_args__ == ("name", "scale")
    with pytest.raises(TypeError, match="has no field colour"):
        replace(Plain("a"), colour="red")


def test_a_record_refuses_what_a_dataclass_refuses():
    with pytest.raises(TypeError, match="without a default follows"):

        @record
        class Backwards(Record):
            first: int = 1
            second: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="subclasses Record"):

        @record
        class Loose:
            first: int


@record
class Twin(Record):  # Plain's fields: still another record
    name: str
    sizes: list[int] = field(default_factory=list)
    scale: float = 1.0


def test_records_of_two_classes_differ_and_copy_and_pickle_as_themselves():
    assert Plain("a") != Twin("a") and Slotted("a") != Plain("a")
    for made in (Plain("a", [1]), Slotted("b", 3.0), api.build("v2").config):
        assert copy.copy(made) == made == copy.deepcopy(made) == pickle.loads(pickle.dumps(made))


def test_a_record_refuses_what_would_make_it_unlike_a_frozen_dataclass():
    cases = {
        "does not subclass another record": "class Child(Plain):\n    extra: int = 0",
        "does not define __eq__": "class Own(Record):\n    x: int\n    def __eq__(self, other): return True",
        "does not define __post_init__": "class Post(Record):\n    x: int\n    def __post_init__(self): pass",
        "no ClassVar": "class Constant(Record):\n    x: ClassVar[int] = 1",
        "mutable default": "class Shared(Record):\n    xs: list = []",
        "without a default follows": "class Order(Record):\n    a: int = 1\n    b: int = field()",
    }
    for message, body in cases.items():
        scope = {"Plain": Plain, "Record": Record, "field": field}
        with pytest.raises((TypeError, ValueError), match=message):
            exec(
                f"from __future__ import annotations\nfrom typing import ClassVar\n@record\n{body}",
                scope | {"record": record},
            )


def test_problems_order_by_place_and_refuse_other_types():
    from mbcalc.errors import Problem

    first, second = Problem("a.yaml", 1, 2, "x"), Problem("a.yaml", 1, 3, "x")
    assert first < second and first <= second and second >= first and sorted([second, first]) == [first, second]
    with pytest.raises(TypeError):
        _ = first < 3


def test_json_output_puts_each_layer_on_one_line_and_reads_back_exactly():
    report = api.analyze("v2")
    text = json_text(report.to_dict())
    assert json.loads(text) == json.loads(json.dumps(report.to_dict()))
    lines = text.splitlines()
    first = next(line for line in lines if '"name": "conv1"' in line)
    assert first == (
        '    {"index": 1, "name": "conv1", "op": "conv", "role": "stem", "operator": "conv 3x3/2", '
        '"input": [3, 224, 224], "output": [32, 112, 112], "macs": 10838016, "params": 864},'
    )
    assert lines[0] == "{" and lines[-1] == "}" and len(lines) < 200


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_json_text_is_json_of_the_same_value(value):
    text = json_text(value)
    assert text.endswith("\n") and json.loads(text) == value


def test_json_text_writes_keys_as_the_encoder_does():
    value = {True: {"x": {"y": 1}}, None: {"z": [{"w": 2}]}, 1.5: [[1], {"v": [3]}]}
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))
    with pytest.raises(TypeError):
        json_text({("a", "b"): {"x": {"y": 1}}})
