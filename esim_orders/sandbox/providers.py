"""The sandbox's providers: one registry entry per wire format, which the app mounts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from esim_orders.sandbox import pressone, zim
from esim_orders.sandbox.state import Sandbox


@dataclass(frozen=True)
class SandboxProvider:
    """One provider's wire format, as the app mounts it.

    ``routes`` builds the provider's routes over the app's `Sandbox`, relative to ``mount``;
    each route should be wrapped with `esim_orders.sandbox.faults.guarded` under ``key``, so
    latency, faults and request counts reach it as they reach the others.
    """

    #: Names the provider in `SandboxConfig.fault_providers`, issued tokens and the stats.
    key: str
    #: Path prefix its routes answer under, such as "/pressone".
    mount: str
    routes: Callable[[Sandbox], Sequence[BaseRoute]]
    #: Its token endpoint, relative to ``mount``.
    token_path: str


#: The providers every sandbox serves, in mounting order.
PROVIDERS: tuple[SandboxProvider, ...] = (
    SandboxProvider(pressone.PROVIDER, "/pressone", pressone.pressone_routes, pressone.TOKEN_PATH),
    SandboxProvider(zim.PROVIDER, "/zim", zim.zim_routes, zim.TOKEN_PATH),
)


def provider_keys(providers: Iterable[SandboxProvider] = PROVIDERS) -> tuple[str, ...]:
    """The keys of ``providers``, in order."""
    return tuple(provider.key for provider in providers)


def check_providers(providers: Sequence[SandboxProvider]) -> None:
    """Reject a registry two of whose entries would answer for the same key or path."""
    for field in ("key", "mount"):
        values = [getattr(provider, field) for provider in providers]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValueError(f"sandbox providers share a {field}: {repeated}")
    for provider in providers:
        if not provider.mount.startswith("/") or provider.mount.endswith("/"):
            raise ValueError(
                f"sandbox provider {provider.key!r}: mount {provider.mount!r} must start"
                " with '/' and not end with one"
            )
