"""``python -m theorems`` is the ``verify`` command."""

import sys

from theorems.cli import main

sys.exit(main())
