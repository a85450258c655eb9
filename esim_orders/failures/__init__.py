"""What explain_failure knows: the failure catalogue (data, in catalogue.toml) and its reader.

Only documented codes and states have entries; everything else gets a generic explanation
from its status class. The explaining itself is the explain_failure tool's job.
"""

from .catalogue import Catalogue, Entry, Generic, load_catalogue
from .thresholds import Thresholds

__all__ = ["Catalogue", "Entry", "Generic", "Thresholds", "load_catalogue"]
