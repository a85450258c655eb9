"""Building blocks shared by both generators: the time spread and random identifiers."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta

DAY = 86_400
#: Orders spread over this many seconds back from ``now``.
SPREAD_S = 120 * DAY
ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Maps each random byte to a letter or digit. The modulo makes the first few characters
# slightly likelier, harmless for fake ids and several times faster than rng.choices,
# which matters at 100,000 orders with five ids each.
_ALNUM_TABLE = bytes(ord(ALNUM[byte % len(ALNUM)]) for byte in range(256))


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, exactly (no float rounding)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def alnum(rng: random.Random, k: int) -> str:
    """``k`` random letters and digits, the body of Zim-style ids."""
    return rng.randbytes(k).translate(_ALNUM_TABLE).decode("ascii")


def random_age(rng: random.Random) -> int:
    """Seconds before ``now`` for an ordinary order, within about 120 days."""
    # Squared uniform: more recent orders than old ones, as a growing business would have.
    return 30 + int(SPREAD_S * rng.random() ** 2)
