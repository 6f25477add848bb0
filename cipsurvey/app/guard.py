"""What stands between the page and anyone else on the machine or the web: one ASGI
middleware in front of every request, as Jupyter's server guards its notebooks.

- **Host**: the server listens on 127.0.0.1 only, and answers only requests addressed to
  ``127.0.0.1:PORT`` or ``localhost:PORT``. A web page elsewhere that points its own domain
  name at 127.0.0.1 (DNS rebinding) sends its own name as the Host and is refused.
- **Origin**: a request that changes something (any method but GET and HEAD) must come from a
  page of this server: its Origin header (or, lacking one, its Referer) must be this server.
- **Token**: every request must carry the random key printed at start, either in the URL
  (``?token=...``: the key is then kept in a cookie, SameSite=Strict and HttpOnly, and the
  browser is sent on to the same address without it) or in that cookie.
- **Size**: a request body must say its length (Content-Length) and stay under the limit;
  h11, the HTTP parser the server runs with, holds a client to the length it declared.

Refusals are short pages in the interface's language, never a traceback. Every response
also carries headers that keep the page from loading anything from elsewhere (a Content
Security Policy of 'self') and from being framed by another site.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..lang import text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = {"GET", "HEAD"}
# the page itself: its own scripts, styles, images and frames only
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
               "form-action 'self'; base-uri 'none'; object-src 'none'")


@functools.cache
def report_policy() -> str:
    """The policy of a report file shown in the page: its own inline style, embedded images
    and the one script the report writer puts in every report (allowed by its hash, so that
    no other script a report might hold can run), nothing else."""
    from ..report.html import SCRIPT  # the writer's own script, nothing else

    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
    return ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; frame-ancestors 'self'; base-uri 'none'; "
            "form-action 'none'")


class Guard:
    """ASGI middleware: Host, Origin, token and body-size checks before ``app`` sees a
    request, and the security headers on every response.

    Parameters
    ----------
    app : ASGI application
    token : str
        The key every request must carry.
    port : int
        The port the server listens on (part of the only Host and Origin accepted).
    max_body : int
        The largest request body accepted, in bytes.
    lang : callable
        The interface language of a request (from its scope), for the refusal pages.
    """

    def __init__(self, app: ASGIApp, *, token: str, port: int, max_body: int,
                 lang: Callable[[Scope], str]) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.max_body = max_body
        self.lang = lang
        self.cookie = f"cipsurvey-{port}"
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # (no websockets here)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        lang = self.lang(scope)
        if headers.get("host", "") not in self.hosts:
            await refuse(send, 403, text("app.refused_host", lang), lang)
            return
        method = scope["method"]
        if method not in SAFE_METHODS and not self._same_origin(headers):
            await refuse(send, 403, text("app.refused_origin", lang), lang)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token")
        if given is not None and secrets.compare_digest(given, self.token) and \
                method in SAFE_METHODS:
            # keep the key in a cookie and take it out of the address bar
            rest = urlencode({k: v for k, v in query.items() if k != "token"})
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            await send({"type": "http.response.start", "status": 303, "headers": [
                (b"location", location.encode("latin-1")),
                (b"set-cookie", (f"{self.cookie}={self.token}; Path=/; HttpOnly; "
                                 "SameSite=Strict").encode("latin-1")),
                *security_headers(PAGE_POLICY)]})
            await send({"type": "http.response.body", "body": b""})
            return
        if not self._has_token(headers):
            await refuse(send, 403, text("app.refused_token", lang), lang)
            return
        if method not in SAFE_METHODS:
            length = headers.get("content-length")
            if length is None or not length.isdigit():
                if headers.get("transfer-encoding"):
                    await refuse(send, 411, text("app.length_required", lang), lang)
                    return
            elif int(length) > self.max_body:
                await refuse(send, 413, text("app.too_large", lang,
                                             mb=self.max_body // 1_000_000), lang)
                return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = {k.lower() for k, _ in message.get("headers", [])}
                policy = report_policy() if scope.get("path", "").startswith("/w/") and \
                    "/files/" in scope.get("path", "") else PAGE_POLICY
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in security_headers(policy) if h[0] not in own)]
            await send(message)

        await self.app(scope, receive, send_secured)

    def _same_origin(self, headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is None:
            referer = headers.get("referer")
            if referer is None:
                return False
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        return origin in self.origins

    def _has_token(self, headers: dict[str, str]) -> bool:
        raw = headers.get("cookie")
        if not raw:
            return False
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed cookie header is no key
            return False
        morsel = jar.get(self.cookie)
        return morsel is not None and secrets.compare_digest(morsel.value, self.token)


def security_headers(policy: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries."""
    return [(b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"x-frame-options", b"SAMEORIGIN"),
            (b"cache-control", b"no-store")]


async def refuse(send: Send, status: int, message: str, lang: str) -> None:
    """A short page saying why the request was refused."""
    title = html.escape(text("app.refused_title", lang))
    body = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body><main><h1>{title}</h1>"
            f"<p>{html.escape(message)}</p></main></body></html>").encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *security_headers(PAGE_POLICY)]})
    await send({"type": "http.response.body", "body": body})
