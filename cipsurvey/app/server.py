"""Start the page: a socket on 127.0.0.1, a random key, uvicorn, and a clean stop.

The socket is bound here, before uvicorn starts, so that the port (chosen by the system
unless one is asked for) is known to the Host and Origin checks and to the printed address.
uvicorn runs with its h11 protocol (pure Python, which holds a client to the length its
request declares) and no access log. When the server stops (Ctrl+C, or a SIGTERM), the
private folder with everything given to the page is deleted; an ``atexit`` hook deletes it
too if the process ends another way.
"""

from __future__ import annotations

import atexit
import logging
import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable

from ..lang import text
from .store import Store
from .web import Settings, build_app

HOST = "127.0.0.1"  # never another address: the page is for this machine only


def bind(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 (``port`` 0: a free port the system picks)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def warm_up() -> None:
    """Import what reading a wave and writing a report need, so that the first upload
    does not wait for pandas, scipy and statsmodels to load."""
    from ..analysis import run  # noqa: F401
    from ..report import outputs  # noqa: F401
    from ..wave import names  # noqa: F401


def serve(port: int = 0, *, lang: str = "en", open_browser: bool = True, max_files: int = 20,
          max_mb: int = 500, announce: Callable[[str], None] = print) -> None:
    """Run the page until interrupted; print its address (with the key) first.

    Parameters
    ----------
    port : int
        The port on 127.0.0.1 (0: any free one).
    lang : {"en", "sv"}
        The page's language until the user switches it.
    open_browser : bool
        Open the address in the user's browser once the server listens.
    max_files, max_mb : int
        The most files, and megabytes, one form may send.
    announce : callable
        Where the address is printed.
    """
    import uvicorn

    sock = bind(port)
    port = sock.getsockname()[1]
    store = Store()
    atexit.register(store.close)
    settings = Settings(token=secrets.token_urlsafe(32), port=port, lang=lang,
                        max_files=max_files, max_mb=max_mb, store=store)
    app = build_app(settings)
    url = f"http://{HOST}:{port}/?token={settings.token}"
    config = uvicorn.Config(app, http="h11", ws="none", lifespan="on", access_log=False,
                            log_level="warning", server_header=False, date_header=False)
    server = uvicorn.Server(config)
    threading.Thread(target=warm_up, name="cipsurvey-warm-up", daemon=True).start()
    announce(text("app.started", lang, url=url))
    if open_browser:
        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
        sock.close()
