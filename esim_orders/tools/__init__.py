"""The tools every face calls: typed async functions over the service, one view model each."""

from .get_order import get_order
from .list_orders import list_orders

__all__ = ["get_order", "list_orders"]
