"""The JWT access-token verifier with keys the tests make, behind an issuer answering from
this process: signature, issuer, audience, lifetime, algorithm, key ids and scopes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from esim_orders.server.issuer_keys import IssuerKeys, discovery_urls
from esim_orders.server.verifier import LEEWAY_SECONDS, JwtVerifier

ISSUER = "https://login.example.com/realms/support"
AUDIENCE = "https://orders.example.com/mcp"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class LocalIssuer:
    """Metadata at the OpenID Connect address only, and a key set the test changes."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.jwks_fetches = 0
        self.asked: list[str] = []

    def add_rsa(self, kid: str) -> rsa.RSAPrivateKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[kid] = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid}
        return key

    def add_ec(self, kid: str) -> ec.EllipticCurvePrivateKey:
        key = ec.generate_private_key(ec.SECP256R1())
        self.keys[kid] = {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": kid}
        return key

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        self.asked.append(url)
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return httpx2.Response(200, json={"issuer": ISSUER, "jwks_uri": f"{ISSUER}/certs"})
        if url == f"{ISSUER}/certs":
            self.jwks_fetches += 1
            return httpx2.Response(200, json={"keys": list(self.keys.values())})
        return httpx2.Response(404)


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def verifier(issuer: LocalIssuer, clock: FakeClock) -> JwtVerifier:
    keys = IssuerKeys(ISSUER, clock=clock, transport=httpx2.MockTransport(issuer.handler))
    return JwtVerifier(keys, AUDIENCE)


@dataclass(frozen=True)
class FromNow:
    """A claim time in seconds from when the token is signed, not from test collection."""

    seconds: int


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    changes = {k: now + v.seconds if isinstance(v, FromNow) else v for k, v in changes.items()}
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "client_id": "support-desk",
        "iat": now,
        "exp": now + 300,
        "scope": "orders:read orders:personal",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Any, kid: str | None, alg: str = "RS256", **changes: Any) -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims(**changes), key, algorithm=alg, headers=headers)


async def test_a_valid_token_gives_the_caller_and_its_scopes(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    key = issuer.add_rsa("k1")
    token = await verifier.verify_token(sign(key, "k1"))
    assert token is not None
    assert (token.subject, token.client_id) == ("alice", "support-desk")
    assert token.scopes == ["orders:read", "orders:personal"]
    assert token.resource == AUDIENCE


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "https://other.example.com/mcp"}, id="wrong-audience"),
        pytest.param({"iss": "https://login.example.com/realms/other"}, id="wrong-issuer"),
        pytest.param({"exp": FromNow(-LEEWAY_SECONDS - 5)}, id="expired"),
        pytest.param({"nbf": FromNow(LEEWAY_SECONDS + 60)}, id="not-yet-valid"),
        pytest.param({"exp": None}, id="no-expiry"),
        pytest.param({"aud": None}, id="no-audience"),
    ],
)
async def test_a_token_not_for_us_or_not_now_is_refused(
    issuer: LocalIssuer, verifier: JwtVerifier, changes: dict[str, Any]
) -> None:
    key = issuer.add_rsa("k1")
    assert await verifier.verify_token(sign(key, "k1", **changes)) is None


async def test_small_clock_skew_is_tolerated(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    key = issuer.add_rsa("k1")
    skewed = sign(key, "k1", nbf=int(time.time()) + 10, iat=int(time.time()) + 10)
    assert await verifier.verify_token(skewed) is not None


async def test_alg_none_and_hmac_with_the_public_key_are_refused(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    key = issuer.add_rsa("k1")
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": "k1"})
    assert await verifier.verify_token(unsigned) is None
    # The key confusion attack: HS256 "signed" with the issuer's public key as the secret.
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    forged = _hs256(header, claims(), public_pem)
    assert await verifier.verify_token(forged) is None
    assert issuer.jwks_fetches == 0  # refused before any key was looked up


async def test_a_token_signed_by_an_unknown_key_is_refused(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    issuer.add_rsa("k1")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert await verifier.verify_token(sign(stranger, "k1")) is None  # known kid, other key
    assert await verifier.verify_token(sign(stranger, "k9")) is None  # unknown kid


async def test_a_rotated_key_is_fetched_at_most_once_a_minute(
    issuer: LocalIssuer, verifier: JwtVerifier, clock: FakeClock
) -> None:
    old = issuer.add_rsa("k1")
    assert await verifier.verify_token(sign(old, "k1")) is not None
    assert issuer.jwks_fetches == 1
    new = issuer.add_ec("k2")
    clock.now += 10
    # Within the minute, a flood of unknown key ids costs the issuer nothing more.
    for _ in range(20):
        assert await verifier.verify_token(sign(new, "k2", alg="ES256")) is None
    assert issuer.jwks_fetches == 1
    clock.now += 51
    assert await verifier.verify_token(sign(new, "k2", alg="ES256")) is not None
    assert issuer.jwks_fetches == 2
    assert await verifier.verify_token(sign(old, "k1")) is not None  # still published


async def test_a_key_declared_for_another_algorithm_does_not_verify(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    key = issuer.add_rsa("k1")
    issuer.keys["k1"]["alg"] = "RS512"
    assert await verifier.verify_token(sign(key, "k1", alg="RS256")) is None
    assert await verifier.verify_token(sign(key, "k1", alg="RS512")) is not None


@pytest.mark.parametrize(
    ("changes", "scopes"),
    [
        ({"scope": "orders:read"}, ["orders:read"]),
        (
            {"scope": None, "scp": ["orders:read", "orders:personal"]},
            ["orders:read", "orders:personal"],
        ),
        ({"scope": None, "scp": "orders:read"}, ["orders:read"]),
        ({"scope": None}, []),
    ],
)
async def test_scopes_come_from_scope_or_scp(
    issuer: LocalIssuer, verifier: JwtVerifier, changes: dict[str, Any], scopes: list[str]
) -> None:
    key = issuer.add_rsa("k1")
    token = await verifier.verify_token(sign(key, "k1", **changes))
    assert token is not None and token.scopes == scopes


async def test_the_client_id_falls_back_to_azp(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    key = issuer.add_rsa("k1")
    token = await verifier.verify_token(sign(key, "k1", client_id=None, azp="desk-app"))
    assert token is not None and token.client_id == "desk-app"


async def test_garbage_is_refused_without_asking_the_issuer(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    odd_headers = [
        _part({"alg": ["RS256"], "kid": {"k": 1}}) + "." + _part(claims()) + ".c2ln",
        _part({"alg": "RS256", "kid": ["k1"]}) + "." + _part(claims()) + ".c2ln",
        _part([1, 2]) + "." + _part(claims()) + ".c2ln",
    ]
    for token in ("", "not.a.jwt", "a" * 20_000, "e30.e30.", "😀.😀.😀", *odd_headers):
        assert await verifier.verify_token(token) is None
    assert issuer.asked == []


async def test_an_issuer_that_is_down_is_asked_again_within_seconds(clock: FakeClock) -> None:
    answers: list[int] = []

    def down(request: httpx2.Request) -> httpx2.Response:
        answers.append(503)
        return httpx2.Response(503)

    keys = IssuerKeys(ISSUER, clock=clock, transport=httpx2.MockTransport(down))
    assert await keys.key_for("k1", "RS256") is None
    asked = len(answers)
    assert await keys.key_for("k1", "RS256") is None
    assert len(answers) == asked  # not again at once
    clock.now += 6
    await keys.key_for("k1", "RS256")
    assert len(answers) > asked


def test_metadata_is_looked_for_where_each_kind_of_issuer_serves_it() -> None:
    assert discovery_urls("https://login.example.com/realms/support") == [
        "https://login.example.com/.well-known/oauth-authorization-server/realms/support",
        "https://login.example.com/realms/support/.well-known/openid-configuration",
        "https://login.example.com/.well-known/openid-configuration/realms/support",
    ]
    assert discovery_urls("https://tenant.auth0.com/") == [
        "https://tenant.auth0.com/.well-known/oauth-authorization-server",
        "https://tenant.auth0.com/.well-known/openid-configuration",
    ]


def _part(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    signing_input = (_part(header) + "." + _part(payload)).encode()
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()
