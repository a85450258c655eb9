"""The command line: `esim-orders sandbox | orders list | orders get | orders explain |
esims get | serve`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any, NoReturn

import anyio
from pydantic import BaseModel, ValidationError

from .errors import ConfigError, EsimOrdersError
from .esim_models import EsimAnswer
from .logs import configure_logging
from .models import Order, OrderStatus, OrderType, Provider
from .render.text import esim_answer_text, explanation_text, order_card
from .service.orders import OrderService
from .service.wiring import open_service
from .settings import Settings
from .tools import explain_failure, get_esim, get_order, list_orders
from .tools.errors import ToolInputError, argument_problems, describe
from .tools.render import page_text
from .tools.terms import Terms

#: The tools' arguments and names as this face says them: its flags and commands.
CLI = Terms(
    {
        "list_orders": "`esim-orders orders list`",
        "get_order": "`esim-orders orders get`",
        "explain_failure": "`esim-orders orders explain`",
        "get_esim": "`esim-orders esims get`",
        "created_after": "--after",
        "created_before": "--before",
        "ref": "REF",
        **{
            flag: f"--{flag}"
            for flag in (
                *("provider", "status", "type", "iccid", "code", "text", "destination"),
                *("limit", "cursor"),
            )
        },
    },
    next_page="run the same command with --cursor {cursor}",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args) or 0)
    except ConfigError as exc:
        print(f"esim-orders: configuration error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"esim-orders: {'; '.join(argument_problems(exc, CLI))}", file=sys.stderr)
        return 2
    except ToolInputError as exc:
        print(f"esim-orders: {describe(exc, CLI)}", file=sys.stderr)
        return 2
    except EsimOrdersError as exc:
        print(f"esim-orders: {describe(exc, CLI)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped reading (`| head -1`): what it read is what it wanted. Point
        # stdout at nothing so that the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


class _Parser(argparse.ArgumentParser):
    """argparse, with a user's mistake said in one line (not its usage block), naming the
    flag and what it takes, and pointing at `--help`."""

    def error(self, message: str) -> NoReturn:
        said = message.removeprefix("argument ")
        # Our argument types name the values a flag takes; argparse's own errors do not.
        hint = (
            "" if "; use one of" in said or " is not a " in said else f" (see {self.prog} --help)"
        )
        self.exit(2, f"{self.prog}: {said}{hint}\n")


def _one_of(values: Sequence[str], what: str) -> Callable[[str], str]:
    """An argparse type taking one of `values` in any case (`failed`, `PressOne`)."""
    by_folded = {v.casefold(): v for v in values}

    def read(said: str) -> str:
        value = by_folded.get(said.strip().casefold())
        if value is None:
            raise argparse.ArgumentTypeError(
                f"{said!r} is not {what}; use one of {', '.join(values)}"
            )
        return value

    return read


def _whole_number(said: str) -> int:
    try:
        return int(said)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{said!r} is not a whole number") from None


def _day(said: str) -> date:
    try:
        return date.fromisoformat(said.strip())
    except ValueError as exc:
        problem = "" if "isoformat" in str(exc) else f" ({exc})"
        raise argparse.ArgumentTypeError(
            f"{said!r} is not a day written YYYY-MM-DD{problem}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="esim-orders",
        description="Look into eSIM orders at PressOne and Zim Connections.",
    )
    commands = parser.add_subparsers(title="commands")

    sandbox = commands.add_parser("sandbox", help="serve the demo providers over HTTP")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--seed", type=int, default=7)
    sandbox.add_argument("--orders", type=int, default=500, help="orders per provider")
    sandbox.add_argument("--latency-ms", type=float, default=0.0)
    sandbox.add_argument("--fault-rate", type=float, default=0.0, help="0 to 1")
    sandbox.add_argument(
        "--faults",
        help="comma list of fault kinds to draw from: 429, 429-no-retry-after, 500, 502, 503, "
        "drop, malformed, html, stall (default: all)",
    )
    sandbox.add_argument("--fault-providers", help="comma list: pressone, zim (default: both)")
    sandbox.add_argument("--retry-after-s", type=float, default=1.0, help="Retry-After of a 429")
    sandbox.add_argument("--stall-s", type=float, default=30.0, help="how long a stall lasts")
    sandbox.add_argument(
        "--pressone-list-order",
        choices=("newest-first", "oldest-first"),
        default="newest-first",
        help="the order PressOne's order list comes in (undocumented upstream)",
    )
    sandbox.set_defaults(run=_run_sandbox)

    orders = commands.add_parser("orders", help="list, show and explain orders")
    order_commands = orders.add_subparsers(title="order commands")
    listing = order_commands.add_parser("list", help="list orders, newest first")
    providers = [p.value for p in Provider]
    statuses = [s.value for s in OrderStatus]
    types = [t.value for t in OrderType]
    listing.add_argument(
        "--provider", type=_one_of(providers, "a provider"), help=" or ".join(providers)
    )
    listing.add_argument(
        "--status",
        action="append",
        type=_one_of(statuses, "a status"),
        help=f"one of {', '.join(statuses)} (any case); repeat for several",
    )
    listing.add_argument("--type", type=_one_of(types, "an order type"), help=", ".join(types))
    listing.add_argument("--after", type=_day, help="YYYY-MM-DD, inclusive")
    listing.add_argument("--before", type=_day, help="YYYY-MM-DD, exclusive")
    listing.add_argument("--iccid")
    listing.add_argument("--code")
    listing.add_argument(
        "--text", help="words in the description, the plan's name or its destination"
    )
    listing.add_argument(
        "--destination", help="a country (name or ISO code, e.g. ZA) or region the plan is for"
    )
    listing.add_argument("--limit", type=_whole_number, default=20, help="1 to 100")
    listing.add_argument("--cursor")
    listing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing.set_defaults(run=_run_list)

    show = order_commands.add_parser("get", help="show one order")
    show.add_argument("ref", help="e.g. pressone:9666 or zim:ordr_…")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=_run_get)

    explain = order_commands.add_parser(
        "explain", help="why an order failed or is stuck, and what to do next"
    )
    explain.add_argument("ref", nargs="?", help="an order ref; or give --provider and --code")
    explain.add_argument(
        "--provider", type=_one_of(providers, "a provider"), help=" or ".join(providers)
    )
    explain.add_argument("--code", help="a raw error code or failure reason, e.g. 4008")
    explain.add_argument("--json", action="store_true")
    explain.set_defaults(run=_run_explain)

    esims = commands.add_parser("esims", help="show the live state of eSIMs")
    esim_commands = esims.add_subparsers(title="eSIM commands")
    esim = esim_commands.add_parser(
        "get", help="an order's eSIMs, or one eSIM: state, data left, validity, top-ups"
    )
    esim.add_argument("target", help="an order ref (pressone:9666, zim:ordr_…) or an ICCID")
    esim.add_argument("--json", action="store_true")
    esim.set_defaults(run=_run_esims)

    serve = commands.add_parser("serve", help="run the MCP server (stdio, or HTTP with --http)")
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp")
    serve.add_argument("--host", default="127.0.0.1", help="with --http; default 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="with --http; 0 picks a free one")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="with --http: this many processes on the port (stateless); default 1",
    )
    serve.add_argument(
        "--stateless",
        action="store_true",
        help="with --http: no sessions, every request stands alone (behind a load balancer)",
    )
    serve.set_defaults(run=_run_serve)
    return parser


def _with_service(call: Callable[[OrderService], Awaitable[Any]]) -> Any:
    settings = Settings.from_env()
    # Provider errors are in the answer printed: logged as well, they would read twice.
    configure_logging(settings.log_level, answers_shown=True)

    async def run() -> Any:
        async with open_service(settings) as service:
            return await call(service)

    return anyio.run(run)


def _run_list(args: argparse.Namespace) -> int:
    page = _with_service(
        lambda service: list_orders(
            service,
            provider=args.provider,
            status=args.status,
            type=args.type,
            created_after=args.after,
            created_before=args.before,
            iccid=args.iccid,
            code=args.code,
            text=args.text,
            destination=args.destination,
            limit=args.limit,
            cursor=args.cursor,
        )
    )
    _print(page, args.json, lambda view: page_text(view, CLI))
    return 0


def _run_get(args: argparse.Namespace) -> int:
    async def read(service: OrderService) -> tuple[Order, EsimAnswer | None]:
        order = await get_order(service, ref=args.ref)
        if args.json or order.status is not OrderStatus.COMPLETED:
            return order, None
        return order, await get_esim(service, ref=order.ref)

    order, esims = _with_service(read)
    if esims is None:
        _print(order, args.json, order_card)
    else:  # the card shows each eSIM's state and data left under the order
        print(order_card(order, esims.esims))
    return 0


def _run_esims(args: argparse.Namespace) -> int:
    target = args.target.strip()
    by_iccid = target.isdigit() and len(target) >= 10  # ICCIDs are 18-20 digits
    answer = _with_service(
        lambda service: (
            get_esim(service, iccid=target) if by_iccid else get_esim(service, ref=target)
        )
    )
    _print(answer, args.json, esim_answer_text)
    return 0


def _run_explain(args: argparse.Namespace) -> int:
    explanation = _with_service(
        lambda service: explain_failure(
            service, ref=args.ref, provider=args.provider, code=args.code, terms=CLI
        )
    )
    _print(explanation, args.json, explanation_text)
    return 0


def _print(view: BaseModel, as_json: bool, render: Callable[[Any], str]) -> None:
    if as_json:
        print(json.dumps(view.model_dump(mode="json", exclude_none=True), indent=2))
    else:
        print(render(view))
    sys.stdout.flush()  # a closed pipe is met here, where `main` handles it


def _run_sandbox(args: argparse.Namespace) -> int:
    from .sandbox import SandboxConfig, serve
    from .sandbox.config import check_config
    from .sandbox.providers import provider_keys

    if not 0.0 <= args.fault_rate <= 1.0:
        raise ConfigError("--fault-rate must be between 0 and 1")
    if args.orders < 1:
        raise ConfigError("--orders must be at least 1")
    knobs: dict[str, Any] = {}
    if args.faults:
        knobs["faults"] = _comma_list(args.faults)
    if args.fault_providers:
        knobs["fault_providers"] = _comma_list(args.fault_providers)
    try:
        config = SandboxConfig(
            seed=args.seed,
            orders=args.orders,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            retry_after_s=args.retry_after_s,
            stall_s=args.stall_s,
            pressone_list_order=args.pressone_list_order,
            **knobs,
        )
        # Provider names are checked against the registry before serving, as the app would.
        check_config(config, provider_keys())
    except ValueError as exc:  # SandboxConfig names the knob it cannot honour
        raise ConfigError(str(exc)) from None
    try:
        serve(host=args.host, port=args.port, config=config)
    except OSError as exc:  # a busy port or an address not of this machine: one line
        raise ConfigError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    return 0


def _comma_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _run_serve(args: argparse.Namespace) -> int:
    # Imported here: the MCP SDK and uvicorn load only for this command.
    from .server import HttpOptions, run_server

    if not args.http and (args.workers != 1 or args.stateless):
        raise ConfigError("--workers and --stateless apply to --http only")
    http = (
        HttpOptions.from_env(args.host, args.port, workers=args.workers, stateless=args.stateless)
        if args.http
        else None
    )
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return run_server(settings, http)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
