import pytest
from click.testing import CliRunner

from mbcalc.cli import cli


@pytest.fixture
def run():
    """Invoke the CLI in-process: run('v1', '--alpha', '0.75') -> click Result."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke
