"""Reading a provider's variables from the environment: complete or absent, URLs checked."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import ConfigError

__all__ = ["complete_or_none", "http_url"]


def complete_or_none(
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


def http_url(value: str, name: str) -> str:
    """`value` without its trailing slash; a `ConfigError` naming `name` unless http(s)."""
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http(s) URL")
    return value
