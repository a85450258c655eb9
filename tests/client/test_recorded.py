"""The real client against recorded provider traffic (cassettes in the top-level cassettes/).

Re-record with `pytest tests/client/test_recorded.py --record-mode=rewrite`: that serves the
sandbox on loopback and records what the client says to it, scrubbed by
tests/helpers/cassettes.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esim_orders.errors import AuthenticationError, OrderNotFound
from esim_orders.esim_models import EsimStatus
from esim_orders.models import OrderFilter, OrderStatus, OrderType, Provider, SubscriptionStatus
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

pytestmark = pytest.mark.vcr


def service_for(env: dict[str, str]):
    return open_service(Settings.from_env(env))


async def test_listing_walks_every_pressone_page_and_the_zim_array(recorded_env):
    async with service_for(recorded_env) as service:
        listing = await service.list_orders()
    assert not listing.errors
    by_provider = {p: [o for o in listing.orders if o.provider is p] for p in Provider}
    assert len(by_provider[Provider.PRESSONE]) >= 60  # more than two pages of 25
    assert len(by_provider[Provider.ZIM]) >= 60
    assert len({o.ref for o in listing.orders}) == len(listing.orders)
    times = [o.created_at for o in listing.orders]
    assert times == sorted(times, reverse=True)  # newest first across providers
    assert listing.total == len(listing.orders)


async def test_status_and_date_filters_are_exact(recorded_env):
    after = datetime(2026, 8, 1, tzinfo=UTC)
    before = datetime(2026, 11, 15, tzinfo=UTC)
    order_filter = OrderFilter(
        statuses=frozenset({OrderStatus.FAILED}), created_after=after, created_before=before
    )
    async with service_for(recorded_env) as service:
        listing = await service.list_orders(order_filter)
    assert listing.orders, "the recorded sandbox has failed orders in that window"
    for order in listing.orders:
        assert order.status is OrderStatus.FAILED
        assert order.created_at is not None and after <= order.created_at < before


async def test_code_filter_goes_to_pressone_server_side_and_type_is_local(recorded_env, vcr):
    async with service_for(recorded_env) as service:
        everything = await service.list_orders(
            OrderFilter(providers=frozenset({Provider.PRESSONE}))
        )
        some = everything.orders[3]
        by_code = await service.list_orders(OrderFilter(code=some.code))
        topups = await service.list_orders(OrderFilter(type=OrderType.TOP_UP))
    assert [o.ref for o in by_code.orders] == [some.ref]
    assert topups.orders and all(o.type is OrderType.TOP_UP for o in topups.orders)
    assert {o.provider for o in topups.orders} == {Provider.PRESSONE, Provider.ZIM}
    sent = [r.uri for r in vcr.requests if "/customer/v2/orders" in r.uri]
    assert any(f"filter%5Bcode%5D={some.code}" in uri for uri in sent)
    # Zim cannot filter by code at all, so the code listing never asked it.
    zim_lists = [r for r in vcr.requests if r.uri.endswith("/zim/orders")]
    assert len(zim_lists) == 1


async def test_get_order_of_each_provider(recorded_env):
    async with service_for(recorded_env) as service:
        zim_order = await service.get_order("zim:ordr_FaiL1234567890abcdEFG")
        listing = await service.list_orders(
            OrderFilter(
                providers=frozenset({Provider.PRESSONE}),
                statuses=frozenset({OrderStatus.COMPLETED}),
            )
        )
        first = listing.orders[0]
        pressone_order = await service.get_order(first.ref)
    assert zim_order.failure is not None and zim_order.failure.reason_code == "PLAN_NOT_FOUND"
    assert pressone_order.ref == first.ref and pressone_order.status is OrderStatus.COMPLETED
    assert pressone_order.esims and all(e.has_qrcode for e in pressone_order.esims)


async def test_unknown_order_is_not_found(recorded_env):
    async with service_for(recorded_env) as service:
        with pytest.raises(OrderNotFound):
            await service.get_order("pressone:999999999")
        with pytest.raises(OrderNotFound):
            await service.get_order("zim:ordr_doesNotExist000000000")


async def test_wrong_secret_is_a_credentials_error(recorded_env):
    env = {**recorded_env, "PRESSONE_CLIENT_SECRET": "wrong-secret"}
    async with service_for(env) as service:
        with pytest.raises(AuthenticationError, match="PRESSONE_CLIENT_SECRET"):
            await service.get_order("pressone:1")


# eSIMs of the recording sandbox (seed 7, 60 orders, at 2026-11-20 12:00 UTC): an eSIM in use
# and a recycled one at PressOne, an online one at Zim, and a Zim eSIM whose 20-digit ICCID
# no float holds.
PRESSONE_ACTIVE, PRESSONE_RECYCLED = "pressone:11939", "pressone:11405"
ZIM_ONLINE = "zim:ordr_3wtRHQESaAVUkMmR8Yc2S"
ZIM_LONG_ICCID = "89865127467335112495"


async def test_esim_reads_of_each_provider(recorded_env, vcr):
    async with service_for(recorded_env) as service:
        active = await service.order_esims(await service.get_order(PRESSONE_ACTIVE))
        recycled = await service.order_esims(await service.get_order(PRESSONE_RECYCLED))
        online = await service.order_esims(await service.get_order(ZIM_ONLINE))
        by_iccid = await service.esim_by_iccid(ZIM_LONG_ICCID)
    [pressone] = active
    assert pressone.status is EsimStatus.ACTIVE and pressone.iccid == "8985248187017332314"
    assert pressone.data is not None and pressone.data.unit == "MB" and pressone.packages
    assert pressone.apn_manual is True and pressone.apn == "globaldata"
    assert set(pressone.sources.values()) >= {
        "GET /customer/v2/sims/{iccid}/usage",
        "GET /customer/v2/sims/{iccid}",
        "GET /customer/v2/sims/{iccid}/packages",
    }
    assert [e.status for e in recycled] == [EsimStatus.RECYCLED] and recycled[0].recycled
    [zim] = online
    assert zim.status is EsimStatus.ONLINE and zim.subscription_status is SubscriptionStatus.ACTIVE
    assert zim.msisdn is None  # a phone number: personal data, not asked for
    assert by_iccid.iccid == ZIM_LONG_ICCID and by_iccid.status is EsimStatus.UNAVAILABLE
    sent = [r.uri for r in vcr.requests]
    # Three facts of two eSIMs, and PressOne asked about the Zim ICCID too (404 each).
    assert sum("/customer/v2/sims/" in uri for uri in sent) == 9
    # Zim has no per-eSIM subscription route: the list is read (streamed) once per eSIM.
    assert sum(uri.endswith("/zim/subscriptions/") for uri in sent) == 2
