"""The sandbox over loopback HTTP for the benchmarks, with a few control routes of our own.

`python -m benchmarks.sandbox_server --orders N --latency-ms X` prints `PORT <n>` on stdout
once it listens. `/_bench/stats`, `/_bench/reset`, `/_bench/latency?ms=` and `/_bench/refs`
are this module's, mounted beside the sandbox app; the sandbox itself is unchanged.
"""

from __future__ import annotations

import argparse
import socket
import sys
from datetime import datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from esim_orders.sandbox import SandboxConfig, create_app

from .processes import SANDBOX_NOW


def build(orders: int, latency_ms: float) -> Starlette:
    sandbox_app = create_app(
        SandboxConfig(orders=orders, latency_ms=latency_ms, now=datetime.fromisoformat(SANDBOX_NOW))
    )
    sandbox = sandbox_app.state.sandbox

    async def stats(_: Request) -> JSONResponse:
        s = sandbox.stats
        return JSONResponse(
            {
                "token_requests": dict(s.token_requests),
                "api_requests": [[p, route, n] for (p, route), n in s.api_requests.items()],
                "unauthorized": dict(s.unauthorized),
            }
        )

    async def reset(_: Request) -> JSONResponse:
        sandbox.reset_stats()
        return JSONResponse({})

    async def latency(request: Request) -> JSONResponse:
        sandbox.config.latency_ms = float(request.query_params["ms"])
        return JSONResponse({})

    async def refs(request: Request) -> JSONResponse:
        found: list[str] = []
        if wanted := request.query_params.get("pressone"):
            found += [
                f"pressone:{o.id}" for o in sandbox.data.pressone.orders if o.status == wanted
            ]
        if wanted := request.query_params.get("zim"):
            found += [f"zim:{o.id}" for o in sandbox.data.zim.orders if o.status == wanted]
        return JSONResponse({"refs": found})

    control = [
        Route(f"/_bench/{name}", fn, methods=["POST"])
        for name, fn in (("stats", stats), ("reset", reset), ("latency", latency), ("refs", refs))
    ]
    return Starlette(routes=[*control, Mount("/", sandbox_app)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    app = build(args.orders, args.latency_ms)
    # IPPROTO_TCP named explicitly: asyncio turns Nagle off only on sockets that say TCP.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[listener])
    sys.exit(0)


if __name__ == "__main__":
    main()
