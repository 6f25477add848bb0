"""``cipsurvey serve``: the local web page (see ``cipsurvey.app``)."""

from __future__ import annotations

import typer

from .options import check_lang


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""

    @app.command("serve")
    def serve(
        port: int = typer.Option(0, "--port", help="Port on 127.0.0.1 (default: a free one)."),
        lang: str = typer.Option("en", "--lang", help="Language of the page: en or sv."),
        no_browser: bool = typer.Option(False, "--no-browser",
                                        help="Print the address without opening a browser."),
        max_files: int = typer.Option(20, "--max-files", min=1,
                                      help="The most files one form may send."),
        max_upload_mb: int = typer.Option(500, "--max-upload-mb", min=1,
                                          help="The most megabytes one form may send."),
    ) -> None:
        """Open a local web page: drop the files, see the problems, get the report.

        The page runs on this computer only (127.0.0.1), behind a random key printed here;
        what it is given stays in a private temporary folder deleted when it stops.
        """
        from ..app.server import serve as run

        check_lang(lang)
        run(port, lang=lang, open_browser=not no_browser, max_files=max_files,
            max_mb=max_upload_mb, announce=lambda line: typer.echo(line, err=True))
