"""The diagnosis engine and its knowledge: why an order failed or is stuck, and what next.

The knowledge is data (`catalogue.toml`, validated when loaded); the engine is pure: an
order (or a raw code), `now` and the thresholds in, an `Explanation` out.
"""

from .catalogue import Catalogue, Entry, Generic, load_catalogue
from .codes import explain_code
from .engine import explain_order
from .explanation import Evidence, Explanation, Impact
from .thresholds import Thresholds

__all__ = [
    "Catalogue",
    "Entry",
    "Evidence",
    "Explanation",
    "Generic",
    "Impact",
    "Thresholds",
    "explain_code",
    "explain_order",
    "load_catalogue",
]
