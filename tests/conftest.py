from pathlib import Path

import pytest
from click.testing import CliRunner

from mbcalc.cli import cli

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/*.md from the current output instead of comparing.",
    )


@pytest.fixture
def run():
    """Invoke the CLI in-process: run('v1', '--alpha', '0.75') -> click Result."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def golden(request):
    """golden('name.md', text): compare with tests/golden/name.md (or rewrite it with --update-golden)."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"{name} changed; review, then pytest --update-golden"

    return check
