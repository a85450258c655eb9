"""The one settings object, read once from the environment at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ConfigError
from .models import Provider

ZIM_PRODUCTION_BASE_URL = "https://zim.api.zimconnections.com"
ZIM_PRODUCTION_TOKEN_URL = "https://auth.zimconnections.com/oauth2/token"
SANDBOX = "sandbox"
# How long a stopping server lets tool calls in flight finish before cancelling them: under
# Kubernetes' 30 s between SIGTERM and SIGKILL, with time left to answer and close.
SHUTDOWN_GRACE_SECONDS = 25.0


@dataclass(frozen=True)
class PressOneSettings:
    base_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class ZimSettings:
    base_url: str
    token_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    app_identifier: str = field(default="b2b", repr=False)


@dataclass(frozen=True)
class Settings:
    """What the process talks to. `sandbox` True means the embedded sandbox serves both."""

    pressone: PressOneSettings | None = None
    zim: ZimSettings | None = None
    sandbox: bool = False
    sandbox_reason: str = ""
    personal_data: bool = False
    log_level: str = "WARNING"
    # When explain_failure calls an order stuck rather than still in progress.
    stuck_processing_minutes: float = 30.0
    stuck_pending_hours: float = 24.0
    stuck_downloaded_hours: float = 24.0
    # How long one provider request may take, retries and their waits included.
    provider_deadline_seconds: float = 30.0
    shutdown_grace_seconds: float = SHUTDOWN_GRACE_SECONDS

    @property
    def providers(self) -> tuple[Provider, ...]:
        if self.sandbox:
            return (Provider.PRESSONE, Provider.ZIM)
        on = []
        if self.pressone:
            on.append(Provider.PRESSONE)
        if self.zim:
            on.append(Provider.ZIM)
        return tuple(on)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        common = {
            "personal_data": _flag(env, "ESIM_ORDERS_PERSONAL_DATA"),
            "log_level": _log_level(env),
            "stuck_processing_minutes": _positive(env, "ESIM_ORDERS_STUCK_PROCESSING_MINUTES", 30),
            "stuck_pending_hours": _positive(env, "ESIM_ORDERS_STUCK_PENDING_HOURS", 24),
            "stuck_downloaded_hours": _positive(env, "ESIM_ORDERS_STUCK_DOWNLOADED_HOURS", 24),
            "provider_deadline_seconds": _positive(
                env, "ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS", 30
            ),
            "shutdown_grace_seconds": _positive(
                env, "ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS", SHUTDOWN_GRACE_SECONDS
            ),
        }
        listed = _listed_providers(env)
        if listed is not None and SANDBOX in listed:
            if len(listed) > 1:
                raise ConfigError(
                    "ESIM_ORDERS_PROVIDERS: 'sandbox' serves both providers' demo data and "
                    "cannot be combined with real providers"
                )
            return cls(sandbox=True, sandbox_reason="ESIM_ORDERS_PROVIDERS=sandbox", **common)
        pressone = _pressone(env, required=listed is not None and "pressone" in listed)
        zim = _zim(env, required=listed is not None and "zim" in listed)
        if listed is not None:
            pressone = pressone if "pressone" in listed else None
            zim = zim if "zim" in listed else None
        if pressone is None and zim is None:
            return cls(sandbox=True, sandbox_reason="no provider is configured", **common)
        return cls(pressone=pressone, zim=zim, **common)


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e6:
        raise ConfigError(f"{name} must be a positive number, not {raw!r}")
    return value


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("ESIM_ORDERS_LOG_LEVEL", "WARNING").strip().upper() or "WARNING"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(
            f"ESIM_ORDERS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}"
        )
    return level


def _listed_providers(env: Mapping[str, str]) -> set[str] | None:
    raw = env.get("ESIM_ORDERS_PROVIDERS", "").strip()
    if not raw:
        return None
    names = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = names - {"pressone", "zim", SANDBOX}
    if unknown:
        raise ConfigError(
            f"ESIM_ORDERS_PROVIDERS: unknown provider {sorted(unknown)[0]!r} "
            "(use pressone, zim or sandbox)"
        )
    return names


def _pressone(env: Mapping[str, str], *, required: bool) -> PressOneSettings | None:
    names = ("PRESSONE_BASE_URL", "PRESSONE_CLIENT_ID", "PRESSONE_CLIENT_SECRET")
    values = _complete_or_none(env, names, required=required, provider="PressOne")
    if values is None:
        return None
    base_url, client_id, secret = values
    return PressOneSettings(_url(base_url, names[0]), client_id, secret)


def _zim(env: Mapping[str, str], *, required: bool) -> ZimSettings | None:
    names = ("ZIM_CLIENT_ID", "ZIM_CLIENT_SECRET")
    values = _complete_or_none(env, names, required=required, provider="Zim")
    if values is None:
        for optional in ("ZIM_BASE_URL", "ZIM_TOKEN_URL"):
            if env.get(optional, "").strip():
                raise ConfigError(f"{optional} is set but ZIM_CLIENT_ID is not")
        return None
    client_id, secret = values
    return ZimSettings(
        base_url=_url(env.get("ZIM_BASE_URL", "") or ZIM_PRODUCTION_BASE_URL, "ZIM_BASE_URL"),
        token_url=_url(env.get("ZIM_TOKEN_URL", "") or ZIM_PRODUCTION_TOKEN_URL, "ZIM_TOKEN_URL"),
        client_id=client_id,
        client_secret=secret,
        app_identifier=env.get("ZIM_APP_IDENTIFIER", "").strip() or "b2b",
    )


def _complete_or_none(
    env: Mapping[str, str], names: tuple[str, ...], *, required: bool, provider: str
) -> tuple[str, ...] | None:
    """All of a provider's variables, or None when none is set; half a config is an error."""
    values = tuple(env.get(name, "").strip() for name in names)
    if not any(values) and not required:
        return None
    for name, value in zip(names, values, strict=True):
        if not value:
            raise ConfigError(f"{name} is not set ({provider} needs {', '.join(names)})")
    return values


def _url(value: str, name: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http(s) URL")
    return value
