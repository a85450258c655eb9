"""Cassette settings: where recordings live and how they are scrubbed before they are saved."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import uvicorn

from esim_orders.redact import REDACTED, redact_payload, redact_text
from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig, create_app

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
# Recordings are made against the sandbox served on this loopback port; replays reuse the URL.
RECORD_HOST, RECORD_PORT = "127.0.0.1", 8765
RECORD_ORIGIN = f"http://{RECORD_HOST}:{RECORD_PORT}"
RECORD_SANDBOX = SandboxConfig(
    seed=7, orders=60, now=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), pressone_page_cap=25
)
TOKEN_FORM_SECRETS = ("client_id", "client_secret")
SECRET_HEADERS = ("authorization", "x-app-identifier", "set-cookie", "cookie")


def scrub_request(request):
    """Token request bodies hold the client credentials: keep the field names only."""
    if request.body:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        fields = [(k, REDACTED if k in TOKEN_FORM_SECRETS else v) for k, v in parse_qsl(body)]
        request.body = urlencode(fields, safe="[]").encode()
    return request


def scrub_response(response):
    """Tokens, activation codes and the customer's personal fields out of every body."""
    # The body changes size when scrubbed; the recorded length would lie.
    response["headers"].pop("content-length", None)
    for header in SECRET_HEADERS:
        response["headers"].pop(header, None)
        response["headers"].pop(header.title(), None)
    raw = response["body"]["string"]
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        cleaned = json.dumps(redact_payload(json.loads(text), personal=True))
    except ValueError:
        cleaned = redact_text(text)
    response["body"]["string"] = cleaned.encode()
    return response


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
