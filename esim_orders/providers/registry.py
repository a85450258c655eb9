"""The provider registry: one entry per provider, which settings, the service, ref
resolution, tool texts and widgets iterate instead of naming providers."""

from __future__ import annotations

from . import pressone, zim
from .spec import ProviderSpec

__all__ = ["owner_of_bare_id", "ref_examples", "register", "spec_for", "specs", "unregister"]

_SPECS: dict[str, ProviderSpec] = {}


def register(spec: ProviderSpec) -> ProviderSpec:
    """Add a provider; its key must be a registered `Provider` (see `Provider.register`)."""
    if spec.key in _SPECS and _SPECS[spec.key] is not spec:
        raise ValueError(f"provider {spec.key!r} is already registered")
    _SPECS[spec.key] = spec
    return spec


def unregister(key: str) -> None:
    """Remove a provider added at run time (a test's third provider, when it is done)."""
    _SPECS.pop(key, None)


def specs() -> tuple[ProviderSpec, ...]:
    """Every registered provider, in registration order."""
    return tuple(_SPECS.values())


def spec_for(key: str) -> ProviderSpec:
    return _SPECS[key]


def owner_of_bare_id(provider_id: str) -> ProviderSpec | None:
    """The one provider whose ids look like `provider_id`, or None when none or several do."""
    owners = [s for s in _SPECS.values() if s.owns_bare_id and s.owns_bare_id(provider_id)]
    return owners[0] if len(owners) == 1 else None


def ref_examples() -> str:
    """What refs look like, for error messages: `pressone:9666 or zim:ordr_…`."""
    return " or ".join(spec.ref_example for spec in _SPECS.values())


for _built_in in (pressone.SPEC, zim.SPEC):
    register(_built_in)
