"""Cassette settings: where recordings live, the sandbox they are made against, and the
scrubbing (tests/helpers/cassettes.py) every recording goes through."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import uvicorn

from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig, create_app

from ..helpers.cassettes import CASSETTES, SECRET_HEADERS, scrub_request, scrub_response

# Recordings are made against the sandbox served on this loopback port; replays reuse the URL.
RECORD_HOST, RECORD_PORT = "127.0.0.1", 8765
RECORD_ORIGIN = f"http://{RECORD_HOST}:{RECORD_PORT}"
RECORD_SANDBOX = SandboxConfig(
    seed=7, orders=60, now=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), pressone_page_cap=25
)


@pytest.fixture(scope="module")
def vcr_config():
    return {
        "filter_headers": list(SECRET_HEADERS),
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def recorded_env(request) -> Iterator[dict[str, str]]:
    """Settings that point at the recording sandbox; it only runs while recording."""
    recording = request.config.getoption("--record-mode") not in (None, "none")
    server, thread = _start_sandbox() if recording else (None, None)
    try:
        yield {
            "PRESSONE_BASE_URL": RECORD_ORIGIN + "/pressone",
            "PRESSONE_CLIENT_ID": SANDBOX_CLIENT_ID,
            "PRESSONE_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
            "ZIM_BASE_URL": RECORD_ORIGIN + "/zim",
            "ZIM_TOKEN_URL": RECORD_ORIGIN + "/zim/oauth2/token",
            "ZIM_CLIENT_ID": SANDBOX_CLIENT_ID,
            "ZIM_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        }
    finally:
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=10)


def _start_sandbox() -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(
        create_app(RECORD_SANDBOX), host=RECORD_HOST, port=RECORD_PORT, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("recording sandbox did not start")
        time.sleep(0.02)
    return server, thread
