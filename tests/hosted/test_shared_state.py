"""Provider tokens and finished orders shared through a real Redis by several order services
(each one a process's worth of clients, caches and Redis connection) on one sandbox."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import replace

import anyio
import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette

from esim_orders.sandbox import in_process_transport
from esim_orders.service.orders import OrderService
from esim_orders.service.shared_state import decode_order
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from ..helpers import ONE_ATTEMPT, sandbox_app, state
from ..helpers.providers import provider_settings
from ..helpers.redis_server import RedisServer

KEY = Fernet.generate_key().decode()


@pytest.fixture
def app() -> Starlette:
    return sandbox_app(orders=20)


def hosted(redis: RedisServer, **changes: object) -> Settings:
    return replace(provider_settings(), **{"redis_url": redis.url, "cache_key": KEY, **changes})


@pytest.fixture
async def services(app: Starlette) -> AsyncIterator[Callable[[Settings], OrderService]]:
    """Opens services ("processes") on the one sandbox; all closed at the end."""
    async with AsyncExitStack() as stack:

        def open_one(settings: Settings) -> OrderService:
            service = open_service(
                settings, transport=in_process_transport(app), policy=ONE_ATTEMPT
            )
            stack.push_async_callback(service.aclose)
            return service

        yield open_one


def finished_ref(app: Starlette) -> str:
    order = next(o for o in state(app).data.zim.orders if o.failure_reason)
    return f"zim:{order.id}"


def pressone_ref(app: Starlette) -> str:
    return f"pressone:{state(app).data.pressone.orders[0].id}"


async def test_four_processes_and_a_restart_ask_once_per_provider(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    settings = hosted(redis_server)
    refs = [pressone_ref(app), finished_ref(app)]
    four = [services(settings) for _ in range(4)]
    async with anyio.create_task_group() as group:
        for service in four:
            for _ in range(10):
                for ref in refs:
                    group.start_soon(service.get_order, ref)
    restarted = services(settings)
    await restarted.get_order(refs[0])
    await restarted.get_order(refs[1], fresh=True)
    assert state(app).stats.token_requests == {"pressone": 1, "zim": 1}


async def test_without_a_key_no_token_is_stored_and_each_process_asks(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    settings = hosted(redis_server, cache_key=None)
    for _ in range(3):
        await services(settings).get_order(pressone_ref(app), fresh=True)
    assert state(app).stats.token_requests["pressone"] == 3
    assert not [k for k in redis_server.contents() if b"token" in k]


async def test_a_finished_order_read_by_one_process_is_answered_to_another_from_redis(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    settings = hosted(redis_server)
    ref = finished_ref(app)
    first = await services(settings).get_order(ref)
    reads = state(app).stats.api_requests.copy()
    second = services(settings)
    again = await second.get_order(ref)
    assert again == first and again.raw == first.raw
    assert state(app).stats.api_requests == reads
    assert second.finished_orders.shared is not None and second.finished_orders.shared.hits == 1


async def test_personal_orders_stay_out_of_redis_without_a_key(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    settings = hosted(redis_server, cache_key=None, personal_data=True)
    await services(settings).get_order(finished_ref(app))
    assert redis_server.contents() == {}


async def test_a_process_without_personal_data_never_takes_it_from_redis(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    """One deployment, two settings: what a process that reads personal data left in Redis
    is not answered by a process told not to read it (it asks the provider itself)."""
    ref = pressone_ref(app)
    personal = await services(hosted(redis_server, personal_data=True)).get_order(ref)
    assert personal.customer is not None and personal.customer.email
    reads = sum(state(app).stats.api_requests.values())
    impersonal = services(hosted(redis_server, personal_data=False))
    order = await impersonal.get_order(ref)
    assert order.customer is None or not (order.customer.email or order.customer.name)
    assert personal.customer.email not in json.dumps(order.raw)
    assert sum(state(app).stats.api_requests.values()) == reads + 1


def hold_the_lock_and_hang(redis: RedisServer, name: str) -> subprocess.Popen[str]:
    """A process that claims the token lock (as a fetching process does) and then hangs."""
    code = f"""
import anyio, sys
from esim_orders.client.sealed import Sealer
from esim_orders.client.shared_store import open_store
from esim_orders.client.shared_tokens import SharedTokens

async def main():
    shared = SharedTokens(open_store({redis.url!r}), Sealer({KEY!r}), {name!r}, lock_seconds=1.5)
    assert await shared.claim() is not None
    print("claimed", flush=True)
    await anyio.sleep(60)

anyio.run(main)
"""
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "claimed"
    return process


async def test_a_lock_holder_killed_mid_fetch_is_taken_over(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    settings = hosted(redis_server)
    service = services(settings)
    shared = service.clients[next(iter(service.clients))].tokens._shared
    assert shared is not None
    holder = hold_the_lock_and_hang(redis_server, shared._key.removeprefix("token:"))
    started = time.monotonic()
    answers: list[str] = []

    async def ask() -> None:
        answers.append((await service.get_order(pressone_ref(app))).ref)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(ask)
            await anyio.sleep(0.3)
            # While the holder lives, nobody else asks PressOne: the call waits for its token.
            assert state(app).stats.token_requests["pressone"] == 0 and not answers
            holder.send_signal(signal.SIGKILL)
            holder.wait(5)
    assert answers == [pressone_ref(app)]
    assert time.monotonic() - started < 5  # the dead holder's lock ran out, not the deadline
    assert state(app).stats.token_requests["pressone"] == 1


async def test_redis_stopped_mid_run_leaves_every_call_answered(
    app: Starlette,
    services: Callable[[Settings], OrderService],
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = hosted(redis_server)
    one, two = services(settings), services(settings)
    await one.get_order(pressone_ref(app))
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="esim_orders"), anyio.fail_after(10):
        for service in (one, two, services(settings)):
            for _ in range(5):
                await service.get_order(pressone_ref(app), fresh=True)
                await service.get_order(finished_ref(app), fresh=True)
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    # One warning per process that met the outage (each has its own connection to Redis).
    assert 1 <= len(warnings) <= 3, [r.getMessage() for r in warnings]
    assert redis_server.url not in caplog.text


@pytest.mark.parametrize(
    "stored",
    [b"", b"not json", b'{"order": {"id": "x"}, "raw": null}', b'{"provider": "zim"}', b"[1]"],
)
def test_an_unreadable_order_in_redis_is_a_miss_not_an_error(stored: bytes) -> None:
    """Another version's shape, or damage: the order is asked of the provider again."""
    assert decode_order(stored) is None


async def test_an_order_from_redis_is_kept_only_as_long_as_it_has_left(
    app: Starlette, services: Callable[[Settings], OrderService], redis_server: RedisServer
) -> None:
    """One process read it 200 s ago (by the shared wall clock): another keeps it in memory
    for the 100 s left of the 5 minutes, not 5 minutes more; past them it is not used."""
    settings = hosted(redis_server)
    ref = finished_ref(app)
    await services(settings).get_order(ref)
    later = services(settings)
    cache, tier = later.finished_orders, later.finished_orders.shared
    assert tier is not None and cache.ttl == 300
    now = [0.0]
    cache.clock = lambda: now[0]
    tier.clock = lambda: time.time() + 200
    await later.get_order(ref)
    assert tier.hits == 1
    now[0] = 95.0
    await later.get_order(ref)
    assert tier.hits == 1  # from memory
    now[0] = 105.0
    await later.get_order(ref)
    assert tier.hits == 2  # memory expired with the entry's own time; Redis asked again
    tier.clock = lambda: time.time() + 301
    now[0] = 500.0
    reads = state(app).stats.api_requests.copy()
    await later.get_order(ref)
    assert tier.hits == 2 and state(app).stats.api_requests != reads  # expired: the provider
