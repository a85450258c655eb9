"""The providers: one subpackage per provider (settings, client, rules) and the registry
that every layer above iterates. Adding a provider is a new subpackage and one entry."""

from .registry import owner_of_bare_id, ref_examples, register, spec_for, specs, unregister
from .spec import ProviderSettings, ProviderSpec

__all__ = [
    "ProviderSettings",
    "ProviderSpec",
    "owner_of_bare_id",
    "ref_examples",
    "register",
    "spec_for",
    "specs",
    "unregister",
]
