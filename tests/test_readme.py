"""The README's examples: its Python API section runs as doctests, outputs as written."""

import doctest
import re
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def python_api_section() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S))


def test_the_python_api_examples_run_as_written(monkeypatch):
    monkeypatch.chdir(README.parent)
    examples = python_api_section()
    parser = doctest.DocTestParser()
    test = parser.get_doctest(examples, {}, "README.md: Python API", str(README), 0)
    assert len(test.examples) >= 15
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_readme_shows_v2_by_block_as_mbcalc_prints_it(run):
    text = README.read_text(encoding="utf-8")
    shown = text.split("```\n$ mbcalc v2 --by block\n", 1)[1].split("\n...\n```", 1)[0].splitlines()
    printed = [line.rstrip() for line in run("v2", "--by", "block").output.splitlines()]
    assert len(shown) > 20 and shown == printed[: len(shown)]
