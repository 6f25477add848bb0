"""``cipsurvey demo files|generate``: the bundled synthetic demo waves."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey demo`` (list and write the demo files) to the app."""

    @app.command("files")
    def files(wave: str = typer.Option("baseline", "--wave", help="baseline or followup.")) -> None:
        """Print the paths of the shipped demo files (SYNTHETIC data)."""
        from ..demo.files import demo_files

        for path in demo_files(wave):
            typer.echo(str(path))

    @app.command("generate")
    def generate(
        out: Path = typer.Option(..., "--out", "-o", help="Folder to write the files into."),
        recalibrate: bool = typer.Option(False, "--recalibrate",
                                         help="Solve the calibrated histograms again."),
    ) -> None:
        """Regenerate the demo files; with the shipped calibration they are byte-identical."""
        from ..demo.files import write_demo
        from ..errors import OutputError

        if out.resolve() == Path(__file__).resolve().parents[1] / "demo" / "data":
            raise OutputError("refusing to overwrite the installed demo files", file=out,
                              hint="write to another folder and compare")
        for path in write_demo(out, recalibrate=recalibrate):
            typer.echo(str(path))


def register_gallery(app: typer.Typer) -> None:
    """Add ``cipsurvey demo gallery`` (the README's figures) to the app."""

    @app.command("gallery")
    def gallery(
        out: Path = typer.Option(Path("figures"), "--out", "-o",
                                 help="Folder for the figures (default: figures/)."),
        lang: str = typer.Option("en", "--lang", help="en or sv."),
    ) -> None:
        """Redraw the README's figure gallery from the demo wave (PNG and SVG)."""
        from ..analysis.plan import load_plan
        from ..analysis.run import run_plan
        from ..demo.files import demo_files
        from ..report.figures import draw
        from ..wave.survey import read_survey

        survey = read_survey(demo_files())
        report = run_plan(survey, load_plan("kallmen2017", survey.instrument), lang)
        out.mkdir(parents=True, exist_ok=True)
        for r in report.results:
            if r.kind == "figure":
                fig = draw(r, out, lang)
                if fig:
                    typer.echo(f"{fig.png}  —  {fig.alt}")
