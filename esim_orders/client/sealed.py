"""Sealing what goes into Redis with the deployment's key, so its contents read as noise."""

from __future__ import annotations

__all__ = ["Sealer"]


class Sealer:
    """Fernet (AES-128-CBC with HMAC-SHA256): a value read back unchanged or not at all.

    Whoever reads Redis without the key (a dump, a replica, a shared instance) learns no
    provider token and no order.
    """

    def __init__(self, key: str) -> None:
        # Imported with the first sealer: a process without a cache key never loads it.
        from cryptography.fernet import Fernet, InvalidToken

        self._fernet = Fernet(key.encode())
        self._tampered = (InvalidToken, TypeError, ValueError)

    def __repr__(self) -> str:
        return "Sealer(***)"

    def seal(self, plain: bytes) -> bytes:
        return self._fernet.encrypt(plain)

    def open(self, sealed: bytes) -> bytes | None:
        """The plain bytes; None when sealed by another key or tampered with."""
        try:
            return self._fernet.decrypt(sealed)
        except self._tampered:
            return None
