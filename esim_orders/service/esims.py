"""eSIM reads across providers: an order's eSIMs, or one eSIM by ICCID from whichever
configured provider knows it (each provider's client caches per eSIM; see `client.esims`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import anyio

from ..client.base import ProviderClient
from ..errors import EsimNotFound, ProviderError
from ..esim_models import EsimState
from ..models import Order, Provider

__all__ = ["esim_by_iccid", "order_esims", "stamped"]


def stamped(state: EsimState, now: datetime) -> EsimState:
    """The state as checked at `now` (the service's clock, as its explanations are): what
    could not be read says when to ask again on that clock."""
    unread = [
        u
        if u.retry_after_seconds is None
        else u.model_copy(update={"retry_at": _after(now, u.retry_after_seconds)})
        for u in state.unread
    ]
    return state.model_copy(update={"checked_at": now, "unread": unread})


def _after(now: datetime, seconds: float) -> datetime:
    return (now + timedelta(seconds=seconds)).replace(microsecond=0)


async def order_esims(clients: Mapping[Provider, ProviderClient], order: Order) -> list[EsimState]:
    """The state of each eSIM of `order`, read from its provider ([] when it reads none)."""
    return await clients[order.provider].order_esims(order)


async def esim_by_iccid(clients: Mapping[Provider, ProviderClient], iccid: str) -> EsimState:
    """The eSIM with this ICCID, asking every provider that reads eSIMs at once.

    A provider failing spares the others: its error is raised only when no other provider
    knows the ICCID, so the caller hears why the answer may be missing.
    """
    readers = [client for client in clients.values() if client.reads_esims]
    found: list[EsimState] = []
    errors: list[ProviderError] = []

    async def ask(client: ProviderClient) -> None:
        try:
            state = await client.esim_by_iccid(iccid)
        except ProviderError as exc:
            errors.append(exc)
            return
        if state is not None:
            found.append(state)

    async with anyio.create_task_group() as group:
        for client in readers:
            group.start_soon(ask, client)
    if found:
        return sorted(found, key=lambda state: state.provider.value)[0]
    if errors:
        raise errors[0]
    raise EsimNotFound(iccid)
