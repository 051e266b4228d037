"""User-facing errors. The CLI turns each into one line on stderr and exit code 2.

Every message says what is wrong, where (file:line:column for specs) and how to fix it.
Bugs are not `MbcalcError`s: they keep their tracebacks.
"""

from __future__ import annotations

import difflib


class MbcalcError(Exception):
    """Bad input from the user: a spec, an option, a model name."""


class SpecError(MbcalcError):
    """One or more problems in a spec file, each already formatted as `file:line:col: message`."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""
