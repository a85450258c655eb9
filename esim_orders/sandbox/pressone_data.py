"""PressOne's orders as compact records, generated deterministically from a seed.

Records hold what filters and lookups need plus a per-order seed; `pressone` renders the
rest on demand, which keeps 100,000 orders cheap in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from esim_orders.sandbox import catalogue
from esim_orders.sandbox.catalogue import Operator, PackageSize
from esim_orders.sandbox.generation import DAY, SPREAD_S, UPPER_ALNUM, random_age

PRESSONE_STATUS_NAMES = {
    "completed": "Completed",
    "failed": "Failed",
    "refunded": "Refunded",
    "partially_refunded": "Partially Refunded",
    # Not in PressOne's documented list: here so clients meet a status they do not know.
    "on_hold": "On Hold",
}


class Package(NamedTuple):
    """One PressOne package with its pre-rendered installation HTML."""

    id: str
    name: str
    operator: Operator
    size: PackageSize
    usd: float
    manual_installation: str
    qrcode_installation: str


class PressOneOrder(NamedTuple):
    """One PressOne order; sims' secondary fields are derived from ``detail_seed``."""

    id: int
    code: str
    created: int  # epoch seconds, UTC
    description: str | None
    type: str  # "sim" or "topup"
    package: int  # index into PressOneData.packages
    quantity: int
    price: str
    currency: str
    status: str  # slug
    user: int  # index into PressOneData.users
    iccids: tuple[str, ...]
    first_sim_id: int
    detail_seed: int


@dataclass
class PressOneData:
    """PressOne's orders newest first, with the catalogue and users they point into."""

    orders: list[PressOneOrder]
    by_id: dict[int, PressOneOrder]
    packages: tuple[Package, ...]
    users: list[dict[str, Any]]


def build_packages() -> tuple[Package, ...]:
    """Every operator's package sizes; fixed, so package ids never depend on the seed."""
    packages = []
    for operator in catalogue.OPERATORS:
        for size in catalogue.PACKAGE_SIZES:
            package_id = f"{operator.slug}-{size.days}days-{size.slug}"
            head = (
                f"<p><b>eSIM name:</b> {operator.name}</p>"
                f"<p><b>Coverage:</b> {operator.coverage}</p>"
            )
            packages.append(
                Package(
                    id=package_id,
                    name=f"{operator.name}-{size.data} - {size.days} Days",
                    operator=operator,
                    size=size,
                    usd=round(size.usd * operator.price_factor * 2) / 2,
                    manual_installation=head
                    + "<p><b>To manually activate the eSIM on your eSIM capable device:</b></p>"
                    "<ol><li>Settings &gt; Cellular/Mobile &gt; Add Cellular/Mobile Plan.</li>"
                    "<li>Manually enter the SM-DP+ Address and Activation Code.</li>"
                    "<li>Confirm the eSIM plan details.</li><li>Label the eSIM.</li></ol>",
                    qrcode_installation=head
                    + "<p><b>To activate the eSIM by scanning the QR code on your eSIM capable"
                    " device you need to print or display this QR code on another device:</b>"
                    "</p><ol><li>Settings &gt; Cellular/Mobile &gt; Add Cellular/Mobile Plan."
                    "</li><li>Scan QR code.</li><li>Confirm the eSIM plan details.</li>"
                    "<li>Label the eSIM.</li></ol>",
                )
            )
    return tuple(packages)


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_digit(digits: str) -> str:
    """The Luhn check digit ICCIDs end with."""
    # From the right, the 1st, 3rd, ... digits are doubled (their digit sum taken).
    doubled = sum(_LUHN_DOUBLED[int(char)] for char in digits[::-2])
    kept = sum(map(int, digits[-2::-2]))
    return str(-(doubled + kept) % 10)


def _iccid(rng: random.Random, prefix: str, used: set[str]) -> str:
    while True:
        body_len = 19 if rng.random() < 0.85 else 18
        width = body_len - len(prefix)
        body = prefix + f"{rng.getrandbits(64) % 10**width:0{width}d}"
        iccid = body + luhn_digit(body)
        if iccid not in used:
            used.add(iccid)
            return iccid


def _pressone_users(rng: random.Random, count: int, now_s: int) -> list[dict[str, Any]]:
    users = []
    for index in range(count):
        first = rng.choice(catalogue.FIRST_NAMES)
        last = rng.choice(catalogue.LAST_NAMES)
        city, state, postal = rng.choice(catalogue.CITIES)
        local = f"{first}.{last}".lower().replace("'", "").replace("ü", "u").replace("á", "a")
        created = now_s - SPREAD_S - rng.randrange(30 * DAY, 720 * DAY)
        users.append(
            {
                "id": 3001 + index * 7 + rng.randrange(7),
                "created_at": pressone_time(created),
                "name": f"{first} {last}",
                "email": f"{local}{rng.randrange(1, 100)}@{rng.choice(catalogue.EMAIL_DOMAINS)}",
                # Area code 555 is not in service: a phone number that can reach nobody.
                "mobile": f"+1555{rng.randrange(10**7):07d}",
                "address": f"{rng.randrange(1, 9900)} {rng.choice(catalogue.STREETS)}",
                "state": state,
                "city": city,
                "postal_code": postal,
                "country_id": catalogue.US_COUNTRY_ID,
                "company": rng.choice(catalogue.COMPANIES),
            }
        )
    return users


def pressone_time(epoch_s: int) -> str:
    """PressOne's timestamp: "YYYY-MM-DD HH:MM:SS" in UTC, without a zone."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%d %H:%M:%S")


class _PressOneCase(NamedTuple):
    age_s: int
    type: str
    quantity: int
    status: str
    currency: str = "USD"
    describe: bool = True


# Placed before the random fill so every documented value (and the undocumented one)
# exists even with orders=20, at ages that exercise fresh and long-stuck code paths.
_PRESSONE_CASES = (
    _PressOneCase(4 * 60, "sim", 1, "completed"),
    _PressOneCase(25 * 60, "sim", 2, "completed"),
    _PressOneCase(3 * 3600, "topup", 1, "completed"),
    _PressOneCase(6 * 3600, "sim", 1, "on_hold"),
    _PressOneCase(2 * DAY + 3600, "sim", 1, "failed"),
    _PressOneCase(5 * DAY, "topup", 1, "failed"),
    _PressOneCase(9 * DAY, "sim", 1, "refunded"),
    _PressOneCase(14 * DAY, "sim", 3, "partially_refunded"),
    _PressOneCase(40 * DAY, "sim", 1, "completed", describe=False),
    _PressOneCase(70 * DAY, "sim", 1, "completed", currency="EUR"),
    _PressOneCase(118 * DAY, "sim", 1, "completed"),
)

_PRESSONE_STATUS_WEIGHTS = (
    ("completed", 86),
    ("failed", 6),
    ("refunded", 4),
    ("partially_refunded", 3),
    ("on_hold", 1),
)


def _description(rng: random.Random, coverage: str) -> str:
    template = rng.choice(catalogue.DESCRIPTIONS)
    return template.format(
        coverage=coverage,
        number=rng.randrange(10_000, 99_999),
        booking="".join(rng.choices(UPPER_ALNUM, k=6)),
    )


def generate_pressone(seed: int, orders: int, now: datetime) -> PressOneData:
    """PressOne orders, newest first; ids and codes grow with creation time like upstream's."""
    rng = random.Random(f"pressone:{seed}")
    now_s = int(now.timestamp())
    packages = build_packages()
    users = _pressone_users(rng, min(max(orders // 8, 20), 2000), now_s)
    total = max(orders, len(_PRESSONE_CASES))
    statuses = [status for status, _ in _PRESSONE_STATUS_WEIGHTS]
    weights = [weight for _, weight in _PRESSONE_STATUS_WEIGHTS]
    used_iccids: set[str] = set()
    issued_iccids: list[tuple[str, int]] = []  # (iccid, operator index)
    sizes = len(catalogue.PACKAGE_SIZES)  # packages are grouped by operator, in this size
    drafts = []
    for index in range(total):
        if index < len(_PRESSONE_CASES):
            case = _PRESSONE_CASES[index]
        else:
            order_type = "topup" if rng.random() < 0.2 else "sim"
            roll = rng.random()
            quantity = 1 if order_type == "topup" or roll < 0.85 else (2 if roll < 0.95 else 4)
            case = _PressOneCase(
                age_s=random_age(rng),
                type=order_type,
                quantity=quantity,
                status=rng.choices(statuses, weights)[0],
                currency="EUR" if rng.random() < 0.05 else "USD",
                describe=rng.random() >= 0.15,
            )
        package_index = rng.randrange(len(packages))
        if case.type == "topup" and issued_iccids:
            # A top-up buys more of the same operator's data for an eSIM already sold.
            topped_up, operator_index = rng.choice(issued_iccids)
            package_index = operator_index * sizes + package_index % sizes
            description: str | None = f"Top-up for {topped_up}"
        elif case.describe:
            description = _description(rng, packages[package_index].operator.coverage)
        else:
            description = None
        package = packages[package_index]
        iccids: tuple[str, ...] = ()
        if case.type == "sim" and case.status != "failed":
            iccids = tuple(
                _iccid(rng, package.operator.iccid_prefix, used_iccids)
                for _ in range(case.quantity)
            )
            issued_iccids.extend((iccid, package_index // sizes) for iccid in iccids)
        amount = package.usd * case.quantity
        if case.currency == "EUR":
            amount = round(amount * catalogue.CURRENCY_RATES["EUR"][0] * 2) / 2
        fields = (
            description,
            case.type,
            package_index,
            case.quantity,
            f"{amount:.2f}",
            case.currency,
            case.status,
            rng.randrange(len(users)),
        )
        # The index breaks ties in creation time, so sorting never compares the rest.
        created = now_s - case.age_s - rng.randrange(60)
        drafts.append((created, index, fields, iccids, rng.getrandbits(48)))
    drafts.sort(key=lambda draft: (draft[0], draft[1]))
    records = []
    order_id = 10_000 + rng.randrange(1000)
    sim_id = 50_000 + rng.randrange(1000)
    for created, _, fields, iccids, detail_seed in drafts:
        order_id += 1 + rng.randrange(40)  # other partners' orders share the id sequence
        code = f"{pressone_time(created)[:10].replace('-', '')}-{order_id % 1_000_000:06d}"
        records.append(PressOneOrder(order_id, code, created, *fields, iccids, sim_id, detail_seed))
        sim_id += len(iccids)
    records.reverse()
    return PressOneData(
        orders=records,
        by_id={order.id: order for order in records},
        packages=packages,
        users=users,
    )
