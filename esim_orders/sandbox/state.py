"""The sandbox's state: config, generated data, issued tokens, the fault RNG and counters."""

from __future__ import annotations

import math
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from esim_orders.sandbox.config import FAULT_KINDS, SandboxConfig, check_config, reference_time
from esim_orders.sandbox.data import SandboxData, generate

#: Expired tokens are swept once this many are held, so a token-per-call client cannot grow
#: the store without bound.
_TOKEN_SWEEP_AT = 10_000


@dataclass
class SandboxStats:
    """What the sandbox has seen since the last `Sandbox.reset_stats`.

    All counters are `collections.Counter`, so a key never seen reads as 0.
    """

    #: Token endpoint requests by provider ("pressone", "zim"), granted or not.
    token_requests: Counter[str] = field(default_factory=Counter)
    #: Tokens actually issued, by provider.
    tokens_issued: Counter[str] = field(default_factory=Counter)
    #: Every other request by (provider, route path template), such as
    #: ("pressone", "/customer/v2/orders") or ("zim", "/orders/{id}").
    api_requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: API requests refused for a missing, unknown or expired token, by provider.
    unauthorized: Counter[str] = field(default_factory=Counter)
    #: Injected faults by kind ("429", "drop", ...).
    faults: Counter[str] = field(default_factory=Counter)
    #: eSIM requests by (provider, route path template, ICCID or eSIM id), answered or not.
    esim_requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: eSIM requests refused by the per-eSIM rate limit, by provider.
    esim_rate_limited: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class IssuedToken:
    provider: str
    issued_at: float  # Sandbox.clock() reading
    expires_in: int  # what the token answer declared, in seconds


class Sandbox:
    """Everything one sandbox app serves from and records into.

    ``clock`` measures token ages; tests may pass a fake one to expire tokens without waiting.
    ``providers`` are the keys of the providers the app serves (`create_app` passes them), so
    ``fault_providers`` can be checked against them.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        providers: Sequence[str] | None = None,
    ) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.providers: tuple[str, ...] | None = None if providers is None else tuple(providers)
        check_config(self.config, self.providers)
        now = self.config.now if self.config.now is not None else reference_time(datetime.now(UTC))
        # Millisecond precision, as Zim's timestamps have, so ages are exact on the wire.
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self.data: SandboxData = generate(self.config.seed, self.config.orders, now)
        self.now: datetime = self.data.now
        self.rng = random.Random(f"faults:{self.config.seed}")
        self.clock = clock
        self.tokens: dict[str, IssuedToken] = {}
        self.stats = SandboxStats()
        self._esim_hits: dict[tuple[str, str, str], deque[float]] = {}

    def reset_stats(self) -> None:
        """Zero every counter, e.g. between the warm-up and the measured part of a test."""
        self.stats = SandboxStats()

    def issue_token(self, provider: str, expires_in: int) -> str:
        """Record and return a new opaque bearer token for ``provider``."""
        if len(self.tokens) >= _TOKEN_SWEEP_AT:
            self.tokens = {
                token: issued
                for token, issued in self.tokens.items()
                if not self._expired(issued, self.clock())
            }
        token = secrets.token_urlsafe(32)
        self.tokens[token] = IssuedToken(provider, self.clock(), expires_in)
        self.stats.tokens_issued[provider] += 1
        return token

    def token_valid(self, provider: str, token: str) -> bool:
        """True when ``token`` was issued by ``provider``'s endpoint and has not expired."""
        issued = self.tokens.get(token)
        return (
            issued is not None
            and issued.provider == provider
            and not self._expired(issued, self.clock())
        )

    def _expired(self, issued: IssuedToken, now: float) -> bool:
        age = now - issued.issued_at
        # Read the knob at check time, so a test can shorten the life of tokens already held.
        early = self.config.early_token_expiry_s
        return age >= issued.expires_in or (early is not None and age >= early)

    def esim_retry_after(self, provider: str, path: str, key: str) -> int | None:
        """Count a request for one eSIM's endpoint; the whole seconds to wait when it is
        over ``esim_rate_limit`` in the window (a sliding window on ``clock``), else None."""
        self.stats.esim_requests[(provider, path, key)] += 1
        limit, window = self.config.esim_rate_limit, self.config.esim_rate_window_s
        if limit is None:
            return None
        now = self.clock()
        hits = self._esim_hits.setdefault((provider, path, key), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            self.stats.esim_rate_limited[provider] += 1
            return max(1, math.ceil(hits[0] + window - now))
        hits.append(now)
        return None

    def draw_fault(self) -> str | None:
        """Decide, from the seeded RNG, whether this request gets a fault and which kind."""
        config = self.config
        if config.fault_rate <= 0 or not config.faults:
            return None
        if self.rng.random() >= config.fault_rate:
            return None
        kind = config.faults[self.rng.randrange(len(config.faults))]
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {list(FAULT_KINDS)}")
        self.stats.faults[kind] += 1
        return kind
