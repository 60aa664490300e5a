"""How ``dekat serve`` runs uvicorn: which proxy is believed, which headers are sent.

uvicorn believes ``X-Forwarded-For`` / ``X-Forwarded-Proto`` from 127.0.0.1 unless told
otherwise (``proxy_headers=True``, ``forwarded_allow_ips="127.0.0.1"``), and it rewrites
the client address before the app sees it. Behind nothing, any local process — or a
client reaching the app through a local tunnel — could then pose as any address and
slip past the per-client rate limits. Here one setting, ``DEKAT_TRUSTED_PROXIES``
(empty by default), decides both: empty means no forwarded header is read at all;
otherwise only peers in that list may set the client address and scheme.
"""

from __future__ import annotations

from typing import Any

from directory.settings import Settings


def uvicorn_options(settings: Settings, *, host: str, port: int, workers: int) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` (minus the app)."""
    proxies = settings.trusted_proxy_list
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "warning",
        "access_log": False,
        "proxy_headers": bool(proxies),
        # uvicorn reads this only with proxy_headers; never fall back to its 127.0.0.1.
        "forwarded_allow_ips": ",".join(proxies) if proxies else "",
        "server_header": False,
    }
