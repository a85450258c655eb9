"""`python -m esim_orders` runs the command line."""

import sys

from .cli import main

sys.exit(main())
