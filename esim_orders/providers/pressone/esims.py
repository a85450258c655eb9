"""PressOne's eSIM reads: the record, usage and package history of one ICCID, read at once,
each cached per eSIM (see `client.esims`), into the normalized `EsimState`.

Shapes are the upstream's (Airalo Partner API v2): usage in MB with a status word, the
package history as a bare `data` list with ISO times, the record as in an order's `sims` plus
`recycled`. Activation secrets (`qrcode`, `matching_id`, `confirmation_code`,
`direct_apple_installation_url`) are never read out of the answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio

from ...client import coerce
from ...client.base import shape_error
from ...client.esims import RATE_LIMITED, EsimReader
from ...client.transport import RawResponse
from ...esim_models import EsimState, EsimStatus, PackageRecord, Quota, Unread
from ...models import Provider
from .wire import upstream_data

__all__ = ["SIM_PATH", "PressOneEsims", "esim_state"]

SIM_PATH = "/customer/v2/sims/{iccid}"
PATHS = {
    "record": SIM_PATH,
    "usage": SIM_PATH + "/usage",
    "packages": SIM_PATH + "/packages",
}
STATUS_BY_WIRE = {
    s.value: s
    for s in (
        EsimStatus.NOT_ACTIVE,
        EsimStatus.ACTIVE,
        EsimStatus.FINISHED,
        EsimStatus.EXPIRED,
        EsimStatus.RECYCLED,
    )
}
#: A record found; `NOT_THERE` when PressOne answered 404 (no such eSIM in this account).
NOT_THERE: dict[str, Any] = {}
_NEVER = datetime.min.replace(tzinfo=UTC)  # sorts packages not yet activated last


class PressOneEsims(EsimReader):
    """The eSIM reads of one PressOne client."""

    provider = Provider.PRESSONE.value

    async def state(self, iccid: str, order_ref: str | None = None) -> EsimState | None:
        """The eSIM's state from its three facts read concurrently; None when PressOne does
        not know the ICCID (its record answered 404)."""
        facts: dict[str, Any] = {}

        async def one(fact: str) -> None:
            facts[fact] = await self._fact(fact, iccid)

        async with anyio.create_task_group() as group:
            for fact in PATHS:
                group.start_soon(one, fact)
        if facts["record"] is NOT_THERE:
            return None
        return esim_state(iccid, facts, order_ref=order_ref)

    async def _fact(self, fact: str, iccid: str) -> Any:
        url = self.base_url + PATHS[fact].format(iccid=iccid)

        def parse(response: RawResponse) -> Any:
            if response.status == 404:
                return NOT_THERE  # no such eSIM in this account
            if not response.ok:
                raise self.gateway.error_for(response)
            data, _ = upstream_data(response.payload)
            expected = list if fact == "packages" else dict
            if not isinstance(data, expected):
                raise shape_error(Provider.PRESSONE, f"eSIM {fact} answer without its data")
            return data

        return await self.cache.read(
            fact,  # type: ignore[arg-type]
            iccid,
            lambda: self._get(url, give_back=RATE_LIMITED),
            parse,
        )


def esim_state(iccid: str, facts: dict[str, Any], *, order_ref: str | None) -> EsimState:
    """The normalized state from PressOne's record, usage and packages (each a parsed answer
    or `Unread`)."""
    unread = [value for value in facts.values() if isinstance(value, Unread)]
    record = facts["record"] if isinstance(facts["record"], dict) else {}
    usage = facts["usage"] if isinstance(facts["usage"], dict) else {}
    if record is NOT_THERE:
        record = {}
    packages = facts["packages"] if isinstance(facts["packages"], list) else []
    word = coerce.text(usage.get("status"), 40)
    status = coerce.enum_or_unknown(STATUS_BY_WIRE, word, EsimStatus.UNKNOWN)
    recycled = coerce.boolean(record.get("recycled"))
    if recycled:
        status = EsimStatus.RECYCLED
    recycled_now = status is EsimStatus.RECYCLED
    sources = {}
    if usage:
        sources |= dict.fromkeys(("status", "data", "expires_at"), "GET " + PATHS["usage"])
    if record:
        sources |= dict.fromkeys(("recycled", "apn", "roaming"), "GET " + PATHS["record"])
    if packages:
        sources["packages"] = "GET " + PATHS["packages"]
    history = sorted(
        (_package(p) for p in packages if isinstance(p, dict)),
        key=lambda p: (p.activated_at is None, p.activated_at or _NEVER),
    )
    apn_type = (coerce.text(record.get("apn_type"), 20) or "").lower()
    order_id = coerce.text(coerce.mapping(record.get("simable")).get("id"), 40)
    if order_ref is None and order_id and order_id.isdigit():
        order_ref = f"{Provider.PRESSONE.value}:{order_id}"
    return EsimState(
        provider=Provider.PRESSONE,
        iccid=coerce.digits(record.get("iccid")) or iccid,
        esim_id=coerce.text(record.get("id"), 40),
        order_ref=order_ref,
        status=status,
        provider_status=word or ("recycled" if recycled else None),
        recycled=recycled,
        recycled_at=coerce.timestamp(record.get("recycled_at")),
        # A recycled eSIM's numbers are all 0: no allowance to show.
        data=_quota(usage, "remaining", "total", "MB") if usage and not recycled_now else None,
        voice=_quota(usage, "remaining_voice", "total_voice", "minutes", optional=True),
        sms=_quota(usage, "remaining_text", "total_text", "messages", optional=True),
        activated_at=next((p.activated_at for p in history if p.activated_at), None),
        expires_at=coerce.timestamp(usage.get("expired_at")),
        packages=history,
        apn_manual=(apn_type == "manual") if apn_type else None,
        apn=coerce.text(record.get("apn_value"), 100),
        roaming_required=coerce.boolean(record.get("is_roaming")),
        sources=sources,
        unread=unread,
    )


def _quota(
    usage: dict[str, Any], remaining: str, total: str, unit: str, *, optional: bool = False
) -> Quota | None:
    unlimited = bool(coerce.boolean(usage.get("is_unlimited")))
    left, whole = coerce.integer(usage.get(remaining)), coerce.integer(usage.get(total))
    if optional and not whole and not left:
        return None  # a data-only plan reports zero voice and text: nothing to show
    if unlimited and unit == "MB":
        return Quota(unit=unit, unlimited=True)
    return Quota(unit=unit, total=whole, remaining=left)


def _package(row: dict[str, Any]) -> PackageRecord:
    package = coerce.mapping(row.get("package"))
    amount = coerce.integer(package.get("amount"))
    unlimited = bool(coerce.boolean(package.get("is_unlimited")))
    data = None
    if unlimited:
        data = Quota(unit="MB", unlimited=True)
    elif amount is not None:
        data = Quota(unit="MB", total=amount, remaining=coerce.integer(row.get("remaining")))
    return PackageRecord(
        id=coerce.text(package.get("id"), 120) or coerce.text(row.get("id"), 40),
        title=coerce.text(package.get("title"), 120),
        kind=coerce.text(package.get("type"), 20),
        status=coerce.text(row.get("status"), 40),
        data=data,
        validity_days=coerce.integer(package.get("day")),
        activated_at=coerce.timestamp(row.get("activated_at")),
        expires_at=coerce.timestamp(row.get("expired_at")),
        finished_at=coerce.timestamp(row.get("finished_at")),
    )
