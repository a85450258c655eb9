"""The MCP face of each tool: a thin wrapper whose signature is the tool's own, minus `service`."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, TypeAdapter

from ..esim_models import EsimAnswer
from ..failures.explanation import Explanation
from ..models import Order
from ..render.text import esim_answer_text, explanation_text, order_card
from ..service.orders import OrderService
from ..tools import explain_failure, get_esim, get_order, list_orders
from ..tools.personal import without_personal_data
from ..tools.render import page_text
from ..tools.views import OrderPage
from .callers import caller_of, log_call

# Every tool only reads, from providers outside this process, and may be repeated freely.
ANNOTATIONS = ToolAnnotations(
    read_only_hint=True,
    destructive_hint=False,
    idempotent_hint=True,
    open_world_hint=True,
)

# The wrapper's own parameter for the request context; the SDK leaves it out of the schema.
CONTEXT_PARAMETER = "ctx"
# A tool's parameters that its face supplies, never its caller: the process's service, and
# the words for the tools its advice names (the tools' own names over MCP).
FACE_PARAMETERS = frozenset({"service", "terms"})


@dataclass(frozen=True)
class ToolFace:
    """How one tool shows up over MCP: its title, what to tell a model, its result's text."""

    fn: Callable[..., Awaitable[Any]]
    title: str
    output: type[BaseModel]
    render: Callable[[Any], str]
    usage: str

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def description(self) -> str:
        """The tool's own docstring, then the sentence a model needs to use it well, as one
        paragraph: the docstring's line breaks are the source's wrapping, not the text's."""
        return " ".join(f"{inspect.getdoc(self.fn) or ''} {self.usage}".split())


FACES = (
    ToolFace(
        list_orders,
        title="List eSIM orders",
        output=OrderPage,
        render=page_text,
        usage=(
            "Use it to find PressOne and Zim orders by status, provider, type, creation day, "
            "ICCID, order code, destination country, or words in the description or plan; "
            "each order's ref goes to get_order."
        ),
    ),
    ToolFace(
        get_order,
        title="Show one eSIM order",
        output=Order,
        render=order_card,
        usage="Pass a ref from list_orders, e.g. pressone:9666 or zim:ordr_GMAVA4ISiqfWSG0ArGOzB.",
    ),
    ToolFace(
        explain_failure,
        title="Explain why an eSIM order failed or is stuck",
        output=Explanation,
        render=explanation_text,
        usage=(
            "Give a ref for a FAILED, stuck or odd order, or provider with code for a raw "
            "error code (e.g. pressone 4008, zim PLAN_NOT_FOUND); quote its escalation note "
            "to provider support as it is. For a completed order it reads the eSIMs and says "
            "why the customer has no service, or that all is well."
        ),
    ),
    ToolFace(
        get_esim,
        title="Show the live state of eSIMs",
        output=EsimAnswer,
        render=esim_answer_text,
        usage=(
            "Give an order ref (its eSIMs) or an ICCID (one eSIM); usage is read at most every "
            "5 minutes per eSIM, and a rate-limited read says when to ask again."
        ),
    ),
)


def mcp_tools(faces: tuple[ToolFace, ...] = FACES) -> list[Tool]:
    return [mcp_tool(face) for face in faces]


def mcp_tool(face: ToolFace) -> Tool:
    """Register `face` with the SDK, publishing what clients really receive as outputSchema."""
    tool = Tool.from_function(
        wrapper(face),
        name=face.name,
        title=face.title,
        description=face.description,
        annotations=ANNOTATIONS,
        # Not the SDK's derivation: it makes the validation-mode schema, which lacks computed
        # fields (`ref`, `price.formatted`) and lists excluded ones (`raw`), and validates
        # every answer against it again. Clients get the serialized form, published below
        # without a model: each answer is the dump of its view model, nothing to re-check.
        structured_output=False,
    )
    tool.fn_metadata.output_schema = output_schema(face.output)
    # The SDK's argument model ignores arguments the tool does not take: a misspelt filter
    # would widen the answer unnoticed. Refused, they are named (`server.errors`).
    tool.fn_metadata.arg_model = strict(tool.fn_metadata.arg_model)
    tool.parameters = tool.fn_metadata.arg_model.model_json_schema(by_alias=True)
    return tool


def strict(model: type[ArgModelBase]) -> type[ArgModelBase]:
    """`model` refusing arguments it has no field for; its schema says so
    (`additionalProperties: false`)."""
    config = ConfigDict(extra="forbid", title=model.model_config.get("title") or model.__name__)
    namespace = {"model_config": config, "__module__": model.__module__}
    return type(model)(model.__name__, (model,), namespace)


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    return TypeAdapter(model).json_schema(mode="serialization")


def wrapper(face: ToolFace) -> Callable[..., Awaitable[CallToolResult]]:
    """An async function the SDK can introspect: the tool's parameters, names and constraints
    taken from its signature, with the process's service supplied from the lifespan."""
    tool = face.fn

    async def call(**arguments: Any) -> CallToolResult:
        context: Context[OrderService, Any] = arguments.pop(CONTEXT_PARAMETER)
        service = context.request_context.lifespan_context
        caller = caller_of(context)
        view = None
        try:
            view = await tool(service, **arguments)
        finally:
            log_call(face.name, caller, arguments, view)
        if not caller.personal and service.reads_personal_data:
            view = without_personal_data(view)
        return result(view, face.render)

    signature = inspect.signature(tool, eval_str=True)
    parameters = [p for name, p in signature.parameters.items() if name not in FACE_PARAMETERS]
    parameters.append(
        inspect.Parameter(CONTEXT_PARAMETER, inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    )
    returns = Annotated[CallToolResult, face.output]
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=returns
    )
    # The SDK finds the context parameter and resolvers through type hints, not the signature.
    call.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": returns}
    call.__name__ = call.__qualname__ = face.name
    call.__doc__ = face.description
    call.__module__ = tool.__module__
    return call


def result(view: BaseModel, render: Callable[[Any], str]) -> CallToolResult:
    """The compact text a model reads, and the same view as structured content, without nulls."""
    return CallToolResult(
        content=[TextContent(type="text", text=render(view))],
        structured_content=view.model_dump(mode="json", exclude_none=True),
    )
