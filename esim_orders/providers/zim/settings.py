"""Zim Connections' part of the settings: credentials, with production URLs by default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...errors import ConfigError
from ..env import complete_or_none, http_url

__all__ = ["ZIM_PRODUCTION_BASE_URL", "ZIM_PRODUCTION_TOKEN_URL", "ZimSettings"]

ZIM_PRODUCTION_BASE_URL = "https://zim.api.zimconnections.com"
ZIM_PRODUCTION_TOKEN_URL = "https://auth.zimconnections.com/oauth2/token"
CREDENTIALS = ("ZIM_CLIENT_ID", "ZIM_CLIENT_SECRET")


@dataclass(frozen=True)
class ZimSettings:
    base_url: str
    token_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    app_identifier: str = field(default="b2b", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str], required: bool) -> ZimSettings | None:
        values = complete_or_none(env, CREDENTIALS, required=required, provider="Zim")
        if values is None:
            for optional in ("ZIM_BASE_URL", "ZIM_TOKEN_URL"):
                if env.get(optional, "").strip():
                    raise ConfigError(f"{optional} is set but ZIM_CLIENT_ID is not")
            return None
        client_id, secret = values
        base_url = env.get("ZIM_BASE_URL", "") or ZIM_PRODUCTION_BASE_URL
        token_url = env.get("ZIM_TOKEN_URL", "") or ZIM_PRODUCTION_TOKEN_URL
        return cls(
            base_url=http_url(base_url, "ZIM_BASE_URL"),
            token_url=http_url(token_url, "ZIM_TOKEN_URL"),
            client_id=client_id,
            client_secret=secret,
            app_identifier=env.get("ZIM_APP_IDENTIFIER", "").strip() or "b2b",
        )

    @classmethod
    def for_sandbox(cls, base_url: str, client_id: str, client_secret: str) -> ZimSettings:
        return cls(base_url, base_url + "/oauth2/token", client_id, client_secret)
