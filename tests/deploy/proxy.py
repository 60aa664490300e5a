"""A small round-robin reverse proxy for tests: the load balancer in front of N app nodes.

It does what the nginx configuration of ``docs/deploy.md`` does and nothing more: each
request goes to the next upstream in turn, with ``Host`` kept, the client's address
appended to ``X-Forwarded-For`` and ``X-Forwarded-Proto`` set; hop-by-hop headers are
dropped; an upstream that does not answer gives ``502``. Every response names the node
that answered in ``X-Test-Upstream``, so a test can see that requests really spread.

Threads, not asyncio: the standard library's ``ThreadingHTTPServer`` plus ``httpx`` keep it
short, and a test's traffic is a few hundred requests at most.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final

import httpx

HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
UPSTREAM_HEADER: Final = "X-Test-Upstream"


class RoundRobinProxy:
    """Listen on 127.0.0.1 and a free port; forward to ``upstreams`` in turn."""

    def __init__(self, upstreams: Sequence[tuple[str, str]]) -> None:
        self.upstreams = list(upstreams)
        self._next = itertools.cycle(self.upstreams)
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30.0, follow_redirects=False)
        self.answered: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: nothing to track

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                del format, args

            def _forward(self) -> None:
                proxy.forward(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()

    def _pick(self) -> tuple[str, str]:
        with self._lock:
            return next(self._next)

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        """Send one request upstream and copy the answer back."""
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = [(k, v) for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP]
        headers = [(k, v) for k, v in headers if k.lower() not in ("x-forwarded-proto",)]
        peer = handler.client_address[0]
        forwarded = handler.headers.get("X-Forwarded-For")
        headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
        headers.append(("X-Forwarded-For", f"{forwarded}, {peer}" if forwarded else peer))
        headers.append(("X-Forwarded-Proto", "http"))
        label, base = self._pick()
        try:
            request = self._client.build_request(
                handler.command, base + handler.path, headers=headers, content=body
            )
            response = self._client.send(request, stream=True)
            try:
                payload = b"".join(response.iter_raw())
            finally:
                response.close()
        except httpx.HTTPError:
            handler.send_response(502)
            handler.send_header(UPSTREAM_HEADER, label)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        with self._lock:
            self.answered.append(label)
        handler.send_response_only(response.status_code)
        for key, value in response.headers.multi_items():
            if key.lower() not in HOP_BY_HOP:
                handler.send_header(key, value)
        handler.send_header(UPSTREAM_HEADER, label)
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)
