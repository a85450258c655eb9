"""What the processes of a deployment share through Redis: provider tokens (sealed, fetched by
one process under a lock) and finished orders. Off unless `ESIM_ORDERS_REDIS_URL` is set.

What goes into Redis is sealed with `ESIM_ORDERS_CACHE_KEY`. Without a key no provider token
is stored there (each process fetches its own), and orders are stored only when they carry
no personal data (the process does not read it: `ESIM_ORDERS_PERSONAL_DATA` off). Orders
with personal data are kept under keys of their own, which processes without it never read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from pydantic import ValidationError

from ..client.base import ProviderClient
from ..client.sealed import Sealer
from ..client.shared_cache import SharedTier
from ..client.shared_store import SharedStore, open_store
from ..client.shared_tokens import SharedTokens
from ..client.ttl_cache import TtlCache
from ..models import Order, Provider
from ..providers import ProviderSettings
from ..settings import Settings

__all__ = ["decode_order", "encode_order", "share_state"]

log = logging.getLogger(__name__)


def share_state(
    settings: Settings,
    clients: Mapping[Provider, ProviderClient],
    accounts: Mapping[Provider, ProviderSettings],
    finished_orders: TtlCache[tuple[Provider, str], Order],
    *,
    store: SharedStore | None = None,
) -> SharedStore | None:
    """Put Redis behind each client's token cache and the finished-orders cache; the store
    (to close with the service), or None when no Redis is configured."""
    if settings.redis_url is None and store is None:
        return None
    store = store or open_store(settings.redis_url or "")
    sealer = Sealer(settings.cache_key) if settings.cache_key else None
    # One name per provider account: deployments with other credentials that share this
    # Redis read neither each other's tokens nor each other's orders.
    names = {
        provider: SharedTokens.name_for(
            provider.value, account.token_url, str(getattr(account, "client_id", ""))
        )
        for provider, account in accounts.items()
    }
    if sealer is None:
        log.warning(
            "ESIM_ORDERS_REDIS_URL without ESIM_ORDERS_CACHE_KEY: provider tokens are not "
            "stored in Redis, so each process asks for its own"
        )
    else:
        for provider, client in clients.items():
            client.tokens.share(SharedTokens(store, sealer, names[provider]))
    if sealer is not None or not settings.personal_data:
        finished_orders.share(
            SharedTier(
                store,
                # Apart by what they carry: a process told not to read personal data never
                # takes an order with it from a process that reads it.
                "orders:personal" if settings.personal_data else "orders",
                key=lambda key: f"{names[key[0]]}:{key[1]}",
                encode=encode_order,
                decode=decode_order,
                sealer=sealer,
            )
        )
    return store


def encode_order(order: Order) -> bytes:
    """The order as JSON, its raw payload (already stripped of activation secrets) included."""
    return json.dumps(order.model_dump(mode="json") | {"raw": order.raw}).encode()


def decode_order(data: bytes) -> Order | None:
    """The order back, parsed and validated in one pass by pydantic (every read from Redis
    pays it); None for anything unreadable (another version's shape, say)."""
    try:
        return Order.model_validate_json(data)
    except (ValueError, ValidationError):
        return None
