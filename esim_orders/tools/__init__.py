"""The tools every face calls: typed async functions over the service, one view model each."""

from .explain_failure import explain_failure
from .get_esim import get_esim
from .get_order import get_order
from .list_orders import list_orders

__all__ = ["explain_failure", "get_esim", "get_order", "list_orders"]
