"""PressOne (a white label of the Airalo Partner API v2): its settings, client and rules."""

from __future__ import annotations

from ...client.transport import Gateway
from ...models import Provider
from ..spec import ProviderSpec
from .client import PressOneClient
from .settings import PressOneSettings

__all__ = ["SPEC", "PressOneClient", "PressOneSettings"]


def open_client(
    settings: PressOneSettings, gateway: Gateway, personal_data: bool
) -> PressOneClient:
    return PressOneClient(
        gateway,
        base_url=settings.base_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        personal_data=personal_data,
    )


SPEC = ProviderSpec(
    provider=Provider.PRESSONE,
    from_env=PressOneSettings.from_env,
    for_sandbox=PressOneSettings.for_sandbox,
    open_client=open_client,
    ref_example="pressone:9666",
    owns_bare_id=str.isdigit,  # PressOne's order ids are integers
    address_variables=("PRESSONE_BASE_URL",),
)
