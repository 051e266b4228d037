"""The command line: parse options, call the library, print a renderer's text. No arithmetic here.

Every bundled model is a command (`mbcalc v1`, `mbcalc v2` ...); a spec file path works too
(`mbcalc my-net.yaml`). Errors are one line on stderr and exit code 2. The named commands live in
commands.py and load only when one runs: a model command starts without them.
"""

from __future__ import annotations

import errno
import gc
import os
import sys

import click

from .. import __version__, models
from ..errors import ArgumentError, MbcalcError, SpecError, did_you_mean, in_flags
from .shared import discard_stdout, model_command, one_line

# The named commands, in commands.py (a test checks that the two lists agree).
COMMANDS = ("compare", "conv", "diff", "docs", "explain", "fit", "list", "memory", "reproduce", "sweep", "validate")


class MbcalcGroup(click.Group):
    """Bundled models are commands too; an argument ending in .yaml is a spec file to analyze."""

    def list_commands(self, ctx):
        return sorted(COMMANDS) + list(models.bundled())

    def get_command(self, ctx, name):
        if name in COMMANDS:
            from .commands import COMMANDS as loaded

            return loaded[name]
        known = models.canonical(name)  # a bundled model, by its name or an alias (mobilenet_v2)
        if known is not None and not models.is_spec_path(name):
            return model_command(known, models.description(known), given=name)
        if models.is_spec_path(name):
            return model_command(name, f"Analyze the spec file {name}.")
        return None

    def resolve_command(self, ctx, args):
        name = args[0]
        command = self.get_command(ctx, name)
        if command is not None:  # made once (click's own would make a model's command again)
            return name, command, args[1:]
        if not name.startswith("-"):
            choices = self.list_commands(ctx)
            raise click.UsageError(
                f"unknown model or command '{name}'{did_you_mean(name, choices)} "
                f"(see 'mbcalc list' and 'mbcalc --help')"
            )
        return super().resolve_command(ctx, args)  # an option where a command belongs: click's message

    def main(self, args=None, prog_name="mbcalc", complete_var=None, standalone_mode=True, **extra):
        """Run, turning every user error into one line on stderr and exit code 2."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # plain `mbcalc`: show the help
            click.echo(exc.ctx.get_help())
            code = 0
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            hint = (
                f" (see '{ctx.command_path} --help')" if ctx is not None and "(see" not in exc.format_message() else ""
            )
            click.echo(f"mbcalc: error: {one_line(exc.format_message())}{hint}", err=True)
            code = 2
        except click.Abort:
            click.echo("mbcalc: aborted", err=True)
            code = 1
        except SpecError as exc:  # every problem in the spec, one line each
            for problem in exc.problems:
                click.echo(f"mbcalc: error: {one_line(in_flags(str(problem)))}", err=True)
            code = 2
        except ArgumentError as exc:  # the library names its arguments; here they are options
            click.echo(f"mbcalc: error: {one_line(exc.flag_message)}", err=True)
            code = 2
        except MbcalcError as exc:
            click.echo(f"mbcalc: error: {one_line(in_flags(str(exc)))}", err=True)
            code = 2
        except OSError as exc:  # stdout (the library turns its own I/O errors into MbcalcErrors, and click
            # ends a run whose reader went away, as `| head` does, quietly with exit code 1)
            discard_stdout()
            hint = "free some space, or write elsewhere with -o FILE" if exc.errno == errno.ENOSPC else "use -o FILE"
            click.echo(f"mbcalc: error: cannot write to standard output: {exc.strerror or exc} ({hint})", err=True)
            code = 2
        except Exception as exc:  # a bug: one line for the user, the traceback with MBCALC_DEBUG=1
            if os.environ.get("MBCALC_DEBUG"):
                raise
            click.echo(
                f"mbcalc: internal error: {type(exc).__name__}: {one_line(str(exc))} (a bug; please report it with "
                f"the command and input; MBCALC_DEBUG=1 shows the traceback)",
                err=True,
            )
            code = 70
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=MbcalcGroup, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mbcalc")
def cli():
    """Exact Mult-Adds and parameters of MobileNet-style networks, from the papers' own tables.

    \b
    Examples:
      mbcalc v1 --alpha 0.75 --res 192
      mbcalc v1 --format json -o v1.json
      mbcalc conv --in 14x14x512 --out 512 -k 3
      mbcalc list
    """


def main() -> None:
    # One run is short and builds no reference cycles: the cyclic collector would only rescan the
    # records of a large spec over and over (a third of the time of a 100,000-layer one).
    gc.disable()
    cli()
