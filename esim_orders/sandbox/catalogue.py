"""Static reference data the generator draws from: packages, plans, places and names."""

from __future__ import annotations

from typing import NamedTuple


class Operator(NamedTuple):
    """A PressOne (Airalo-style) eSIM operator and what its eSIMs look like."""

    slug: str
    name: str
    coverage: str
    iccid_prefix: str
    smdp: str
    apn_type: str
    apn_value: str | None
    is_roaming: bool
    price_factor: float


# Fake SM-DP+ hosts on the reserved .example TLD: realistic shape, never a real server.
OPERATORS: tuple[Operator, ...] = (
    Operator("change", "Change", "United States", "8901", "rsp.pressone-esim.example",
             "automatic", None, True, 1.0),
    Operator("kallur-digital", "Kallur Digital", "Faroe Islands", "89298",
             "smdp.nordic-rsp.example", "manual", "internet", True, 1.45),
    Operator("merhaba", "Merhaba", "Turkey", "8990", "rsp.pressone-esim.example",
             "manual", "globaldata", True, 0.9),
    Operator("moshi-moshi", "Moshi Moshi", "Japan", "8981", "lpa.asia-rsp.example",
             "automatic", None, True, 1.1),
    Operator("hallo-mobil", "Hallo Mobil", "Germany", "8949", "smdp.eu-rsp.example",
             "manual", "globaldata", True, 1.0),
    Operator("uki-mobile", "Uki Mobile", "United Kingdom", "8944", "smdp.eu-rsp.example",
             "automatic", None, True, 1.0),
    Operator("bonne-route", "Bonne Route", "France", "8933", "smdp.eu-rsp.example",
             "manual", "globaldata", True, 1.0),
    Operator("samba-mobile", "Samba Mobile", "Brazil", "8955", "rsp.latam-esim.example",
             "automatic", None, True, 1.2),
    Operator("mzansi-data", "Mzansi Data", "South Africa", "8927", "rsp.pressone-esim.example",
             "manual", "internet", True, 1.3),
    Operator("sawa-mobile", "Sawa Mobile", "United Arab Emirates", "89971",
             "lpa.asia-rsp.example", "automatic", None, True, 1.5),
    Operator("thai-connect", "Thai Connect", "Thailand", "8966", "lpa.asia-rsp.example",
             "automatic", None, True, 0.8),
    Operator("kangaroo-mobile", "Kangaroo Mobile", "Australia", "8961",
             "rsp.oceania-esim.example", "automatic", None, True, 1.2),
    Operator("eurolink", "Eurolink", "Europe", "8935", "smdp.eu-rsp.example",
             "manual", "globaldata", True, 1.3),
    Operator("asialink", "Asialink", "Asia", "8985", "lpa.asia-rsp.example",
             "manual", "globaldata", True, 1.4),
    Operator("discover-global", "Discover Global", "Global", "8988",
             "rsp.pressone-esim.example", "manual", "globaldata", True, 1.9),
    Operator("yankee-local", "Yankee Local", "United States", "8901",
             "rsp.pressone-esim.example", "automatic", None, False, 0.85),
)  # fmt: skip


class PackageSize(NamedTuple):
    days: int
    data: str
    slug: str
    usd: float


PACKAGE_SIZES: tuple[PackageSize, ...] = (
    PackageSize(7, "1 GB", "1gb", 4.5),
    PackageSize(15, "2 GB", "2gb", 8.0),
    PackageSize(30, "3 GB", "3gb", 11.0),
    PackageSize(30, "5 GB", "5gb", 16.0),
    PackageSize(30, "10 GB", "10gb", 26.0),
    PackageSize(30, "20 GB", "20gb", 42.0),
    PackageSize(7, "Unlimited", "unlimited", 23.0),
    PackageSize(15, "Unlimited", "unlimited", 38.0),
)

FIRST_NAMES = (
    "Olivia", "Liam", "Amara", "Noah", "Sofia", "Mateo", "Aisha", "Lucas", "Mei", "Ethan",
    "Priya", "Jonas", "Chloe", "Diego", "Hana", "Samuel", "Zara", "Oliver", "Leila", "Kenji",
    "Grace", "Omar", "Ines", "Daniel", "Freya", "Tomás", "Nadia", "Elijah", "Yara", "Adrian",
)  # fmt: skip
LAST_NAMES = (
    "Johnson", "Okafor", "Nguyen", "Garcia", "Müller", "Rossi", "Kowalski", "Haddad", "Tanaka",
    "Smith", "Fernandes", "Larsen", "Dubois", "Patel", "O'Brien", "Kim", "Andersson", "Silva",
    "Mensah", "Cohen", "Novak", "Ibrahim", "Walker", "Moreau", "Santos", "Fischer",
)  # fmt: skip
STREETS = (
    "Maple Avenue", "Oak Street", "Cedar Lane", "Harbor Drive", "Pine Court", "Elm Street",
    "Sunset Boulevard", "Lakeview Road", "Willow Way", "Main Street", "Hillcrest Drive",
)  # fmt: skip
# (city, state, ZIP) of real US places; the street numbers and people are invented.
CITIES = (
    ("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Portland", "OR", "97205"),
    ("Boston", "MA", "02108"), ("Chicago", "IL", "60601"), ("Seattle", "WA", "98101"),
    ("Miami", "FL", "33131"), ("Atlanta", "GA", "30303"), ("San Diego", "CA", "92101"),
    ("Minneapolis", "MN", "55401"), ("Nashville", "TN", "37203"), ("Phoenix", "AZ", "85004"),
)  # fmt: skip
US_COUNTRY_ID = 226
COMPANIES = (
    None, None, None, "Globetrotter Travel LLC", "Northwind Consulting", "Bluefin Logistics",
    "Acme Field Services", "Summit Events Inc.", "Harborview Media",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org")

DESCRIPTIONS = (
    "Order for trip to {coverage}",
    "Customer #{number}",
    "Booking {booking}",
    "Corporate travel - {coverage}",
    "Replacement eSIM for customer #{number}",
    "Web shop order {booking}",
)


class Destination(NamedTuple):
    name: str
    iso3: str
    region: str
    region_abbreviation: str
    local_currency: str | None


DESTINATIONS: tuple[Destination, ...] = (
    Destination("United States", "USA", "North America", "NA", None),
    Destination("United Kingdom", "GBR", "Europe", "EU", "GBP"),
    Destination("Japan", "JPN", "Asia", "AS", "JPY"),
    Destination("France", "FRA", "Europe", "EU", "EUR"),
    Destination("Germany", "DEU", "Europe", "EU", "EUR"),
    Destination("Spain", "ESP", "Europe", "EU", "EUR"),
    Destination("Italy", "ITA", "Europe", "EU", "EUR"),
    Destination("Canada", "CAN", "North America", "NA", "CAD"),
    Destination("Mexico", "MEX", "North America", "NA", None),
    Destination("Thailand", "THA", "Asia", "AS", None),
    Destination("Singapore", "SGP", "Asia", "AS", None),
    Destination("Australia", "AUS", "Oceania", "OC", "AUD"),
    Destination("Brazil", "BRA", "South America", "SA", None),
    Destination("South Africa", "ZAF", "Africa", "AF", None),
    Destination("United Arab Emirates", "ARE", "Middle East", "ME", None),
)

#: Units of one local currency per US dollar, and its minor-unit exponent.
CURRENCY_RATES: dict[str, tuple[float, int]] = {
    "USD": (1.0, 2),
    "EUR": (0.92, 2),
    "GBP": (0.79, 2),
    "CAD": (1.37, 2),
    "AUD": (1.52, 2),
    "JPY": (155.0, 0),
}


class PlanShape(NamedTuple):
    data_unit: str
    data_value: int
    call_unit: str
    call_value: int
    sms_value: int
    days: int
    features: tuple[str, ...]
    usd_cents: int


PLAN_SHAPES: tuple[PlanShape, ...] = (
    PlanShape("MB", 500, "MINUTES", 0, 0, 7, ("4G",), 290),
    PlanShape("GB", 1, "MINUTES", 0, 0, 7, ("HOTSPOT", "4G"), 490),
    PlanShape("GB", 3, "MINUTES", 0, 0, 30, ("HOTSPOT", "TOP_UP", "4G"), 990),
    PlanShape("GB", 10, "MINUTES", 60, 50, 30, ("HOTSPOT", "TOP_UP", "5G"), 2490),
    PlanShape("GB", 20, "HOURS", 5, 100, 30, ("HOTSPOT", "TOP_UP", "5G"), 3490),
    PlanShape("GB", -1, "MINUTES", -1, -1, 15, ("HOTSPOT", "5G"), 3990),
    PlanShape("GB", 5, "MINUTES", 0, 0, 15, ("3G", "TOP_UP"), 1290),
)

FEATURE_CATEGORIES = {
    "HOTSPOT": "UTILITY",
    "TOP_UP": "BILLING",
    "3G": "NETWORK",
    "4G": "NETWORK",
    "5G": "NETWORK",
}

# The IDs the seed page's example orders refer to: the generated catalogue reuses them so
# the verbatim seed orders point at an account, user and plans that exist elsewhere too.
SEED_ACCOUNT_ID = "acct_ozxEbkTyvLPhhoglcALXE"
SEED_USER_ID = "user_yf95A86RIkVxau2gzBsjV"
SEED_PLAN_IDS = ("plan_guaGulGcrqgTYboPvetgu", "plan_guaGulGcrqgTYboPveAAB")
