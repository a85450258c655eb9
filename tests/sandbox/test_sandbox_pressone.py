"""PressOne's side of the sandbox: token, auth, the paginated order list and one order."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx2
import pytest

from esim_orders.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, Sandbox, SandboxConfig

ORDERS = "/pressone/customer/v2/orders"
TOKEN = "/pressone/customer/v2/token"
ORDER_KEYS = [
    "id", "code", "created_at", "description", "type", "package_id", "package", "quantity",
    "esim_type", "validity", "data", "price", "currency", "manual_installation",
    "qrcode_installation", "installation_guides",
]  # fmt: skip
SIM_KEYS = [
    "id", "created_at", "iccid", "lpa", "imsis", "matching_id", "qrcode", "qrcode_url",
    "apn_type", "apn_value", "is_roaming", "confirmation_code",
]  # fmt: skip
USER_KEYS = [
    "id", "created_at", "name", "email", "mobile", "address", "state", "city", "postal_code",
    "country_id", "company",
]  # fmt: skip


def assert_envelope(response: httpx2.Response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"success", "code", "message", "data", "timestamp"}
    assert body["success"] is False
    assert body["code"] == code
    assert body["data"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["timestamp"])
    return body


async def all_orders(client: httpx2.AsyncClient, headers: dict, **params: str) -> list[dict]:
    orders: list[dict] = []
    page = 1
    while True:
        response = await client.get(
            ORDERS, params={**params, "limit": "100", "page": str(page)}, headers=headers
        )
        body = response.json()
        orders += body["data"]
        if body["links"]["next"] is None:
            return orders
        page += 1


# --------------------------------------------------------------------------- token and auth


async def test_token_with_sandbox_credentials_has_upstream_shape(client: httpx2.AsyncClient):
    response = await client.post(
        TOKEN,
        data={
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"message": "success"}
    assert body["data"]["token_type"] == "Bearer"
    assert body["data"]["expires_in"] == 86400
    assert len(body["data"]["access_token"]) >= 32


async def test_token_accepts_multipart_form_as_the_docs_send_it(client: httpx2.AsyncClient):
    fields = {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "grant_type": "client_credentials",
    }
    response = await client.post(TOKEN, data=fields, files={"unused": ("x.txt", b"x")})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": "wrong",
            "grant_type": "client_credentials",
        },
        {
            "client_id": "someone",
            "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
        {"grant_type": "client_credentials"},
    ],
    ids=["wrong-secret", "wrong-id", "missing"],
)
async def test_token_with_wrong_or_missing_credentials_is_401(
    client: httpx2.AsyncClient, sandbox: Sandbox, fields: dict
):
    body = assert_envelope(await client.post(TOKEN, data=fields), 401, "4010")
    assert body["message"] == "Invalid client credentials"
    assert sandbox.stats.tokens_issued["pressone"] == 0
    assert sandbox.stats.token_requests["pressone"] == 1


async def test_token_with_wrong_grant_type_is_validation_failure(client: httpx2.AsyncClient):
    fields = {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "grant_type": "password",
    }
    assert_envelope(await client.post(TOKEN, data=fields), 422, "4008")


@pytest.mark.parametrize("path", [ORDERS, f"{ORDERS}/1"])
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-issued"}, {"Authorization": "Basic abc"}]
)
async def test_orders_without_valid_token_is_401_unauthenticated(
    client: httpx2.AsyncClient, sandbox: Sandbox, path: str, headers: dict
):
    body = assert_envelope(await client.get(path, headers=headers), 401, "4010")
    assert body["message"] == "Unauthenticated."
    assert sandbox.stats.unauthorized["pressone"] == 1


async def test_zim_token_is_not_accepted_by_pressone(client, zim_headers):
    response = await client.get(ORDERS, headers={"Authorization": zim_headers["Authorization"]})
    assert response.status_code == 401


async def test_token_expires_after_its_declared_ttl(
    client, sandbox: Sandbox, clock, new_pressone_token
):
    sandbox.config.pressone_token_ttl_s = 60
    headers = {"Authorization": f"Bearer {await new_pressone_token()}"}
    clock.now += 59
    assert (await client.get(ORDERS, headers=headers)).status_code == 200
    clock.now += 1
    assert (await client.get(ORDERS, headers=headers)).status_code == 401


async def test_early_token_expiry_rejects_a_token_before_its_expires_in(
    client, sandbox: Sandbox, clock, new_pressone_token
):
    headers = {"Authorization": f"Bearer {await new_pressone_token()}"}
    sandbox.config.early_token_expiry_s = 30
    clock.now += 29
    assert (await client.get(ORDERS, headers=headers)).status_code == 200
    clock.now += 1
    response = await client.get(ORDERS, headers=headers)
    assert_envelope(response, 401, "4010")
    # A fresh token works again: the client's "refresh once on 401" path.
    headers = {"Authorization": f"Bearer {await new_pressone_token()}"}
    assert (await client.get(ORDERS, headers=headers)).status_code == 200


# --------------------------------------------------------------------------- pagination


async def test_first_page_meta_and_links_follow_laravel_paginator(client, pressone_headers):
    response = await client.get(ORDERS, params={"limit": "25"}, headers=pressone_headers)
    assert response.status_code == 200
    body = response.json()
    path = "http://sandbox/pressone/customer/v2/orders"
    assert list(body) == ["data", "links", "meta"]
    assert body["links"] == {
        "first": f"{path}?page=1",
        "last": f"{path}?page=3",
        "prev": None,
        "next": f"{path}?page=2",
    }
    assert body["meta"] == {
        "message": "success",
        "current_page": 1,
        "from": 1,
        "last_page": 3,
        "path": path,
        "per_page": "25",
        "to": 25,
        "total": 60,
    }
    assert len(body["data"]) == 25


async def test_default_page_size_is_50_and_per_page_is_a_string(client, pressone_headers):
    body = (await client.get(ORDERS, headers=pressone_headers)).json()
    assert body["meta"]["per_page"] == "50"
    assert len(body["data"]) == 50


async def test_last_page_is_partial_and_has_no_next(client, pressone_headers):
    body = (
        await client.get(ORDERS, params={"limit": "25", "page": "3"}, headers=pressone_headers)
    ).json()
    assert len(body["data"]) == 10
    assert (body["meta"]["from"], body["meta"]["to"]) == (51, 60)
    assert body["links"]["prev"].endswith("?page=2")
    assert body["links"]["next"] is None


async def test_page_past_the_last_is_empty_with_null_from_and_to(client, pressone_headers):
    body = (
        await client.get(ORDERS, params={"limit": "25", "page": "9"}, headers=pressone_headers)
    ).json()
    assert body["data"] == []
    assert body["meta"]["from"] is None
    assert body["meta"]["to"] is None
    assert body["meta"]["current_page"] == 9
    assert body["meta"]["total"] == 60
    assert body["links"]["next"] is None


async def test_limit_above_page_cap_is_capped(client, sandbox: Sandbox, pressone_headers):
    body = (await client.get(ORDERS, params={"limit": "500"}, headers=pressone_headers)).json()
    assert body["meta"]["per_page"] == "100"
    assert len(body["data"]) == 60
    sandbox.config.pressone_page_cap = 7
    body = (await client.get(ORDERS, params={"limit": "500"}, headers=pressone_headers)).json()
    assert body["meta"]["per_page"] == "7"
    assert body["meta"]["last_page"] == 9
    assert len(body["data"]) == 7


async def test_huge_limit_is_capped_not_rejected(client, pressone_headers):
    params = {"limit": "1000000000"}
    body = (await client.get(ORDERS, params=params, headers=pressone_headers)).json()
    assert body["meta"]["per_page"] == "100"


async def test_pages_cover_every_order_once_newest_first(client, pressone_headers):
    seen = []
    for page in (1, 2, 3):
        params = {"limit": "25", "page": str(page)}
        seen += (await client.get(ORDERS, params=params, headers=pressone_headers)).json()["data"]
    assert len({order["id"] for order in seen}) == 60
    stamps = [(order["created_at"], order["id"]) for order in seen]
    assert stamps == sorted(stamps, reverse=True)


async def test_oldest_first_list_starts_with_the_oldest_order(client, sandbox, pressone_headers):
    sandbox.config.pressone_list_order = "oldest-first"
    params = {"limit": "25", "page": "1"}
    body = (await client.get(ORDERS, params=params, headers=pressone_headers)).json()
    oldest = sandbox.data.pressone.orders[-1]
    assert body["data"][0]["id"] == oldest.id
    stamps = [(order["created_at"], order["id"]) for order in body["data"]]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(
    "params",
    [{}, {"filter[order_status]": "completed"}, {"filter[created_at]": "2026-10-01 - 2026-11-23"}],
)
async def test_oldest_first_pages_are_newest_first_reversed_with_the_same_meta(
    client, sandbox, pressone_headers, params
):
    bodies: dict[str, list[dict]] = {}
    for order in ("newest-first", "oldest-first"):
        sandbox.config.pressone_list_order = order
        bodies[order] = [
            (
                await client.get(
                    ORDERS,
                    params={**params, "limit": "25", "page": str(page)},
                    headers=pressone_headers,
                )
            ).json()
            for page in (1, 2, 3, 4)
        ]
    newest, oldest = bodies["newest-first"], bodies["oldest-first"]
    assert [b["meta"] for b in oldest] == [b["meta"] for b in newest]
    assert [b["links"] for b in oldest] == [b["links"] for b in newest]
    assert [len(b["data"]) for b in oldest] == [len(b["data"]) for b in newest]
    newest_ids = [order["id"] for body in newest for order in body["data"]]
    assert newest_ids, "the filter matched nothing: the test would prove nothing"
    assert [order["id"] for body in oldest for order in body["data"]] == newest_ids[::-1]


def test_unknown_list_order_is_rejected():
    with pytest.raises(ValueError, match="pressone_list_order"):
        SandboxConfig(pressone_list_order="random")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "abc"},
        {"limit": "0"},
        {"limit": "-5"},
        {"limit": "2.5"},
        {"limit": "1" + "0" * 30},
        {"page": "-1"},
        {"page": "0"},
        {"page": "two"},
        {"filter[created_at]": "2026-11-01"},
        {"filter[created_at]": "2026-11-30 - 2026-11-01"},
        {"filter[created_at]": "2026-02-30 - 2026-03-01"},
        {"filter[created_at]": "01/11/2026 - 30/11/2026"},
        {"include": "sims,payments"},
        {"filter[country]": "JP"},
    ],
)
async def test_malformed_parameter_is_422_validation_failed(client, pressone_headers, params):
    response = await client.get(ORDERS, params=params, headers=pressone_headers)
    body = assert_envelope(response, 422, "4008")
    assert body["message"] == "Validation failed"


# --------------------------------------------------------------------------- filters


async def test_filter_created_at_includes_both_days(client, pressone_headers, now):
    everything = await all_orders(client, pressone_headers)
    first = (now - timedelta(days=20)).date()
    last = (now - timedelta(days=10)).date()
    window = f"{first.isoformat()} - {last.isoformat()}"
    found = await all_orders(client, pressone_headers, **{"filter[created_at]": window})
    expected = [
        order
        for order in everything
        if first <= datetime.strptime(order["created_at"], "%Y-%m-%d %H:%M:%S").date() <= last
    ]
    assert found == expected
    assert found  # the window is not empty, or the test would prove nothing


async def test_filter_created_at_on_a_single_day(client, pressone_headers, now):
    day = now.date().isoformat()
    found = await all_orders(client, pressone_headers, **{"filter[created_at]": f"{day} - {day}"})
    assert found
    assert all(order["created_at"].startswith(day) for order in found)


async def test_filter_code_is_a_case_insensitive_substring(client, pressone_headers):
    target = (await all_orders(client, pressone_headers))[7]
    found = await all_orders(client, pressone_headers, **{"filter[code]": target["code"][-5:]})
    assert target in found
    assert all(target["code"][-5:] in order["code"] for order in found)


@pytest.mark.parametrize(
    "slug", ["completed", "failed", "refunded", "partially_refunded", "on_hold"]
)
async def test_filter_order_status_by_slug(client, pressone_headers, slug):
    found = await all_orders(
        client, pressone_headers, include="status", **{"filter[order_status]": slug}
    )
    assert found
    assert {order["status"]["slug"] for order in found} == {slug}


async def test_filter_order_status_unknown_slug_matches_nothing(client, pressone_headers):
    assert await all_orders(client, pressone_headers, **{"filter[order_status]": "lost"}) == []


async def test_filter_iccid_matches_a_sim_of_the_order(client, pressone_headers):
    orders = await all_orders(client, pressone_headers, include="sims")
    iccid = next(order for order in orders if order["sims"])["sims"][0]["iccid"]
    found = await all_orders(
        client, pressone_headers, include="sims", **{"filter[iccid]": iccid[-8:]}
    )
    assert found
    assert all(any(iccid[-8:] in sim["iccid"] for sim in order["sims"]) for order in found)


async def test_filter_description_is_case_insensitive_and_skips_null(client, pressone_headers):
    everything = await all_orders(client, pressone_headers)
    found = await all_orders(client, pressone_headers, **{"filter[description]": "TOP-UP FOR"})
    assert found
    assert found == [
        order
        for order in everything
        if order["description"] and "top-up for" in order["description"].lower()
    ]


async def test_filters_combine_and_empty_filters_are_ignored(client, pressone_headers):
    found = await all_orders(
        client,
        pressone_headers,
        include="status",
        **{"filter[order_status]": "completed", "filter[description]": "", "filter[code]": "2026"},
    )
    assert found
    assert all(order["status"]["slug"] == "completed" for order in found)


async def test_filtered_total_counts_only_matches(client, pressone_headers):
    params = {"filter[order_status]": "failed", "limit": "1"}
    body = (await client.get(ORDERS, params=params, headers=pressone_headers)).json()
    assert body["meta"]["total"] == body["meta"]["last_page"] >= 1
    assert body["meta"]["per_page"] == "1"


# --------------------------------------------------------------------------- include and fields


async def test_without_include_orders_carry_no_relations(client, pressone_headers):
    body = (await client.get(ORDERS, headers=pressone_headers)).json()
    assert all(list(order) == ORDER_KEYS for order in body["data"])


@pytest.mark.parametrize("include", ["sims", "user", "status", "sims,user", "user,status,sims"])
async def test_include_adds_only_the_asked_relations(client, pressone_headers, include):
    body = (await client.get(ORDERS, params={"include": include}, headers=pressone_headers)).json()
    asked = set(include.split(","))
    for order in body["data"]:
        assert set(order) == set(ORDER_KEYS) | asked


async def test_included_relations_have_documented_fields(client, pressone_headers):
    orders = await all_orders(client, pressone_headers, include="sims,user,status")
    for order in orders:
        assert list(order["user"]) == USER_KEYS
        assert set(order["status"]) == {"name", "slug"}
        for sim in order["sims"]:
            assert list(sim) == SIM_KEYS
            assert sim["qrcode"] == f"LPA:1${sim['lpa']}${sim['matching_id']}"
            assert sim["imsis"] is None
            assert re.fullmatch(r"89\d{17,18}", sim["iccid"])
        assert order["user"]["email"].endswith(("@example.com", "@example.org"))
        assert order["user"]["mobile"].startswith("+1555")


async def test_sims_one_per_quantity_none_for_topups_and_failed(client, pressone_headers):
    orders = await all_orders(client, pressone_headers, include="sims,status")
    for order in orders:
        if order["type"] == "topup" or order["status"]["slug"] == "failed":
            assert order["sims"] == []
        else:
            assert len(order["sims"]) == order["quantity"]
    failed = [order for order in orders if order["status"]["slug"] == "failed"]
    assert failed
    assert all("reason" not in order for order in failed)


async def test_order_field_formats(client, pressone_headers):
    for order in await all_orders(client, pressone_headers):
        assert isinstance(order["id"], int)
        assert re.fullmatch(r"\d{8}-\d{6}", order["code"])
        assert order["code"][:8] == order["created_at"][:10].replace("-", "")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", order["created_at"])
        assert re.fullmatch(r"\d+\.\d\d", order["price"])
        assert order["currency"] in {"USD", "EUR"}
        assert order["type"] in {"sim", "topup"}
        assert order["esim_type"] == "Prepaid"
        assert order["validity"].isdigit()
        assert order["package_id"].endswith(
            f"-{order['validity']}days-" + order["package_id"].split("-")[-1]
        )
        assert set(order["installation_guides"]) == {"en"}


# --------------------------------------------------------------------------- one order


async def test_get_order_matches_the_list_entry(client, pressone_headers):
    listed = (
        await client.get(ORDERS, params={"include": "sims,user,status"}, headers=pressone_headers)
    ).json()["data"][3]
    response = await client.get(
        f"{ORDERS}/{listed['id']}", params={"include": "sims,user,status"}, headers=pressone_headers
    )
    assert response.status_code == 200
    assert response.json() == {"data": listed, "meta": {"message": "success"}}


async def test_get_order_without_include_has_no_relations(client, pressone_headers):
    listed = (await client.get(ORDERS, headers=pressone_headers)).json()["data"][0]
    body = (await client.get(f"{ORDERS}/{listed['id']}", headers=pressone_headers)).json()
    assert list(body["data"]) == ORDER_KEYS


@pytest.mark.parametrize("order_id", ["1", "99999999", "abc", "-3"])
async def test_get_unknown_order_is_404_in_envelope(client, pressone_headers, order_id):
    response = await client.get(f"{ORDERS}/{order_id}", headers=pressone_headers)
    body = assert_envelope(response, 404, "4004")
    assert body["message"] == "Order not found"


# --------------------------------------------------------------------------- wrapped envelope


async def test_wrapped_envelope_wraps_token_list_and_order(client, sandbox, new_pressone_token):
    sandbox.config.pressone_envelope = "wrapped"
    response = await client.post(
        TOKEN,
        data={
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    body = response.json()
    assert list(body) == ["success", "code", "message", "data", "timestamp"]
    assert (body["success"], body["code"], body["message"]) == (True, "2000", "success")
    assert body["data"]["data"]["token_type"] == "Bearer"
    headers = {"Authorization": f"Bearer {body['data']['data']['access_token']}"}

    body = (await client.get(ORDERS, params={"limit": "5"}, headers=headers)).json()
    assert body["success"] is True
    assert list(body["data"]) == ["data", "links", "meta"]
    assert body["data"]["meta"]["per_page"] == "5"

    order_id = body["data"]["data"][0]["id"]
    body = (await client.get(f"{ORDERS}/{order_id}", headers=headers)).json()
    assert body["success"] is True
    assert body["data"]["data"]["id"] == order_id


async def test_wrapped_envelope_leaves_errors_alone(client, sandbox, pressone_headers):
    sandbox.config.pressone_envelope = "wrapped"
    assert_envelope(
        await client.get(ORDERS, params={"limit": "abc"}, headers=pressone_headers), 422, "4008"
    )
