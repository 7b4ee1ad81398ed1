"""The ``qppfiles`` command group: options shared by every command, and one line for any failure."""

from __future__ import annotations

import click

from .. import __version__


class _Group(click.Group):
    """The command group; an unexpected failure in any command is one line on stderr and exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except KeyboardInterrupt:  # any output file being written has been left as it was
            click.echo("qppfiles: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # the boundary: never a traceback for any input
            click.echo(f"qppfiles: internal error ({type(exc).__name__}: {exc}); please report it with the "
                       f"input file and `qppfiles --version`", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="qppfiles")
def main() -> None:
    """Check, score and build CMS Quality Payment Program (MIPS) submission files.

    \b
    Examples:
      qppfiles validate fixtures/2024/group-traditional.json
      qppfiles validate submissions/ --format json
      qppfiles measures --year 2024 diabetes
      qppfiles explain Q104
    """
