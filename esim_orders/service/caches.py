"""What the service keeps in memory, and for how long: finished orders by ref, and recent
listings by filter.

Both trade freshness for fewer provider calls, within a TTL:
- a finished order (COMPLETED, FAILED, CANCELLED, REFUNDED, REPLACED) rarely changes, but can
  (a completed order may still be refunded), so it is kept `FINISHED_ORDER_TTL` seconds, not
  forever; an order in any other status is always asked for afresh;
- a whole listing (`OrderService.list_orders`, the sync facade's) is kept `LISTING_TTL`
  seconds. An order created or changed meanwhile shows up when the entry expires, or at once
  with `fresh=True`. Pages of `list_orders` (the tool) do not use it: each provider keeps
  what a page read (PressOne's provider pages, Zim's compressed body) for the same 30 s.
"""

from __future__ import annotations

from ..models import OrderStatus

FINISHED_STATUSES = frozenset(
    {
        OrderStatus.COMPLETED,
        OrderStatus.FAILED,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
        OrderStatus.REPLACED,
    }
)
#: Seconds a finished order is answered from memory.
FINISHED_ORDER_TTL = 300.0
MAX_FINISHED_ORDERS = 5_000
#: Seconds a listing is answered from memory.
LISTING_TTL = 30.0
MAX_LISTINGS = 16
#: Orders held over all cached listings (each order is a few KB with its raw payload); a
#: listing larger than this is not kept, and paging through it fetches it again each time.
MAX_LISTED_ORDERS = 20_000
