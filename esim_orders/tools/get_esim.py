"""The get_esim tool: an order's eSIMs (by ref) or one eSIM (by ICCID), as support sees them:
state, data left of total, validity, package history, APN and roaming needs."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, validate_call

from ..esim_models import EsimAnswer
from ..models import OrderType
from ..service.orders import OrderService
from .errors import ToolInputError

__all__ = ["get_esim"]


@validate_call(config=ConfigDict(arbitrary_types_allowed=True))
async def get_esim(
    service: OrderService,
    ref: Annotated[
        str | None,
        Field(
            description=(
                "Order ref whose eSIMs to read, e.g. pressone:9666 or "
                "zim:ordr_GMAVA4ISiqfWSG0ArGOzB. Give either ref or iccid."
            ),
            min_length=1,
            max_length=120,
            pattern=r"^[A-Za-z0-9:_\-]+$",
        ),
    ] = None,
    iccid: Annotated[
        str | None,
        Field(
            description="An eSIM's ICCID, digits only, e.g. 8944500000000000012.",
            pattern=r"^[0-9]{10,22}$",
        ),
    ] = None,
) -> EsimAnswer:
    """The live state of eSIMs: installed or not, data left of total, valid until, last
    top-up, manual APN and roaming needs, and where each fact came from. Read-only."""
    if (ref is None) == (iccid is None):
        raise ToolInputError("ref", "give either an order ref or an iccid")
    if iccid is not None:
        return EsimAnswer(iccid=iccid, esims=[await service.esim_by_iccid(iccid)])
    order = await service.get_order(ref or "")
    esims = await service.order_esims(order)
    note = None
    if not esims:
        note = (
            f"Order {order.ref} has no eSIM to read: a top-up adds to an existing eSIM "
            "(find it by ICCID)."
            if order.type is OrderType.TOP_UP
            else f"Order {order.ref} ({order.status.value}) has no issued eSIM to read."
        )
    return EsimAnswer(ref=order.ref, esims=esims, note=note)
