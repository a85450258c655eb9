"""The get_order tool: one order, in full, by its ref."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, validate_call

from ..models import Order
from ..service.orders import OrderService
from .arguments import Stripped


@validate_call(config=ConfigDict(arbitrary_types_allowed=True))
async def get_order(
    service: OrderService,
    ref: Annotated[
        Stripped,
        Field(
            description=(
                "Order ref from list_orders, e.g. pressone:9666 or zim:ordr_GMAVA4ISiqfWSG0ArGOzB. "
                "A bare Zim id (ordr_…) or PressOne id (digits) is accepted too."
            ),
            min_length=1,
            max_length=120,
            pattern=r"^[A-Za-z0-9:_\-]+$",
        ),
    ],
) -> Order:
    """The full normalized order: plan, price, eSIMs, subscription, failure, timestamps."""
    return await service.get_order(ref)
