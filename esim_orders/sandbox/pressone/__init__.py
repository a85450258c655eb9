"""PressOne's wire format: the Airalo Partner API v2 shapes behind PressOne's own envelope.

`wire` says how its bodies and envelopes look, `query` parses and filters the order list
query, and `routes` serves them.
"""

from esim_orders.sandbox.pressone.query import INCLUDES, OrderQuery, parse_order_query
from esim_orders.sandbox.pressone.routes import (
    ORDER_PATH,
    ORDERS_PATH,
    PROVIDER,
    TOKEN_PATH,
    pressone_routes,
)
from esim_orders.sandbox.pressone.wire import render_order, render_sims, timestamp

__all__ = [
    "INCLUDES",
    "ORDERS_PATH",
    "ORDER_PATH",
    "PROVIDER",
    "TOKEN_PATH",
    "OrderQuery",
    "parse_order_query",
    "pressone_routes",
    "render_order",
    "render_sims",
    "timestamp",
]
