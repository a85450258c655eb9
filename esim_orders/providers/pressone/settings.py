"""PressOne's part of the settings: its three variables, all or none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..env import complete_or_none, http_url

__all__ = ["PressOneSettings"]

TOKEN_PATH = "/customer/v2/token"
VARIABLES = ("PRESSONE_BASE_URL", "PRESSONE_CLIENT_ID", "PRESSONE_CLIENT_SECRET")


@dataclass(frozen=True)
class PressOneSettings:
    base_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    @classmethod
    def from_env(cls, env: Mapping[str, str], required: bool) -> PressOneSettings | None:
        values = complete_or_none(env, VARIABLES, required=required, provider="PressOne")
        if values is None:
            return None
        base_url, client_id, secret = values
        return cls(http_url(base_url, VARIABLES[0]), client_id, secret)

    @classmethod
    def for_sandbox(cls, base_url: str, client_id: str, client_secret: str) -> PressOneSettings:
        return cls(base_url, client_id, client_secret)
