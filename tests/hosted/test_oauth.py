"""`serve --http` as an OAuth 2.1 resource server, configured by ESIM_ORDERS_AUTH_ISSUER and
ESIM_ORDERS_PUBLIC_URL, in front of a real OpenID provider (oidc-provider) issuing JWT access
tokens by the client credentials grant; reached by the MCP SDK's own OAuth client."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from esim_orders.server.issuer_keys import IssuerKeys
from esim_orders.server.verifier import JwtVerifier

from ..helpers import free_port
from ..helpers.oidc import INSPECTOR, Issuer, start_issuer
from ..helpers.processes import INITIALIZE, ServerProcess, start_server

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class Memory:
    """Token storage for the SDK's OAuth client: this test's memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


@pytest.fixture(scope="module")
def server(issuer: Issuer) -> Iterator[ServerProcess]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    env = {
        "ESIM_ORDERS_AUTH_ISSUER": issuer.url,
        "ESIM_ORDERS_PUBLIC_URL": url,
        "ESIM_ORDERS_PERSONAL_DATA": "1",
    }
    served = start_server(["--http", "--stateless", "--port", str(port)], env)
    try:
        assert served.ready.wait(30) and served.url == url, served.stderr
        yield served
    finally:
        served.stop()


def oauth_client(server: ServerProcess, issuer: Issuer, client: str, scope: str) -> Client:
    auth = ClientCredentialsOAuthProvider(
        server_url=server.url,
        storage=Memory(),
        client_id=client,
        client_secret=f"{client}-secret",
        scope=scope,
        issuer=issuer.url,
    )
    http = httpx2.AsyncClient(auth=auth, timeout=20)
    return Client(streamable_http_client(server.url, http_client=http))


def post(server: ServerProcess, token: str | None, body: dict[str, Any]) -> httpx2.Response:
    headers = dict(HEADERS)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.post(server.url, json=body, headers=headers, timeout=20)


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    params = {"name": name, "arguments": arguments}
    return {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}


def a_pressone_order_with_a_customer(server: ServerProcess, token: str) -> dict[str, Any]:
    listing = post(server, token, call("list_orders", {"provider": "pressone", "limit": 5}))
    for summary in listing.json()["result"]["structuredContent"]["orders"]:
        order = post(server, token, call("get_order", {"ref": summary["ref"]})).json()
        content = order["result"]["structuredContent"]
        if content.get("customer", {}).get("email"):
            return content
    raise AssertionError("no PressOne order with a customer e-mail in the sandbox")


async def test_the_sdk_oauth_client_reaches_the_tools_with_a_token_from_the_issuer(
    server: ServerProcess, issuer: Issuer
) -> None:
    async with oauth_client(server, issuer, "reader-app", "orders:read") as client:
        tools = await client.list_tools()
        page = await client.call_tool("list_orders", {"limit": 2, "status": ["FAILED"]})
        ref = (page.structured_content or {})["orders"][0]["ref"]
        order = await client.call_tool("get_order", {"ref": ref})
    assert {tool.name for tool in tools.tools} >= {"list_orders", "get_order"}
    assert not order.is_error and (order.structured_content or {})["ref"] == ref


def test_without_a_token_the_answer_points_at_the_metadata_and_the_scope(
    server: ServerProcess, issuer: Issuer
) -> None:
    response = post(server, None, INITIALIZE)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    metadata_url = server.url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{metadata_url}"' in challenge
    assert 'scope="orders:read"' in challenge
    metadata = httpx2.get(metadata_url, timeout=10).json()
    assert metadata["resource"] == server.url
    assert metadata["authorization_servers"] == [issuer.url]
    assert set(metadata["scopes_supported"]) == {"orders:read", "orders:personal"}


def test_a_valid_token_is_answered(server: ServerProcess, issuer: Issuer) -> None:
    assert post(server, issuer.token(server.url), INITIALIZE).status_code == 200


def test_a_token_for_another_resource_is_refused(server: ServerProcess, issuer: Issuer) -> None:
    token = issuer.token("https://other.example.com/mcp")
    response = post(server, token, INITIALIZE)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_an_expired_token_is_refused(server: ServerProcess, issuer: Issuer) -> None:
    """Signed by the trusted issuer for this server, expired an hour ago: past any leeway."""
    token = issuer.token(server.url, client="expired-app")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] < time.time() - 3000
    response = post(server, token, INITIALIZE)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_token_from_an_unknown_signer_is_refused(server: ServerProcess, issuer: Issuer) -> None:
    genuine = jwt.decode(issuer.token(server.url), options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(genuine, stranger, algorithm="RS256", headers={"kid": issuer.kid})
    assert post(server, forged, INITIALIZE).status_code == 401
    unsigned = jwt.encode(genuine, None, algorithm="none")
    assert post(server, unsigned, INITIALIZE).status_code == 401


def test_a_token_without_the_read_scope_gets_403(server: ServerProcess, issuer: Issuer) -> None:
    token = issuer.token(server.url, client="personal-only-app", scope="orders:personal")
    response = post(server, token, INITIALIZE)
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    assert 'scope="orders:read"' in response.headers["www-authenticate"]


def test_personal_data_only_for_the_caller_with_its_scope(
    server: ServerProcess, issuer: Issuer
) -> None:
    personal = issuer.token(server.url, scope="orders:read orders:personal")
    shown = a_pressone_order_with_a_customer(server, personal)
    reader = issuer.token(server.url, client="reader-app", scope="orders:read")
    hidden = post(server, reader, call("get_order", {"ref": shown["ref"]})).json()["result"]
    customer = hidden["structuredContent"].get("customer", {})
    assert set(customer) <= {"id"}
    text = json.dumps(hidden)
    for value in (shown["customer"]["email"], shown["customer"].get("name")):
        if value:
            assert value not in text
    # The same client, asking without the scope it could have had, does not see it either.
    narrowed = issuer.token(server.url, client="support-app", scope="orders:read")
    again = post(server, narrowed, call("get_order", {"ref": shown["ref"]})).json()
    assert shown["customer"]["email"] not in json.dumps(again)


def test_every_tool_call_is_logged_with_the_caller_and_no_token(
    server: ServerProcess, issuer: Issuer
) -> None:
    token = issuer.token(server.url, client="reader-app", scope="orders:read")
    listing = post(server, token, call("list_orders", {"limit": 2})).json()
    refs = [o["ref"] for o in listing["result"]["structuredContent"]["orders"]]
    post(server, token, call("get_order", {"ref": refs[0]}))
    deadline = time.monotonic() + 5
    line = f"tool get_order by sub=reader-app client=reader-app refs={refs[0]}"
    while line not in server.stderr and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in server.stderr
    assert f"tool list_orders by sub=reader-app client=reader-app refs={','.join(refs)}" in (
        server.stderr
    )
    assert token not in server.stderr and token.split(".")[2] not in server.stderr


def inspector(
    server: ServerProcess, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """The MCP Inspector's command line (`mcp-inspector --cli`), on its own catalog file."""
    return subprocess.run(
        ["node", str(INSPECTOR), "--cli", server.url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MCP_CATALOG_PATH": str(tmp_path / "mcp.json"), "HOME": str(tmp_path)},
    )


def test_the_mcp_inspector_reaches_the_tools_with_a_bearer_token(
    server: ServerProcess, issuer: Issuer, tmp_path: Path
) -> None:
    token = issuer.token(server.url, client="reader-app", scope="orders:read")
    header = f"Authorization: Bearer {token}"
    listed = inspector(server, tmp_path, "--header", header, "--method", "tools/list")
    assert listed.returncode == 0, listed.stderr
    assert {t["name"] for t in json.loads(listed.stdout)["tools"]} >= {"get_order"}
    called = inspector(
        server,
        tmp_path,
        *("--header", header, "--method", "tools/call", "--tool-name", "list_orders"),
        *("--tool-arg", "limit=1"),
    )
    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout)["structuredContent"]["returned"] == 1
    refused = inspector(server, tmp_path, "--method", "tools/list")
    assert refused.returncode != 0
    assert "auth" in (refused.stdout + refused.stderr).lower()


@pytest.fixture(scope="module")
def other_issuer() -> Iterator[Issuer]:
    """A second authorization server: not the one the server trusts."""
    started = start_issuer()
    yield started
    started.stop()


def test_a_token_from_another_issuer_is_refused(
    server: ServerProcess, other_issuer: Issuer
) -> None:
    token = other_issuer.token(server.url)
    response = post(server, token, INITIALIZE)
    assert response.status_code == 401


async def test_a_key_rotated_at_the_issuer_is_picked_up(other_issuer: Issuer) -> None:
    """On the second issuer (the server's keeps its key): tokens signed with the new key
    verify once the key set is fetched again, which an unknown key id allows once a minute."""
    resource = "https://orders.example.com/mcp"
    clock = [1000.0]
    verifier = JwtVerifier(IssuerKeys(other_issuer.url, clock=lambda: clock[0]), resource)
    assert await verifier.verify_token(other_issuer.token(resource)) is not None
    old_kid = other_issuer.kid
    other_issuer.restart()
    assert other_issuer.kid != old_kid
    fresh = other_issuer.token(resource)
    assert await verifier.verify_token(fresh) is None  # within the minute: not fetched again
    clock[0] += 61
    verified = await verifier.verify_token(fresh)
    assert verified is not None and verified.scopes == ["orders:read"]
    assert verifier.keys.fetches == 2
