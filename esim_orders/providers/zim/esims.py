"""Zim's eSIM reads: the eSIM object (`GET /esims/{esimID}`, or the `/esims` list) and the
account's subscriptions (`GET /subscriptions/`), into the normalized `EsimState`.

Zim writes `iccid` and `msisdn` as bare JSON numbers of up to 20 digits: they are read as
Python integers (exact at any size) and kept as text, never through a float. `matchingID`,
`smdpPlus` and `qrCodeLink` install the eSIM and are never read out. Zim documents no usage
figures: the data allowance is the plan's, and what is left is known only when a
subscription is DEPLETED (none).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio

from ...client import coerce
from ...client.base import shape_error
from ...client.esims import RATE_LIMITED, EsimReader
from ...client.json_stream import read_array
from ...client.transport import RawResponse
from ...errors import RateLimited
from ...esim_models import EsimState, EsimStatus, PackageRecord, Quota, Unread
from ...models import Allowance, Provider, Subscription, SubscriptionStatus
from .wire import parse_plan, parse_subscription

__all__ = ["ZimEsims", "esim_state"]

ESIM_PATH = "/esims/{id}"
LIST_PATH = "/esims"
SUBSCRIPTIONS_PATH = "/subscriptions/"
STATUS_BY_WIRE = {
    s.value: s
    for s in (
        EsimStatus.PROCESSING,
        EsimStatus.RELEASED,
        EsimStatus.DOWNLOADED,
        EsimStatus.INSTALLED,
        EsimStatus.UNINSTALLED,
        EsimStatus.EXPIRED,
        EsimStatus.ENABLED,
        EsimStatus.DISABLED,
        EsimStatus.ONLINE,
        EsimStatus.OFFLINE,
        EsimStatus.UNAVAILABLE,
    )
}
MB_PER = {"MB": 1, "GB": 1024}


class ZimEsims(EsimReader):
    """The eSIM reads of one Zim client."""

    provider = Provider.ZIM.value

    async def state(
        self, esim_id: str, order_ref: str | None = None, known: dict[str, Any] | None = None
    ) -> EsimState:
        """The eSIM's state from its object and the subscriptions naming it, read at once
        (`known`: its object already read from the list)."""
        facts: dict[str, Any] = {}

        async def record() -> None:
            facts["record"] = known if known is not None else await self._record(esim_id)

        async def subscriptions() -> None:
            facts["subscriptions"] = await self._subscriptions(esim_id)

        async with anyio.create_task_group() as group:
            group.start_soon(record)
            group.start_soon(subscriptions)
        return esim_state(
            esim_id,
            facts,
            order_ref=order_ref,
            personal_data=self.personal_data,
        )

    async def find(self, iccid: str) -> dict[str, Any] | None:
        """The eSIM object with this ICCID from the `/esims` list, or None."""
        rows = await self._matching(LIST_PATH, "iccid", iccid)
        if isinstance(rows, Unread):
            raise_unread(rows)
        return rows[0] if rows else None

    async def _record(self, esim_id: str) -> dict[str, Any] | Unread:
        def parse(response: RawResponse) -> dict[str, Any] | None:
            if response.status in (404, 405):
                return None  # the single route is not there: the list says
            if not response.ok:
                raise self.gateway.error_for(response)
            if not isinstance(response.payload, dict):
                raise shape_error(Provider.ZIM, "eSIM answer is not an object")
            return response.payload

        url = self.base_url + ESIM_PATH.format(id=esim_id)
        found = await self.cache.read(
            "record", esim_id, lambda: self._get(url, give_back=RATE_LIMITED), parse
        )
        if found is not None:
            return found
        rows = await self._matching(LIST_PATH, "id", esim_id)
        return rows if isinstance(rows, Unread) else (rows[0] if rows else {})

    async def _subscriptions(self, esim_id: str) -> list[dict[str, Any]] | Unread:
        return await self._matching(SUBSCRIPTIONS_PATH, "esimID", esim_id)

    async def _matching(self, path: str, field: str, wanted: str) -> list[dict[str, Any]] | Unread:
        """The rows of an account-wide array (`/esims`, `/subscriptions/`) whose `field` is
        `wanted`, read as a stream: only those rows are kept (here, and for `ESIM_TTL` per
        value asked), however many the account holds."""

        async def reader(chunks: AsyncIterator[bytes]) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []

            def visit(row: Any) -> None:
                if isinstance(row, dict) and _value(row.get(field)) == wanted:
                    found.append(row)

            body = await read_array(chunks, visit, self.provider)
            if not body.is_array:
                raise shape_error(Provider.ZIM, f"{path} did not answer an array")
            return found

        def parse(response: RawResponse) -> list[dict[str, Any]]:
            if not response.ok:
                raise self.gateway.error_for(response)
            return list(response.payload)

        url = self.base_url + path
        return await self.cache.read(
            "subscriptions" if path == SUBSCRIPTIONS_PATH else "record",
            f"{field}={wanted}",
            lambda: self.stream(url, reader),
            parse,
        )


def _value(value: Any) -> str | None:
    """A row's id or number as text: ICCIDs come as bare numbers, ids as strings."""
    return coerce.digits(value) if isinstance(value, int) else coerce.text(value, 80)


def raise_unread(unread: Unread) -> None:
    """A lookup that cannot go on without the list: the list's own error, as a provider's."""
    raise RateLimited(Provider.ZIM.value, unread.reason, status=429)


def esim_state(
    esim_id: str,
    facts: dict[str, Any],
    *,
    order_ref: str | None,
    personal_data: bool,
) -> EsimState:
    """The normalized state from Zim's eSIM object and the subscriptions naming it."""
    unread = [value for value in facts.values() if isinstance(value, Unread)]
    record = facts.get("record") if isinstance(facts.get("record"), dict) else {}
    subs_all = facts.get("subscriptions")
    subs = [
        s
        for s in (subs_all if isinstance(subs_all, list) else [])
        if coerce.text(s.get("esimID"), 80) == esim_id
    ]
    word = coerce.text(record.get("status"), 40)
    history = [_package(s) for s in subs]
    current = _current(subs)
    sources = {}
    if record:
        sources["status"] = "GET " + ESIM_PATH
    if subs:
        sources |= dict.fromkeys(("subscription", "data", "packages"), "GET " + SUBSCRIPTIONS_PATH)
    return EsimState(
        provider=Provider.ZIM,
        iccid=coerce.digits(record.get("iccid")),
        esim_id=coerce.text(record.get("id"), 80) or esim_id,
        order_ref=order_ref,
        status=coerce.enum_or_unknown(STATUS_BY_WIRE, word, EsimStatus.UNKNOWN)
        if record
        else EsimStatus.UNKNOWN,
        provider_status=word,
        subscription_id=current.id if current else None,
        subscription_status=current.status if current else None,
        subscription_provider_status=current.provider_status if current else None,
        data=_data(current),
        packages=history,
        msisdn=coerce.digits(record.get("msisdn")) if personal_data else None,
        sources=sources,
        unread=unread,
    )


def _subscription(row: dict[str, Any]) -> Subscription | None:
    return parse_subscription(row, parse_plan(row.get("plan")))


def _current(rows: list[dict[str, Any]]) -> Subscription | None:
    """The subscription that decides service now: an ACTIVE or PENDING one, else the last."""
    subs = [s for row in rows if (s := _subscription(row)) is not None]
    for wanted in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING):
        for sub in subs:
            if sub.status is wanted:
                return sub
    return subs[-1] if subs else None


def _mb(allowance: Allowance | None) -> Quota | None:
    if allowance is None:
        return None
    if allowance.unlimited:
        return Quota(unit="MB", unlimited=True)
    per = MB_PER.get((allowance.unit or "").upper())
    if allowance.amount is None or per is None:
        return None
    return Quota(unit="MB", total=int(allowance.amount * per))


def _data(current: Subscription | None) -> Quota | None:
    quota = _mb(current.plan.data if current and current.plan else None)
    if quota is not None and current and current.status is SubscriptionStatus.DEPLETED:
        return Quota(unit=quota.unit, total=quota.total, remaining=0)
    return quota


def _package(row: dict[str, Any]) -> PackageRecord:
    sub = _subscription(row)
    plan = sub.plan if sub else None
    return PackageRecord(
        id=sub.id if sub else None,
        title=plan.name if plan else None,
        status=sub.provider_status if sub else None,
        data=_mb(plan.data if plan else None),
        validity_days=plan.validity_days if plan else None,
    )
