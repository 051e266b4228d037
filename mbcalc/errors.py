"""User-facing errors. The CLI turns each into one line on stderr and exit code 2.

Every message says what is wrong, where (file:line:column for specs) and how to fix it. Library
errors name arguments (`alpha`), never command-line flags: the CLI maps them to its options.
Bugs are not `MbcalcError`s: they keep their tracebacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import total_ordering

from .record import Record, record


class MbcalcError(Exception):
    """Bad input from the user: a spec, an option, a model name."""


class ArgumentError(MbcalcError):
    """A bad argument of a library call. Its message names the argument (`alpha must be ...`);
    `flag_message` says the same of the command-line option, for the CLI."""

    def __init__(self, message: str, flag_message: str):
        super().__init__(message)
        self.flag_message = flag_message


@total_ordering  # sorted by path, position, then message
@record(slots=True)
class Problem(Record):
    """One problem in a spec file: where it is (1-based line and column; 0 when the whole file) and
    what is wrong, with how to fix it."""

    path: str
    line: int
    column: int
    message: str

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._record_values() < other._record_values()

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}" if self.line else f"{self.path}: {self.message}"


class SpecError(MbcalcError):
    """Every problem found in a spec, each once, sorted by position."""

    def __init__(self, problems: Iterable[Problem]):
        unique = dict.fromkeys(problems)
        self.problems: list[Problem] = sorted(
            unique, key=lambda p: (p.line, p.column)
        )  # stable: same place, same order
        super().__init__("\n".join(map(str, self.problems)))


# What the library says of its arguments, as the command line says it of its options.
FLAG_WORDS = {
    "use a larger alpha": "use a larger --alpha",
    "build it at a larger resolution": "use a larger --res",
    "a build's resolution R is R x R": "--res builds at R x R",
}


def in_flags(message: str) -> str:
    """A library message with its arguments named as the command line's options."""
    for words, flags in FLAG_WORDS.items():
        message = message.replace(words, flags)
    return message


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    import difflib  # only when a name is wrong

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""
