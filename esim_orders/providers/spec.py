"""What one provider declares about itself, in its own module, for the registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..client.base import ProviderClient
from ..client.transport import Gateway
from ..models import Provider

__all__ = ["ProviderSettings", "ProviderSpec"]


class ProviderSettings(Protocol):
    """A provider's parsed part of the settings; it keeps its own fields, the house needs
    only the token URL (the one URL the read-only guard lets a POST go to)."""

    @property
    def token_url(self) -> str: ...


@dataclass(frozen=True)
class ProviderSpec:
    """One provider, as every layer above the client sees it.

    `from_env(env, required)` parses the provider's own variables: None when none is set and
    it is not `required`, a `ConfigError` for half a configuration. `for_sandbox(base_url,
    client_id, client_secret)` points it at the sandbox's mount of its wire format.
    `open_client(settings, gateway, personal_data)` builds its client. `owns_bare_id` tells
    whether an id without `provider:` can only be this provider's (None: never).
    `access_variables` are the settings besides the account's role and IP allow list that
    decide whether the provider lets us in (said when it answers 403). `address_variables`
    are the settings that say where it is (said when its address leads nowhere).
    """

    provider: Provider
    from_env: Callable[[Mapping[str, str], bool], ProviderSettings | None]
    for_sandbox: Callable[[str, str, str], ProviderSettings]
    open_client: Callable[[Any, Gateway, bool], ProviderClient]
    ref_example: str
    owns_bare_id: Callable[[str], bool] | None = None
    access_variables: tuple[str, ...] = ()
    address_variables: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.provider.value
