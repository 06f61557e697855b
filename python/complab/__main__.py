"""``python -m complab`` is the ``complab`` command."""

import sys

from complab.cli import main

sys.exit(main())
