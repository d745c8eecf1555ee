"""A small round-robin HTTP load balancer on aiohttp's public API, standing in for nginx or haproxy.

Each request goes to the next backend; a backend that refuses the connection (a dead replica) is skipped, as
nginx's `proxy_next_upstream error` does. A request that breaks after it was sent (the replica died while
handling it) is answered 502, which is what makes Telegram (and the emulator) send the update again. Every
request is logged: which backend got it and the status that came back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


@dataclass
class Hop:
    path: str
    backend: int
    status: int
    body: bytes


@dataclass
class RoundRobinProxy:
    backends: list[str]
    log: list[Hop] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._turn = itertools.cycle(range(len(self.backends)))
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, port: int) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        for _ in self.backends:
            index = next(self._turn)
            url = self.backends[index] + request.rel_url.path_qs
            try:
                async with self._session.request(request.method, url, data=body, headers=headers) as answer:
                    payload = await answer.read()
                    self.log.append(Hop(request.path, index, answer.status, body))
                    return web.Response(status=answer.status, body=payload)
            except aiohttp.ClientConnectorError:
                continue  # nothing listens there: the next backend gets the request
            except (TimeoutError, aiohttp.ClientError):
                self.log.append(Hop(request.path, index, 502, body))
                return web.Response(status=502, text="backend failed mid-request")
        return web.Response(status=502, text="no backend reachable")
