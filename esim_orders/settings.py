"""The one settings object, read once from the environment at the edge."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ConfigError
from .models import Provider
from .providers import ProviderSettings, specs

SANDBOX = "sandbox"
REDIS_URL_VARIABLE = "ESIM_ORDERS_REDIS_URL"
CACHE_KEY_VARIABLE = "ESIM_ORDERS_CACHE_KEY"
# How long a stopping server lets tool calls in flight finish before cancelling them: under
# Kubernetes' 30 s between SIGTERM and SIGKILL, with time left to answer and close.
SHUTDOWN_GRACE_SECONDS = 25.0


@dataclass(frozen=True)
class Settings:
    """What the process talks to: each configured provider's own settings, by provider, or
    `sandbox` True when the embedded sandbox serves every registered provider."""

    accounts: Mapping[Provider, ProviderSettings] = field(default_factory=dict)
    sandbox: bool = False
    sandbox_reason: str = ""
    personal_data: bool = False
    log_level: str = "WARNING"
    # When explain_failure calls an order stuck rather than still in progress.
    stuck_processing_minutes: float = 30.0
    stuck_pending_hours: float = 24.0
    stuck_downloaded_hours: float = 24.0
    # When explain_failure calls an issued eSIM never installed or never used.
    esim_unused_hours: float = 72.0
    # How long one provider request may take, retries and their waits included.
    provider_deadline_seconds: float = 30.0
    shutdown_grace_seconds: float = SHUTDOWN_GRACE_SECONDS
    #: Redis shared by every process of a deployment (provider tokens, finished orders).
    redis_url: str | None = field(default=None, repr=False)
    #: Fernet key sealing what goes into Redis; without it no provider token is stored there.
    cache_key: str | None = field(default=None, repr=False)

    @property
    def providers(self) -> tuple[Provider, ...]:
        if self.sandbox:
            return tuple(spec.provider for spec in specs())
        return tuple(self.accounts)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        common = {
            "personal_data": _flag(env, "ESIM_ORDERS_PERSONAL_DATA"),
            "log_level": _log_level(env),
            "stuck_processing_minutes": _positive(env, "ESIM_ORDERS_STUCK_PROCESSING_MINUTES", 30),
            "stuck_pending_hours": _positive(env, "ESIM_ORDERS_STUCK_PENDING_HOURS", 24),
            "stuck_downloaded_hours": _positive(env, "ESIM_ORDERS_STUCK_DOWNLOADED_HOURS", 24),
            "esim_unused_hours": _positive(env, "ESIM_ORDERS_ESIM_UNUSED_HOURS", 72),
            "provider_deadline_seconds": _positive(
                env, "ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS", 30
            ),
            "shutdown_grace_seconds": _positive(
                env, "ESIM_ORDERS_SHUTDOWN_GRACE_SECONDS", SHUTDOWN_GRACE_SECONDS
            ),
            **_shared_state(env),
        }
        listed = _listed_providers(env)
        if listed is not None and SANDBOX in listed:
            if len(listed) > 1:
                raise ConfigError(
                    "ESIM_ORDERS_PROVIDERS: 'sandbox' serves every provider's demo data and "
                    "cannot be combined with real providers"
                )
            return cls(sandbox=True, sandbox_reason="ESIM_ORDERS_PROVIDERS=sandbox", **common)
        accounts = {}
        for spec in specs():
            # Every provider's variables are checked, listed or not: half a config is a typo.
            parsed = spec.from_env(env, listed is not None and spec.key in listed)
            if parsed is not None and (listed is None or spec.key in listed):
                accounts[spec.provider] = parsed
        if not accounts:
            return cls(sandbox=True, sandbox_reason="no provider is configured", **common)
        return cls(accounts=accounts, **common)


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def _shared_state(env: Mapping[str, str]) -> dict[str, str | None]:
    """`ESIM_ORDERS_REDIS_URL` and `ESIM_ORDERS_CACHE_KEY`, checked here so that a typo stops
    the start with one line rather than every process falling back to memory."""
    url = env.get(REDIS_URL_VARIABLE, "").strip() or None
    key = env.get(CACHE_KEY_VARIABLE, "").strip() or None
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"{REDIS_URL_VARIABLE} must be a redis://, rediss:// or unix:// URL, not "
            f"{url.partition('://')[0] or 'that'}"
        )
    if key is not None:
        if url is None:
            raise ConfigError(f"{CACHE_KEY_VARIABLE} is set but {REDIS_URL_VARIABLE} is not")
        if not _is_fernet_key(key):
            raise ConfigError(
                f"{CACHE_KEY_VARIABLE} must be a Fernet key (32 bytes, URL-safe base64: "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
    return {"redis_url": url, "cache_key": key}


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32 and len(key) == 44
    except (ValueError, binascii.Error):
        return False


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
    keys = [spec.key for spec in specs()]
    unknown = names - {*keys, SANDBOX}
    if unknown:
        raise ConfigError(
            f"ESIM_ORDERS_PROVIDERS: unknown provider {sorted(unknown)[0]!r} "
            f"(use {', '.join(keys)} or {SANDBOX})"
        )
    return names
