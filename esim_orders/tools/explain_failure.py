"""The explain_failure tool: checks its arguments, reads the order, asks the diagnosis engine.

The knowledge is data (`esim_orders/failures/catalogue.toml`) and the rules are the pure
engine in `esim_orders/failures/`; the thresholds and the clock come with the service
(`service.thresholds`, `service.now`), set where the service is built from settings.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, SkipValidation, validate_call

from ..errors import AuthenticationError, PermissionDenied, ProviderError
from ..failures.advice import CODE_CAP
from ..failures.codes import explain_code
from ..failures.engine import explain_order
from ..failures.esims import explain_esims
from ..failures.explanation import Explanation
from ..failures.note import safe_text
from ..models import OrderStatus, Provider
from ..service.orders import OrderService
from .arguments import Stripped
from .errors import ToolInputError
from .terms import MCP, Terms

__all__ = ["explain_failure", "worded"]


@validate_call(config=ConfigDict(arbitrary_types_allowed=True))
async def explain_failure(
    service: OrderService,
    ref: Annotated[
        Stripped | None,
        Field(
            description=(
                "Order ref to explain, e.g. zim:ordr_FaiL1234567890abcdEFG or pressone:9666. "
                "Give either ref, or provider with code."
            ),
            min_length=1,
            max_length=120,
            pattern=r"^[A-Za-z0-9:_\-]+$",
        ),
    ] = None,
    provider: Annotated[
        Provider | None,
        Field(description="With code: the provider whose code or failure reason it is."),
    ] = None,
    code: Annotated[
        str | None,
        Field(
            description=(
                "With provider: a raw error code, HTTP status or failure reason as the provider "
                "sent it, e.g. 4008, 34, 429, 503, PLAN_NOT_FOUND."
            ),
            min_length=1,
            max_length=500,
        ),
    ] = None,
    *,
    # How the face calling names the tools the advice mentions; no MCP argument (the MCP
    # face leaves it out, and the tools' own names are its words).
    terms: SkipValidation[Terms] = MCP,
) -> Explanation:
    """Why an order failed or is stuck (or what a provider code means), who must act, the
    next steps, and a note to send to provider support. For a completed order, each eSIM's
    state (installed, used, data left, validity, recycled, APN) says why a customer has no
    service, or that all is well. Read-only."""
    return worded(await _explanation(service, ref, provider, code), terms)


async def _explanation(
    service: OrderService, ref: str | None, provider: Provider | None, code: str | None
) -> Explanation:
    """What the engine and the catalogue say; the tools their advice names still `{tool}`."""
    if ref is not None and (provider is not None or code is not None):
        raise ToolInputError("ref", "give either {ref}, or {provider} with {code}, not both")
    if ref is None:
        if provider is None and code is None:
            raise ToolInputError("ref", "give an order {ref}, or {provider} with {code}")
        if code is None:
            raise ToolInputError("code", "is required with {provider} (an error code or reason)")
        if provider is None:
            keys = " or ".join(p.value for p in Provider)
            raise ToolInputError("provider", f"is required with {{code}} ({keys})")
        if not safe_text(code, CODE_CAP):
            raise ToolInputError("code", "is empty once control characters are removed")
        return explain_code(provider, code, service.now())
    order = await service.get_order(ref)
    if order.status is OrderStatus.COMPLETED:
        try:
            esims = await service.order_esims(order)
        except (AuthenticationError, PermissionDenied):
            raise
        except ProviderError:
            esims = []  # the order's own state still explains what it can
        return explain_esims(order, esims, service.now(), service.thresholds)
    return explain_order(order, service.now(), service.thresholds)


def worded(explanation: Explanation, terms: Terms) -> Explanation:
    """`explanation` with the tools its advice names (`{explain_failure}`, `{list_orders}`,
    …) in `terms`' words. Only the catalogue's texts are reworded, never what quotes a
    provider."""
    tools = terms.tools
    impact = explanation.impact
    note = tools(impact.note) if impact.note else None
    return explanation.model_copy(
        update={
            "diagnosis": tools(explanation.diagnosis),
            "likely_cause": tools(explanation.likely_cause) if explanation.likely_cause else None,
            "retry_note": tools(explanation.retry_note) if explanation.retry_note else None,
            "next_steps": [tools(step) for step in explanation.next_steps],
            "impact": impact.model_copy(update={"note": note}),
        }
    )
