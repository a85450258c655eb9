"""Zim Connections: its settings, client and rules."""

from __future__ import annotations

from ...client.transport import Gateway
from ...models import Provider
from ..spec import ProviderSpec
from .client import ORDER_ID_PREFIX, ZimClient
from .settings import ZimSettings

__all__ = ["SPEC", "ZimClient", "ZimSettings"]


def open_client(settings: ZimSettings, gateway: Gateway, personal_data: bool) -> ZimClient:
    return ZimClient(
        gateway,
        base_url=settings.base_url,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        app_identifier=settings.app_identifier,
        personal_data=personal_data,
    )


def owns_bare_id(provider_id: str) -> bool:
    return provider_id.startswith(ORDER_ID_PREFIX)


SPEC = ProviderSpec(
    provider=Provider.ZIM,
    from_env=ZimSettings.from_env,
    for_sandbox=ZimSettings.for_sandbox,
    open_client=open_client,
    ref_example="zim:ordr_…",
    owns_bare_id=owns_bare_id,
    access_variables=("ZIM_APP_IDENTIFIER",),
    address_variables=("ZIM_BASE_URL", "ZIM_TOKEN_URL"),
)
