"""One caller's view of an answer without the customers' personal data.

Providers parse personal data only when the process may show it (`ESIM_ORDERS_PERSONAL_DATA`);
with OAuth, a caller then sees it only with the `orders:personal` scope. The face asks for
the view here for every other caller, so the choice is per call, not per process.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from ..esim_models import EsimAnswer
from ..models import Customer, Order
from ..redact import redact_payload

__all__ = ["without_personal_data"]

ViewT = TypeVar("ViewT", bound=BaseModel)


def without_personal_data(view: ViewT) -> ViewT:
    """`view` with every order's customer reduced to its opaque id and its raw payload's
    personal fields redacted, and every eSIM's number (MSISDN) left out, as if the process had
    never read them. Only orders and eSIM answers carry personal data (summaries and
    explanations are built without it)."""
    if isinstance(view, Order):
        return _impersonal(view)  # type: ignore[return-value]
    if isinstance(view, EsimAnswer):
        esims = [esim.model_copy(update={"msisdn": None}) for esim in view.esims]
        return view.model_copy(update={"esims": esims})  # type: ignore[return-value]
    return view


def _impersonal(order: Order) -> Order:
    customer = order.customer
    if customer is not None and (customer.name or customer.email or customer.phone):
        customer = Customer(id=customer.id) if customer.id else None
    raw = redact_payload(order.raw, personal=True) if order.raw is not None else None
    return order.model_copy(update={"customer": customer, "raw": raw})
