"""Search through list_orders: `text` finds plans and places as well as descriptions, and
`destination` finds a country by name or ISO code, at both providers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client

from esim_orders.models import Order, OrderFilter
from esim_orders.server import OrdersServer
from esim_orders.service.wiring import open_service
from esim_orders.settings import Settings

from ..helpers import ONE_ATTEMPT
from ..helpers.tools import all_refs


@pytest.fixture
async def every_order(sandbox_app: Any) -> list[Order]:
    async with open_service(
        Settings.from_env({}), sandbox_app=sandbox_app, policy=ONE_ATTEMPT
    ) as service:
        return (await service.list_orders(OrderFilter())).orders


def refs_where(orders: list[Order], keep: Callable[[Order], bool]) -> list[str]:
    return [o.ref for o in orders if keep(o)]


def says(value: str | None, words: str) -> bool:
    return value is not None and words.casefold() in value.casefold()


async def test_text_finds_plan_names_and_places_at_both_providers(
    server: OrdersServer, every_order: list[Order]
) -> None:
    def found(words: str) -> Callable[[Order], bool]:
        return lambda o: (
            says(o.description, words)
            or bool(o.plan and (says(o.plan.name, words) or says(o.plan.destination, words)))
        )

    async with Client(server) as client:
        south_africa = await all_refs(client, text="south africa")
        moshi = await all_refs(client, text="Moshi")
    assert south_africa == refs_where(every_order, found("South Africa"))
    assert {ref.split(":")[0] for ref in south_africa} == {"pressone", "zim"}
    # The case: Zim's plan "South Africa · …" has no description at all.
    assert any(
        o.ref in south_africa and o.description is None and o.provider == "zim" for o in every_order
    )
    assert moshi and moshi == refs_where(every_order, found("Moshi"))


@pytest.mark.parametrize("place", ["South Africa", "za", "ZAF"])
async def test_destination_is_a_country_by_name_or_iso_code_at_both_providers(
    server: OrdersServer, every_order: list[Order], place: str
) -> None:
    async with Client(server) as client:
        found = await all_refs(client, destination=place, status=["FAILED", "COMPLETED"])
    expected = refs_where(
        every_order,
        lambda o: (
            o.status in ("FAILED", "COMPLETED")
            and o.plan is not None
            and "South Africa" in (o.plan.destination or "")
        ),
    )
    assert found == expected
    assert {ref.split(":")[0] for ref in found} == {"pressone", "zim"}


async def test_a_region_and_an_unknown_place_as_destination(server: OrdersServer) -> None:
    async with Client(server) as client:
        europe = (
            await client.call_tool("list_orders", {"destination": "Europe", "limit": 100})
        ).structured_content
        nowhere = (
            await client.call_tool("list_orders", {"destination": "Atlantis"})
        ).structured_content
    assert europe is not None and europe["orders"]
    assert nowhere is not None and nowhere["orders"] == [] and nowhere["total"] == 0
