"""Fixtures every test directory may use: the real services a hosted deployment talks to,
each started once a session (a redis-server; the local OpenID provider in `tests/hosted`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers.oidc import Issuer, start_issuer
from .helpers.redis_server import RedisServer, start_redis


@pytest.fixture(scope="session")
def redis_process() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture
def redis_server(redis_process: RedisServer) -> RedisServer:
    """The session's redis-server, running and empty."""
    if not redis_process.running:
        redis_process.start()
    redis_process.client().flushall()
    return redis_process


@pytest.fixture(scope="session")
def issuer() -> Iterator[Issuer]:
    """The local OpenID provider, one a session (tests that rotate its key start their own)."""
    started = start_issuer()
    yield started
    started.stop()
