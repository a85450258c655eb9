"""`serve` over real HTTP: the banner, a real request, and a drop seen as a broken socket."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import uvicorn

from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig, serve
from esim_orders.sandbox import server as server_module

from ..helpers import TOKEN_FORM, free_port


@pytest.fixture
def served(monkeypatch, capsys, now) -> Iterator[tuple[str, SandboxConfig, str]]:
    """Run `serve` in a thread on a free loopback port; yield (base URL, config, stderr)."""
    servers: list[uvicorn.Server] = []

    class RecordedServer(uvicorn.Server):
        # Recorded so the test can ask it to exit: serve() itself blocks until interrupted.
        def __init__(self, config: uvicorn.Config) -> None:
            super().__init__(config)
            servers.append(self)

    class QuietConfig(uvicorn.Config):
        # uvicorn's own log handlers would hold pytest's capture stream past its life;
        # without them its records go to pytest's log capture instead.
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **{**kwargs, "log_config": None})

    monkeypatch.setattr(server_module.uvicorn, "Server", RecordedServer)
    monkeypatch.setattr(server_module.uvicorn, "Config", QuietConfig)
    port = free_port()
    config = SandboxConfig(now=now, orders=30)
    thread = threading.Thread(target=serve, kwargs={"port": port, "config": config}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not (servers and servers[0].started):
        assert time.monotonic() < deadline, "sandbox server did not start"
        assert thread.is_alive(), "serve() exited early"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", config, capsys.readouterr().err
    servers[0].should_exit = True
    thread.join(timeout=10)
    assert not thread.is_alive()


async def test_serve_answers_real_http_and_drops_connections(served):
    base, config, banner = served
    for line in (
        f"PRESSONE_BASE_URL={base}/pressone",
        f"ZIM_BASE_URL={base}/zim",
        f"ZIM_TOKEN_URL={base}/zim/oauth2/token",
    ):
        assert line in banner
    assert SANDBOX_CLIENT_ID in banner
    assert SANDBOX_CLIENT_SECRET in banner

    async with httpx2.AsyncClient(base_url=base, timeout=10) as client:
        token = await client.post("/zim/oauth2/token", data=TOKEN_FORM)
        assert token.status_code == 200
        headers = {
            "Authorization": f"Bearer {token.json()['access_token']}",
            "X-App-Identifier": "b2b",
        }
        orders = await client.get("/zim/orders", headers=headers)
        assert orders.status_code == 200
        assert len(orders.json()) == 30

        config.fault_rate = 1.0
        config.faults = ("drop",)
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.get("/zim/orders", headers=headers)
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.post("/pressone/customer/v2/token", data=TOKEN_FORM)

        config.fault_rate = 0.0
        again = await client.get("/zim/orders", headers=headers)
        assert again.content == orders.content
