"""Zim's side of the sandbox: OAuth2 token, the two headers, and the bare order array."""

from __future__ import annotations

import json
import re

import httpx2
import pytest

from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, Sandbox

TOKEN = "/zim/oauth2/token"
ORDERS = "/zim/orders"

# The response example of the seed page (002_*.txt), copied as it stands.
SEED_PAGE_EXAMPLE = """
[
  {
    "id": "ordr_GMAVA4ISiqfWSG0ArGOzB",
    "status": "FULFILLED",
    "accountID": "acct_ozxEbkTyvLPhhoglcALXE",
    "planID": "plan_guaGulGcrqgTYboPvetgu",
    "userID": "user_yf95A86RIkVxau2gzBsjV",
    "type": "ONE_OFF",
    "paymentID": "pay_4FzTYboPvetguABCDEFGH",
    "paymentReference": "pi_3OqAbCxYz12345",
    "notifyRecipient": true,
    "createdAt": "2026-05-12T14:39:23.149Z",
    "updatedAt": "2026-05-12T14:41:02.501Z"
  },
  {
    "id": "ordr_QwErTyUiOpAsDfGhJkLZx",
    "status": "PROCESSING",
    "accountID": "acct_ozxEbkTyvLPhhoglcALXE",
    "planID": "plan_guaGulGcrqgTYboPveAAB",
    "userID": "user_yf95A86RIkVxau2gzBsjV",
    "type": "TOP_UP",
    "notifyRecipient": false,
    "createdAt": "2026-05-20T09:12:00.000Z",
    "updatedAt": "2026-05-20T09:12:30.000Z"
  },
  {
    "id": "ordr_FaiL1234567890abcdEFG",
    "status": "FAILED",
    "accountID": "acct_ozxEbkTyvLPhhoglcALXE",
    "planID": "plan_guaGulGcrqgTYboPvetgu",
    "userID": "user_yf95A86RIkVxau2gzBsjV",
    "type": "ONE_OFF",
    "failureReason": "PLAN_NOT_FOUND",
    "createdAt": "2026-05-22T11:00:00.000Z",
    "updatedAt": "2026-05-22T11:00:05.000Z"
  }
]
"""
ORDER_KEYS = {
    "id", "status", "accountID", "planID", "userID", "type", "paymentID", "paymentReference",
    "notifyRecipient", "failureReason", "plan", "subscription", "createdAt", "updatedAt",
}  # fmt: skip
PLAN_KEYS = [
    "id", "destination", "region", "dataUnit", "dataValue", "callUnit", "callValue", "smsUnit",
    "smsValue", "durationUnit", "durationValue", "features", "prices",
]  # fmt: skip
CREDENTIALS = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}


async def test_token_with_form_credentials(client: httpx2.AsyncClient):
    response = await client.post(TOKEN, data={**CREDENTIALS, "grant_type": "client_credentials"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "token_type", "expires_in"]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"


async def test_token_with_basic_auth(client: httpx2.AsyncClient, sandbox: Sandbox):
    sandbox.config.zim_token_ttl_s = 120
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET),
    )
    assert response.status_code == 200
    assert response.json()["expires_in"] == 120


@pytest.mark.parametrize(
    ("data", "auth"),
    [
        ({"client_id": SANDBOX_CLIENT_ID, "client_secret": "nope"}, None),
        ({}, None),
        ({}, (SANDBOX_CLIENT_ID, "nope")),
        ({"client_id": SANDBOX_CLIENT_ID}, None),
    ],
    ids=["wrong-secret-form", "missing", "wrong-secret-basic", "missing-secret"],
)
async def test_token_with_wrong_or_missing_credentials_is_401_invalid_client(
    client: httpx2.AsyncClient, data: dict, auth: tuple | None
):
    response = await client.post(
        TOKEN, data={**data, "grant_type": "client_credentials"}, auth=auth
    )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


async def test_token_with_bad_grant_is_400_unsupported_grant_type(client: httpx2.AsyncClient):
    response = await client.post(TOKEN, data={**CREDENTIALS, "grant_type": "password"})
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}


async def test_token_without_grant_is_400_invalid_request(client: httpx2.AsyncClient):
    response = await client.post(TOKEN, data=CREDENTIALS)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}


@pytest.mark.parametrize("path", [ORDERS, f"{ORDERS}/ordr_GMAVA4ISiqfWSG0ArGOzB"])
@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-issued", f"Basic {SANDBOX_CLIENT_SECRET}"]
)
async def test_orders_without_valid_token_is_401(
    client: httpx2.AsyncClient, sandbox: Sandbox, path: str, authorization: str | None
):
    headers = {"X-App-Identifier": "b2b"}
    if authorization:
        headers["Authorization"] = authorization
    response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert sandbox.stats.unauthorized["zim"] == 1


@pytest.mark.parametrize("identifier", [None, "", "b2c", "B2B"])
async def test_orders_require_the_app_identifier(client, zim_headers, identifier):
    headers = {"Authorization": zim_headers["Authorization"]}
    if identifier is not None:
        headers["X-App-Identifier"] = identifier
    for path in (ORDERS, f"{ORDERS}/ordr_GMAVA4ISiqfWSG0ArGOzB"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 403
        assert response.json() == {"message": "Forbidden"}


async def test_pressone_token_is_not_accepted_by_zim(client, pressone_headers):
    headers = {**pressone_headers, "X-App-Identifier": "b2b"}
    assert (await client.get(ORDERS, headers=headers)).status_code == 401


async def test_early_token_expiry_rejects_a_zim_token(client, sandbox, clock, new_zim_token):
    headers = {"Authorization": f"Bearer {await new_zim_token()}", "X-App-Identifier": "b2b"}
    sandbox.config.early_token_expiry_s = 5
    clock.now += 4.9
    assert (await client.get(ORDERS, headers=headers)).status_code == 200
    clock.now += 0.1
    response = await client.get(ORDERS, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


async def test_zim_token_expires_after_its_declared_ttl(client, clock, new_zim_token):
    headers = {"Authorization": f"Bearer {await new_zim_token()}", "X-App-Identifier": "b2b"}
    clock.now += 3599
    assert (await client.get(ORDERS, headers=headers)).status_code == 200
    clock.now += 1
    assert (await client.get(ORDERS, headers=headers)).status_code == 401


async def test_orders_is_a_bare_array_of_every_order(client, zim_headers):
    response = await client.get(ORDERS, headers=zim_headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 60
    assert len({order["id"] for order in body}) == 60


async def test_orders_contain_the_three_seed_orders_verbatim(client, zim_headers):
    body = (await client.get(ORDERS, headers=zim_headers)).json()
    by_id = {order["id"]: order for order in body}
    for expected in json.loads(SEED_PAGE_EXAMPLE):
        served = by_id[expected["id"]]
        assert served == expected
        assert list(served) == list(expected)  # same keys in the same order


async def test_orders_ignore_query_parameters(client, zim_headers):
    plain = (await client.get(ORDERS, headers=zim_headers)).content
    params = {"status": "FAILED", "page": "2", "limit": "5", "sort": "createdAt"}
    assert (await client.get(ORDERS, params=params, headers=zim_headers)).content == plain


async def test_orders_are_not_served_newest_first(client, zim_headers):
    body = (await client.get(ORDERS, headers=zim_headers)).json()
    stamps = [order["createdAt"] for order in body]
    assert stamps != sorted(stamps, reverse=True)
    assert stamps != sorted(stamps)


async def test_get_order_by_id_matches_the_list_entry(client, zim_headers):
    body = (await client.get(ORDERS, headers=zim_headers)).json()
    for listed in body[:10]:
        response = await client.get(f"{ORDERS}/{listed['id']}", headers=zim_headers)
        assert response.status_code == 200
        assert response.json() == listed


async def test_get_unknown_order_is_404(client, zim_headers):
    response = await client.get(f"{ORDERS}/ordr_doesNotExist000000000", headers=zim_headers)
    assert response.status_code == 404
    assert response.json() == {"message": "Order not found"}


async def test_orders_have_only_documented_fields(client, zim_headers):
    body = (await client.get(ORDERS, headers=zim_headers)).json()
    prefixes = {
        "id": "ordr_",
        "accountID": "acct_",
        "planID": "plan_",
        "userID": "user_",
        "paymentID": "pay_",
    }
    for order in body:
        assert set(order) <= ORDER_KEYS
        assert {"id", "status", "accountID", "planID", "userID", "type"} <= set(order)
        for key, prefix in prefixes.items():
            if key in order:
                assert re.fullmatch(prefix + "[A-Za-z0-9]{21}", order[key]), order[key]
        for stamp in (order["createdAt"], order["updatedAt"]):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
        assert order["updatedAt"] >= order["createdAt"]
        if "plan" in order:
            assert list(order["plan"]) == PLAN_KEYS
            assert order["plan"]["id"] == order["planID"]
        if "subscription" in order:
            subscription = order["subscription"]
            assert list(subscription) == ["id", "esimID", "plan", "status"]
            assert subscription["id"].startswith("sub_")
            assert list(subscription["plan"]) == PLAN_KEYS


async def test_failure_reason_and_payment_follow_the_status(client, zim_headers):
    body = (await client.get(ORDERS, headers=zim_headers)).json()
    for order in body:
        if order["status"] != "FAILED":
            assert "failureReason" not in order
        if order["status"] in ("PENDING_PAYMENT", "IN_BASKET"):
            assert "paymentID" not in order
            assert "paymentReference" not in order
        assert ("paymentID" in order) == ("paymentReference" in order)
        if order["status"] == "FULFILLED" and order["id"] != "ordr_GMAVA4ISiqfWSG0ArGOzB":
            assert "subscription" in order


async def test_plan_prices_are_integer_minor_units(client, zim_headers):
    body = (await client.get(ORDERS, headers=zim_headers)).json()
    prices = [price for order in body if "plan" in order for price in order["plan"]["prices"]]
    assert prices
    for price in prices:
        assert isinstance(price["value"], int)
        assert price["minorExponentUnits"] == (0 if price["currencyISO"] == "JPY" else 2)
