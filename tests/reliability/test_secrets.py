"""Secrets stay secret: a full run with canary credentials, every tool and its error paths,
DEBUG logs, in process and in real server processes over stdio and streamable HTTP.

Never anywhere (tool results, logs, recorded cassettes, exception texts): the client id and
secret, Zim's app identifier, the HTTP bearer token, the access tokens the providers issued,
and activation codes (LPA strings, matching ids, confirmation codes, QR code URLs).
Personal data (names, e-mails, phones) only in tool results, and only when
`ESIM_ORDERS_PERSONAL_DATA=1`; never addresses, never in logs.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx2
import pytest
import vcr
from cryptography.fernet import Fernet
from mcp import Client, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from esim_orders.redact import LPA_PATTERN
from esim_orders.sandbox.pressone import render_sims
from esim_orders.sandbox.pressone.esims import APPLE_URL
from esim_orders.sandbox.zim_esims import esim_objects
from esim_orders.server.http import BearerTokenGuard
from esim_orders.text import clean_provider_text

from ..helpers import TWO_ATTEMPTS, free_port, sandbox_app, state, text_of
from ..helpers.cassettes import SECRET_HEADERS, scrub_request, scrub_response
from ..helpers.loopback import Loopback, serve_loopback
from ..helpers.oidc import Issuer
from ..helpers.processes import ServerProcess, http_server_process, server_env
from ..helpers.providers import (
    Credentials,
    every_call_reaches_the_providers,
    make_server,
    provider_env,
    provider_settings,
)
from ..helpers.redis_server import RedisServer

CANARY = Credentials(
    client_id="canary-client-id-3f9a1c",
    client_secret="canary-client-secret-8e2d77b4",
    app_identifier="canary-app-id-51c0d6",
)
HTTP_TOKEN = "canary-http-token-c4f1e9a2b7"


def canary_sandbox() -> Starlette:
    """A sandbox that accepts the canary credentials (and no others)."""
    return sandbox_app(
        orders=60,  # enough for eSIMs with confirmation codes among the orders
        client_id=CANARY.client_id,
        client_secret=CANARY.client_secret,
        zim_app_identifier=CANARY.app_identifier,
        retry_after_s=0.01,
    )


@dataclass
class Secrets:
    credentials: set[str]
    activation: set[str]
    confirmation_codes: set[str]
    personal: set[str]
    addresses: set[str]

    @classmethod
    def of(cls, app: Starlette) -> Secrets:
        sandbox = state(app)
        pressone = sandbox.data.pressone
        activation: set[str] = set()
        codes: set[str] = set()
        for order in pressone.orders:
            for sim in render_sims(pressone, order):
                activation |= {sim["qrcode"], sim["matching_id"], sim["qrcode_url"]}
                if sim["confirmation_code"]:
                    codes.add(sim["confirmation_code"])
        # The eSIM reads' secrets: PressOne's Apple install link, Zim's matching id and QR link,
        # and Zim's eSIM phone numbers (personal).
        activation |= {f"{APPLE_URL}?carddata={sim}" for sim in activation if "-" in sim}
        zim_esims = list(esim_objects(sandbox.data.zim, _epoch_ms(sandbox.now)).values())
        activation |= {e["matchingID"] for e in zim_esims} | {e["qrCodeLink"] for e in zim_esims}
        numbers = {str(e["msisdn"]) for e in zim_esims}
        users = [pressone.users[order.user] for order in pressone.orders]
        return cls(
            credentials={
                CANARY.client_id,
                CANARY.client_secret,
                CANARY.app_identifier,
                HTTP_TOKEN,
                *sandbox.tokens,  # every access token the providers issued during the run
            },
            activation=activation,
            confirmation_codes=codes,
            personal={u[k] for u in users for k in ("name", "email", "mobile") if u.get(k)}
            | numbers,
            addresses={u["address"] for u in users if u.get("address")},
        )

    def leaks(self, haystack: str, *, personal_allowed: bool = False) -> dict[str, list[str]]:
        found = {
            "credential or token": sorted(s for s in self.credentials if s in haystack),
            "activation code": sorted(s for s in self.activation if s in haystack),
            "confirmation code": sorted(
                c for c in self.confirmation_codes if re.search(rf"(?<!\d){c}(?!\d)", haystack)
            ),
            "LPA string": LPA_PATTERN.findall(haystack),
            "address": sorted(s for s in self.addresses if s in haystack),
        }
        if not personal_allowed:
            found["personal data"] = sorted(s for s in self.personal if s in haystack)
        return {kind: hits for kind, hits in found.items() if hits}


def _epoch_ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


@dataclass
class Transcript:
    """Everything a run showed anyone: tool results, and the texts of errors met."""

    results: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, result: Any) -> None:
        self.results.append(text_of(result))
        self.results.append(json.dumps(result.structured_content, ensure_ascii=False))

    @property
    def text(self) -> str:
        return "\n".join(self.results + self.errors)


# A server process runs the default retry policy, which retries until the provider deadline
# with real backoffs: there the deadline is set short (`process_env`) and the faults are those
# whose retries wait least (429s here say Retry-After: 0.01).
EVERY_FAULT = ("500", "drop", "429", "malformed", "html")
QUICK_FAULTS = ("429", "malformed", "html")


async def exercise(
    client: Client, app: Starlette, transcript: Transcript, faults: tuple[str, ...] = EVERY_FAULT
) -> None:
    """Every tool, happy and error paths, with the sandbox misbehaving in turn."""
    data = state(app).data
    config = state(app).config
    coded = [
        f"pressone:{o.id}"
        for o in data.pressone.orders
        if any(sim["confirmation_code"] for sim in render_sims(data.pressone, o))
    ]
    pressone = coded + [f"pressone:{o.id}" for o in data.pressone.orders[:8]]
    zim = [f"zim:{o.id}" for o in data.zim.orders]

    async def call(tool: str, **arguments: Any) -> Any:
        result = await client.call_tool(tool, arguments)
        transcript.add(result)
        return result

    first = await call("list_orders", limit=3)
    cursor = (first.structured_content or {}).get("next_cursor")
    await call("list_orders", limit=3, cursor=cursor)
    await call("list_orders", status=["FAILED"], limit=100)
    await call("list_orders", provider="pressone", limit=100)
    for ref in pressone + zim[:8]:
        await call("get_order", ref=ref)
    for ref in pressone[:4] + [o for o in zim if "FaiL" in o][:1] + zim[:4]:
        await call("explain_failure", ref=ref)
    await call("explain_failure", provider="pressone", code="4008")
    # The eSIM reads: every new field of the record, usage, packages, eSIM object and
    # subscriptions passes through get_esim and explain_failure on completed orders.
    issued = [o for o in data.pressone.orders if o.status == "completed" and o.iccids]
    fulfilled = [o for o in data.zim.orders if o.status == "FULFILLED" and o.subscription]
    for ref in [f"pressone:{o.id}" for o in issued[:4]] + [f"zim:{o.id}" for o in fulfilled[:4]]:
        await call("get_esim", ref=ref)
        await call("explain_failure", ref=ref)
    zim_esims = esim_objects(data.zim, _epoch_ms(state(app).now))
    await call("get_esim", iccid=issued[-1].iccids[0])
    await call("get_esim", iccid=str(next(iter(zim_esims.values()))["iccid"]))
    await call("get_esim", iccid="8999999999999999999")
    # Caller mistakes.
    await call("get_order", ref="pressone:99999999")
    await call("get_order", ref="zim:ordr_nope")
    await call("list_orders", limit=0)
    await call("get_order", ref="not a ref")
    await call("delete_order", ref=pressone[0])
    # Providers misbehaving, one way after another. Filters and refs not asked before, so
    # no answer the server keeps in memory stands in for the provider's.
    unseen = iter(zim[10:])
    for month, kind in enumerate(faults):
        config.fault_rate, config.faults = 1.0, (kind,)
        await call("list_orders", created_after=f"2025-{month + 1:02d}-01")
        await call("get_order", ref=next(unseen))
    config.fault_rate = 0.0
    # Credentials rotated at the provider: every token refused, every new one too.
    config.early_token_expiry_s, config.client_secret = 0.0, "rotated-elsewhere"
    await call("list_orders", created_after="2025-10-01")
    await call("get_order", ref=next(unseen))
    config.early_token_expiry_s, config.client_secret = None, CANARY.client_secret
    await call("list_orders", created_after="2025-11-01")


def assert_every_path_was_taken(
    app: Starlette, transcript: Transcript, faults: tuple[str, ...] = EVERY_FAULT
) -> None:
    stats = state(app).stats
    assert set(stats.faults) == set(faults), stats.faults
    assert {provider for provider, _, _ in stats.esim_requests} == {"pressone", "zim"}
    assert stats.unauthorized.total() > 0
    said = transcript.text
    assert ("is unavailable" in said) == ("500" in faults)
    for sentence in (
        "is rate-limiting requests",
        "sent an answer that could not be read",
        "credentials rejected",
        "No order ",
        "Invalid arguments for list_orders",
        "Unknown tool 'delete_order'",
        "No configured provider knows an eSIM",
    ):
        assert sentence in said, sentence


# ---- in process ------------------------------------------------------------------------


@pytest.mark.parametrize("personal_data", [False, True])
async def test_in_process_run_leaks_nothing_into_results_logs_cassettes_or_errors(
    personal_data: bool, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    app = canary_sandbox()
    settings = provider_settings(credentials=CANARY, personal_data=personal_data, log_level="DEBUG")
    made = make_server(
        settings, policy=TWO_ATTEMPTS, app=app, patch=every_call_reaches_the_providers
    )
    transcript = Transcript()
    recorder = vcr.VCR(
        filter_headers=list(SECRET_HEADERS),
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
        record_mode="all",
    )
    cassette = tmp_path / "canary.yaml"
    with recorder.use_cassette(str(cassette)):
        async with Client(made.server) as client:
            await exercise(client, app, transcript)
        # Errors as code meets them, and how the objects holding secrets print.
        service = made.service
        state(app).config.early_token_expiry_s = 0.0  # every token refused
        for client in service.clients.values():
            with pytest.raises(Exception) as raised:
                await client.get_order("1")
            transcript.errors += [str(raised.value), repr(raised.value), str(raised.getrepr())]
        state(app).config.early_token_expiry_s = None
        transcript.errors.append(repr(service))
        for client in service.clients.values():
            transcript.errors += [repr(client), repr(client.tokens), repr(client.gateway)]

    # Settings print the client ids (they name the account, like a user name) and nothing
    # else of the credentials.
    assert CANARY.client_secret not in repr(settings)
    assert CANARY.app_identifier not in repr(settings)
    assert_every_path_was_taken(app, transcript)
    secrets = Secrets.of(app)
    assert len(secrets.credentials) > 6, "the run went through token requests"
    assert secrets.activation and secrets.confirmation_codes and secrets.personal
    assert not secrets.leaks(transcript.text, personal_allowed=True)
    # Every record of the server's own code and its libraries (the MCP SDK, httpx2);
    # vcr's records are the test's recorder talking, not the product.
    records = [r for r in caplog.records if not r.name.startswith("vcr")]
    logged = "\n".join(logging.Formatter("%(name)s %(message)s").format(r) for r in records)
    assert not secrets.leaks(logged)
    assert {"esim_orders", "httpx2", "mcp"} <= {r.name.split(".")[0] for r in records}
    assert "DEBUG" in {r.levelname for r in records}
    recorded = cassette.read_text()
    assert "canary" not in recorded
    assert not secrets.leaks(recorded)
    assert recorded.count("uri:") > 40, "the cassette holds the run's traffic"
    shown = [s for s in secrets.personal if s in transcript.text]
    if personal_data:
        assert len(shown) >= 3, "names, e-mails and phones show when asked for"
    else:
        assert shown == []


# ---- real server processes ---------------------------------------------------------------


def process_env(origin: str, **extra: str) -> dict[str, str]:
    return server_env(
        provider_env(origin, CANARY),
        ESIM_ORDERS_LOG_LEVEL="DEBUG",
        ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS="1",
        **extra,
    )


@pytest.fixture
def provider() -> Iterator[tuple[Starlette, Loopback]]:
    app = canary_sandbox()
    with serve_loopback(app) as running:
        yield app, running


async def test_stdio_server_process_leaks_nothing(
    provider: tuple[Starlette, Loopback], tmp_path: Path
) -> None:
    app, running = provider
    errlog = tmp_path / "stderr.txt"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "esim_orders", "serve"],
        env=process_env(running.origin),
    )
    transcript = Transcript()
    with errlog.open("w") as err:
        async with Client(stdio_client(params, errlog=err)) as client:
            await exercise(client, app, transcript, QUICK_FAULTS)
    logged = errlog.read_text()
    assert_every_path_was_taken(app, transcript, QUICK_FAULTS)
    secrets = Secrets.of(app)
    assert "DEBUG" in logged and "Traceback" not in logged
    assert not secrets.leaks(transcript.text)
    assert not secrets.leaks(logged)


@pytest.fixture
def http_server(provider: tuple[Starlette, Loopback]) -> Iterator[ServerProcess]:
    _, running = provider
    env = process_env(running.origin, ESIM_ORDERS_HTTP_TOKEN=HTTP_TOKEN)
    with http_server_process(env, "--host", "0.0.0.0") as server:
        yield server


async def test_http_server_process_leaks_nothing(
    provider: tuple[Starlette, Loopback], http_server: ServerProcess
) -> None:
    app, _ = provider
    transcript = Transcript()
    async with httpx2.AsyncClient(timeout=10) as plain:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": HTTP_TOKEN}):
            refused = await plain.post(http_server.url, json=hello, headers=headers)
            assert refused.status_code == 401
            transcript.errors += [refused.text, json.dumps(dict(refused.headers))]
    headers = {"Authorization": f"Bearer {HTTP_TOKEN}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(http_server.url, http_client=http)) as client,
    ):
        await exercise(client, app, transcript, QUICK_FAULTS)
    http_server.process.send_signal(signal.SIGTERM)
    assert http_server.process.wait(10) == 0
    logged = "".join(http_server.lines)
    assert_every_path_was_taken(app, transcript, QUICK_FAULTS)
    secrets = Secrets.of(app)
    assert "DEBUG" in logged and "order service closed" in logged
    assert not secrets.leaks(transcript.text)
    assert not secrets.leaks(logged)


# ---- shared state and the OAuth caller lines -------------------------------------------


@pytest.mark.parametrize(
    ("sealed", "personal_data"),
    [(True, True), (False, False), (False, True)],
    ids=["sealed-personal", "plain-impersonal", "no-key-personal"],
)
async def test_redis_holds_nothing_readable_without_the_key(
    sealed: bool,
    personal_data: bool,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whoever reads Redis (a dump, a replica) without ESIM_ORDERS_CACHE_KEY learns no token,
    no credential, no activation code and no personal data; nor do the tool-call log lines."""
    caplog.set_level(logging.DEBUG)
    app = canary_sandbox()
    settings = dataclasses.replace(
        provider_settings(credentials=CANARY, personal_data=personal_data, log_level="DEBUG"),
        redis_url=redis_server.url,
        cache_key=Fernet.generate_key().decode() if sealed else None,
    )
    made = make_server(settings, policy=TWO_ATTEMPTS, app=app)
    transcript = Transcript()
    async with Client(made.server) as client:
        await exercise(client, app, transcript, QUICK_FAULTS)
    contents = redis_server.contents()
    keys = b"\n".join(contents).decode()
    assert ("token:pressone:" in keys) == sealed, keys
    orders = "orders:personal:zim:" if personal_data else "orders:zim:"
    assert (orders in keys) == (sealed or not personal_data), keys
    dump = "\n".join(
        f"{key.decode(errors='replace')} {value.decode(errors='replace')}"
        for key, value in contents.items()
    )
    secrets = Secrets.of(app)
    assert not secrets.leaks(dump)
    assert "canary" not in dump
    calls = [r.getMessage() for r in caplog.records if r.name == "esim_orders.server.callers"]
    assert len(calls) > 20 and all(line.startswith("tool ") for line in calls)
    assert not secrets.leaks("\n".join(calls))


def test_oauth_server_process_logs_callers_but_no_token_or_personal_data(
    provider: tuple[Starlette, Loopback], issuer: Issuer
) -> None:
    """At DEBUG, with personal data on and a caller entitled to it: the log names the caller
    and the refs, never an access token (accepted or refused) nor what the caller saw."""
    app, running = provider
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    env = process_env(
        running.origin,
        ESIM_ORDERS_AUTH_ISSUER=issuer.url,
        ESIM_ORDERS_PUBLIC_URL=url,
        ESIM_ORDERS_PERSONAL_DATA="1",
    )
    tokens = [
        issuer.token(url, scope="orders:read orders:personal"),
        issuer.token("https://elsewhere.example.com/mcp"),
        issuer.token(url, client="personal-only-app", scope="orders:personal"),
    ]
    data = state(app).data
    refs = [f"pressone:{o.id}" for o in data.pressone.orders[:6]]
    shown = []
    with http_server_process(env, "--stateless", "--port", str(port)) as server:
        for token in tokens:
            headers = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json, text/event-stream",
            }
            for ref in refs:
                body = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {"name": "get_order", "arguments": {"ref": ref}},
                }
                shown.append(httpx2.post(server.url, json=body, headers=headers, timeout=10).text)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(10) == 0
        logged = "".join(server.lines)
    secrets = Secrets.of(app)
    assert [s for s in secrets.personal if s in "".join(shown)], "the caller saw personal data"
    assert f"tool get_order by sub=support-app client=support-app refs={refs[0]}" in logged
    assert "DEBUG" in logged
    for token in tokens:
        assert token not in logged and token.split(".")[2] not in logged
    assert not secrets.leaks(logged)


def test_the_leak_check_finds_what_it_looks_for() -> None:
    app = canary_sandbox()
    secrets = Secrets.of(app)
    code = next(iter(secrets.confirmation_codes), None)
    sample = " ".join(
        [CANARY.client_secret, next(iter(secrets.activation)), next(iter(secrets.personal))]
        + [next(iter(secrets.addresses))]
        + ([f"code {code}."] if code else [])
    )
    found = secrets.leaks(sample)
    assert set(found) >= {"credential or token", "activation code", "personal data", "address"}
    assert not secrets.leaks(replace_all(sample, secrets))


def replace_all(text: str, secrets: Secrets) -> str:
    for group in (secrets.credentials, secrets.activation, secrets.personal, secrets.addresses):
        for value in group:
            text = text.replace(value, "[redacted]")
    for code in secrets.confirmation_codes:
        text = re.sub(rf"(?<!\d){code}(?!\d)", "[redacted]", text)
    return text


# ---- a provider that repeats our secrets back ------------------------------------------

ECHOED = Credentials(
    client_id="echo-client-id-77a1c9",
    client_secret="echo/secret+8e2d=77b4",  # changes when form-encoded
    app_identifier="echo-app-identifier-3b9",
)
ECHO_TOKEN = "echo-access-token-5d1e0a9c"
ECHO_SHAPES: dict[str, Callable[[str], Response]] = {
    "OAuth JSON": lambda said: JSONResponse(
        {"error": "invalid_client", "error_description": said}, status_code=401
    ),
    "PressOne envelope": lambda said: JSONResponse(
        {"success": False, "code": "4010", "message": said, "data": None}, status_code=401
    ),
    "plain text": lambda said: PlainTextResponse(said, status_code=401),
    "HTML page": lambda said: HTMLResponse(
        f"<html><head><title>{said}</title></head><body>{said}</body></html>", status_code=401
    ),
}


class EchoingProvider:
    """Token requests answer 401 with what they were sent; with `token_ok`, a token is issued
    and API requests answer 403 with the headers they carried, in the given shape."""

    def __init__(self, shape: Callable[[str], Response], *, token_ok: bool) -> None:
        self.shape = shape
        self.token_ok = token_ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        if scope["path"].endswith("token"):
            if self.token_ok:
                issued = {"access_token": ECHO_TOKEN, "expires_in": 3600}
                response = JSONResponse({"data": issued, **issued})
            else:
                said = f"Invalid client credentials: {body.decode()}"
                response = self.shape(said)
        else:
            said = (
                f"refused: Authorization={headers.get('authorization')} "
                f"X-App-Identifier={headers.get('x-app-identifier')}"
            )
            response = self.shape(said.replace("401", "403"))
            response.status_code = 403
        await response(scope, receive, send)


@pytest.mark.parametrize("token_ok", [False, True], ids=["token refused", "API refused"])
@pytest.mark.parametrize("shape", list(ECHO_SHAPES))
async def test_secrets_a_provider_repeats_back_are_removed_from_answers_and_logs(
    shape: str, token_ok: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = EchoingProvider(ECHO_SHAPES[shape], token_ok=token_ok)
    settings = provider_settings(credentials=ECHOED, log_level="DEBUG")
    made = make_server(settings, policy=TWO_ATTEMPTS, app=app)
    transcript = Transcript()
    async with Client(made.server) as client:
        for tool, arguments in (
            ("list_orders", {}),
            ("get_order", {"ref": "pressone:1"}),
            ("get_order", {"ref": "zim:ordr_1"}),
            ("explain_failure", {"ref": "zim:ordr_1"}),
        ):
            transcript.add(await client.call_tool(tool, arguments))
    logged = "\n".join(logging.Formatter("%(message)s").format(r) for r in caplog.records)
    said = transcript.text + "\n" + logged
    assert "refused" in said or "rejected" in said, said  # the provider's words did arrive
    secrets = [ECHOED.client_id, ECHOED.client_secret, ECHOED.app_identifier, ECHO_TOKEN]
    forms = {form for s in secrets for form in (s, quote_plus(s), quote(s, safe=""))}
    assert not [form for form in forms if form in said], said


def test_the_http_bearer_token_is_held_so_no_text_repeats_it() -> None:
    BearerTokenGuard(lambda *_: None, "canary-http-token-held-7d2e91")  # type: ignore[arg-type]
    said = clean_provider_text("proxy said: Bearer canary-http-token-held-7d2e91 is wrong")
    assert "canary-http-token-held-7d2e91" not in said and "[redacted]" in said
