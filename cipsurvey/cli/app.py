"""Entry point: builds the typer app and turns user errors into one line and exit code 2.

Only typer is imported at start-up; each command imports pandas and the rest when it runs,
so ``cipsurvey --help`` stays fast.
"""

from __future__ import annotations

import gc
import sys

import typer

from ..version import __version__

app = typer.Typer(
    name="cipsurvey",
    help="Import, validate and analyse staff surveys on collaborative individual plans (CIP).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
instrument_app = typer.Typer(help="Check, list and export instrument definitions.",
                             no_args_is_help=True)
app.add_typer(instrument_app, name="instrument")
plan_app = typer.Typer(help="Draft analysis plans.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")
demo_app = typer.Typer(help="The bundled SYNTHETIC demo waves (calibrated to the 2017 paper).",
                       no_args_is_help=True)
app.add_typer(demo_app, name="demo")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cipsurvey {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """cipsurvey: from raw survey answers to tables, tests and reports."""


def _register() -> None:
    from . import (
        codebook_cmd,
        compare_cmd,
        demo_cmd,
        import_cmd,
        instrument_cmd,
        plan_cmd,
        report_cmd,
        serve_cmd,
        validate_cmd,
    )

    instrument_cmd.register(instrument_app)
    plan_cmd.register(plan_app)
    demo_cmd.register(demo_app)
    demo_cmd.register_gallery(demo_app)
    codebook_cmd.register(app)
    validate_cmd.register(app)
    import_cmd.register(app)
    report_cmd.register(app)
    compare_cmd.register(app)
    serve_cmd.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 problems found, 2 unusable input)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args  # accepted anywhere on the line, not only before the command
    args = [a for a in args if a != "--debug"]
    try:
        app(args=args, prog_name="cipsurvey")
    except SystemExit as exc:  # typer/click end every run this way, usage errors with 2
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except Exception as exc:
        from ..errors import CipsurveyError

        if debug:
            raise
        if isinstance(exc, CipsurveyError):
            typer.echo(f"error: {exc.render()}", err=True)
        else:
            typer.echo(f"error: unexpected {type(exc).__name__}: {exc}\n"
                       "  (this is a bug in cipsurvey; run again with --debug for the "
                       "traceback and report it)", err=True)
        return 2
    return 0


def run() -> None:  # pragma: no cover - console script
    """The console script: run the command line, exit with its code."""
    code = main()
    # Interpreter shutdown runs the cycle collector over every object pandas, scipy and
    # statsmodels created (about 0.25 s after a report); the process ends anyway, so the
    # objects are frozen out of it. atexit handlers and buffered output are unaffected.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
