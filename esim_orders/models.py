"""The normalized order model every layer above the wire shares; no I/O here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
    computed_field,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from .places import mentions, place_names


class _ProviderKind(type):
    """Lets `for p in Provider` and `key in Provider` read the registered providers."""

    def __iter__(cls) -> Iterator[Provider]:
        return iter(tuple(_REGISTERED.values()))

    def __contains__(cls, key: object) -> bool:
        return key in _REGISTERED


class Provider(str, metaclass=_ProviderKind):
    """A provider's key, e.g. "pressone": a string that names a registered provider.

    Open like a registry, not closed like an enum: the two built-in providers are declared
    here, and a provider module (or a test) registers another once with `Provider.register`.
    In a pydantic model it validates against, and its JSON schema lists, the providers
    registered at that moment.
    """

    __slots__ = ()
    PRESSONE: ClassVar[Provider]
    ZIM: ClassVar[Provider]

    def __new__(cls, key: object) -> Provider:
        if isinstance(key, Provider):
            return key
        try:
            return _REGISTERED[key]  # type: ignore[index]
        except (KeyError, TypeError):
            raise ValueError(f"{key!r} is not a known provider ({_choices()})") from None

    @classmethod
    def register(cls, key: str, display_name: str) -> Provider:
        """Declare a provider; registering the same key and name again returns it."""
        known = _REGISTERED.get(key)
        if known is not None:
            if _DISPLAY_NAMES[key] != display_name:
                raise ValueError(f"provider {key!r} is already registered as {known.display_name}")
            return known
        if not _KEY.fullmatch(key):
            raise ValueError(f"provider key {key!r} must be lowercase letters and digits")
        provider = str.__new__(cls, key)
        _REGISTERED[key] = provider
        _DISPLAY_NAMES[key] = display_name
        return provider

    @classmethod
    def unregister(cls, key: str) -> None:
        """Forget a provider registered at run time (tests that add one and clean up)."""
        _REGISTERED.pop(key, None)
        _DISPLAY_NAMES.pop(key, None)

    @property
    def value(self) -> str:
        """The key as a plain string, as an enum member's value."""
        return str.__str__(self)

    @property
    def display_name(self) -> str:
        """The provider's name as people write it."""
        return _DISPLAY_NAMES.get(self.value, self.value)

    def __repr__(self) -> str:
        return f"Provider({self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Provider, (self.value,))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            _validate_provider,
            core_schema.str_schema(),
            ref="Provider",
            serialization=core_schema.plain_serializer_function_ser_schema(
                str.__str__, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        reference = handler(schema)
        definition = handler.resolve_ref_schema(reference)
        definition.clear()
        definition.update({"enum": list(_REGISTERED), "title": "Provider", "type": "string"})
        return reference


_REGISTERED: dict[str, Provider] = {}
_DISPLAY_NAMES: dict[str, str] = {}
_KEY = re.compile(r"[a-z][a-z0-9]{0,30}")


def _choices() -> str:
    return " or ".join(repr(key) for key in _REGISTERED) or "none registered"


def _validate_provider(value: str) -> Provider:
    """Pydantic's check, worded as its enum check was ("Input should be 'pressone' or 'zim'");
    a key in any case ("PressOne", as its name is written) names its provider."""
    try:
        return _REGISTERED[value] if value in _REGISTERED else _REGISTERED[value.strip().lower()]
    except KeyError:
        raise PydanticCustomError(
            "enum", "Input should be {expected}", {"expected": _choices()}
        ) from None


Provider.PRESSONE = Provider.register("pressone", "PressOne")
Provider.ZIM = Provider.register("zim", "Zim")


def display_name(provider: str) -> str:
    """The display name of a provider given by its key ("pressone"), or the key itself when
    it names no provider we know (an error raised with a raw name)."""
    try:
        return Provider(provider).display_name
    except ValueError:
        return provider


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    REPLACED = "REPLACED"
    UNKNOWN = "UNKNOWN"


class OrderType(StrEnum):
    ONE_OFF = "ONE_OFF"
    TOP_UP = "TOP_UP"
    RECURRING = "RECURRING"
    UNKNOWN = "UNKNOWN"


class SubscriptionStatus(StrEnum):
    PROCESSING = "PROCESSING"
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    DEPLETED = "DEPLETED"
    UNKNOWN = "UNKNOWN"


def iso_utc(moment: datetime) -> str:
    """A time as every answer writes it: UTC, to the millisecond, with a `Z`
    (`2026-11-20T11:58:13.385Z`). Zim sends milliseconds and PressOne whole seconds; one
    precision keeps a listing's times comparable by eye and by string, and loses nothing
    either provider sent. A zoneless time is UTC, as the providers' are."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: A datetime field of a model or view: written by `iso_utc` in JSON output.
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
    WithJsonSchema({"format": "date-time", "type": "string"}, mode="serialization"),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Money(_Model):
    """An exact amount: integer minor units and the currency's exponent, never a float."""

    minor_units: int
    currency: str
    exponent: int = Field(ge=0, le=6)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor_units).scaleb(-self.exponent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def formatted(self) -> str:
        """For people and models: `4.90 USD`, `775 JPY`."""
        return f"{self.amount:.{self.exponent}f} {self.currency}"

    @classmethod
    def from_formatted(cls, text: str) -> Money | None:
        """`formatted` read back (`4.90 USD`), for views that carry the text alone; None for
        anything else."""
        match = _FORMATTED_MONEY.fullmatch(text.strip())
        if match is None:
            return None
        whole, fraction, currency = match.groups()
        digits = fraction or ""
        return cls(minor_units=int(whole + digits), currency=currency, exponent=len(digits))

    def __str__(self) -> str:
        return self.formatted


_FORMATTED_MONEY = re.compile(r"(-?\d+)(?:\.(\d{1,6}))? (\S+)")


class Allowance(_Model):
    """A data, voice or SMS allowance; `unlimited` replaces the providers' -1 sentinels."""

    unlimited: bool = False
    amount: Decimal | None = None
    unit: str | None = None

    def __str__(self) -> str:
        if self.unlimited:
            return "unlimited"
        if self.amount is None:
            return "unknown"
        return f"{self.amount.normalize():f} {self.unit or ''}".strip()


class Plan(_Model):
    id: str | None = None
    name: str | None = None
    destination: str | None = None
    region: str | None = None
    data: Allowance | None = None
    voice: Allowance | None = None
    sms: Allowance | None = None
    validity_days: int | None = None
    features: list[str] = Field(default_factory=list)


class Esim(_Model):
    """One eSIM of an order. Activation secrets are never kept, only whether they exist."""

    iccid: str | None = None
    status: str | None = None
    has_qrcode: bool = False
    has_matching_id: bool = False
    has_confirmation_code: bool = False


class Subscription(_Model):
    id: str
    esim_id: str | None = None
    status: SubscriptionStatus = SubscriptionStatus.UNKNOWN
    provider_status: str | None = None
    plan: Plan | None = None


class Customer(_Model):
    """The end customer: the id always, personal fields only when the caller opted in."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Failure(_Model):
    reason_code: str | None = None
    message: str | None = None


class Order(_Model):
    provider: Provider
    id: str
    code: str | None = None
    status: OrderStatus
    provider_status: str | None = None
    type: OrderType = OrderType.UNKNOWN
    provider_type: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    description: str | None = None
    plan: Plan | None = None
    quantity: int | None = None
    price: Money | None = None
    esims: list[Esim] = Field(default_factory=list)
    subscription: Subscription | None = None
    customer: Customer | None = None
    failure: Failure | None = None
    account_id: str | None = None
    payment_id: str | None = None
    payment_reference: str | None = None
    notify_recipient: bool | None = None
    # The provider's payload with activation secrets (and, unless opted in, personal data)
    # removed. Excluded from dumps and repr: ask for it with `dump(with_raw=True)`.
    raw: dict[str, Any] | None = Field(default=None, exclude=True, repr=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ref(self) -> str:
        """Unique across providers, e.g. `zim:ordr_GMAVA4ISiqfWSG0ArGOzB` or `pressone:9666`."""
        return make_ref(self.provider, self.id)

    def dump(self, *, with_raw: bool = False) -> dict[str, Any]:
        """JSON-ready dict without nulls; the raw payload only when asked for."""
        data = self.model_dump(mode="json", exclude_none=True)
        if with_raw and self.raw is not None:
            data["raw"] = self.raw
        return data


class View(BaseModel):
    """Base of the view models tools return: frozen, and dumped without nulls for a model."""

    model_config = ConfigDict(frozen=True)

    def structured(self) -> dict[str, Any]:
        """JSON-ready, without nulls: what a model reads as structured content."""
        return self.model_dump(mode="json", exclude_none=True)


def make_ref(provider: Provider | str, provider_id: str) -> str:
    return f"{Provider(provider).value}:{provider_id}"


class OrderFilter(_Model):
    """One filter over both providers; `created_after` is inclusive, `created_before` exclusive.

    Each provider translates what it can into its own query; `matches` is the local check
    that makes every provider's answer exact whatever it filtered server-side.
    """

    providers: frozenset[Provider] | None = None
    statuses: frozenset[OrderStatus] | None = None
    type: OrderType | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    iccid: str | None = None
    code: str | None = None
    #: Words found in the description, the plan's name or its destination (any case).
    text: str | None = None
    #: A country (name or ISO code, `places.place_names`) or region the plan is for: named in
    #: the plan's destination, region or name.
    destination: str | None = None

    @property
    def by_plan(self) -> bool:
        """Whether the filter looks at what an order is for (text or destination)."""
        return self.text is not None or self.destination is not None

    def wants(self, provider: Provider) -> bool:
        return self.providers is None or provider in self.providers

    def matches(self, order: Order) -> bool:
        if not self.wants(order.provider):
            return False
        if self.statuses is not None and order.status not in self.statuses:
            return False
        if self.type is not None and order.type != self.type:
            return False
        if self.created_after is not None or self.created_before is not None:
            if order.created_at is None:
                return False
            if self.created_after is not None and order.created_at < self.created_after:
                return False
            if self.created_before is not None and order.created_at >= self.created_before:
                return False
        if self.iccid is not None and not any(
            e.iccid and self.iccid in e.iccid for e in order.esims
        ):
            return False
        if self.code is not None and not (order.code and _contains(order.code, self.code)):
            return False
        return self.matches_plan(order.description, order.plan)

    def matches_plan(self, description: str | None, plan: Plan | None) -> bool:
        """The text and destination checks alone, for a reader that has the description and
        plan of a row without its whole order."""
        if self.text is not None:
            said = (description, plan.name, plan.destination) if plan else (description,)
            if not any(s and _contains(s, self.text) for s in said):
                return False
        if self.destination is None:
            return True
        if plan is None:
            return False
        names = place_names(self.destination)
        return any(mentions(s, names) for s in (plan.destination, plan.region, plan.name))


def _contains(haystack: str, needle: str) -> bool:
    return needle.casefold() in haystack.casefold()


def newest_first_key(order: Order) -> tuple[bool, int, str]:
    """Sort key: newest first, orders without a time last, ties broken by ref.

    Exact integer microseconds, so a cursor can carry the key and compare equal later.
    """
    return sort_key(order.created_at, order.ref)


def sort_key(created_at: datetime | None, ref: str) -> tuple[bool, int, str]:
    """`newest_first_key` of an order created at `created_at` with `ref`, for a reader that
    sorts provider rows before (or without) building their `Order`."""
    if created_at is None:
        return (True, 0, ref)
    return (False, -((created_at - _EPOCH) // _MICROSECOND), ref)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
