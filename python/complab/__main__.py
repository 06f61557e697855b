"""``python -m complab`` is the ``complab`` command."""

import sys

try:
    from complab.cli import main
except KeyboardInterrupt:
    # Ctrl-C while the command's modules load (cli's own imports included): one line and
    # exit status 130, as once it runs, not a traceback of the imports.
    print("\ncomplab: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

sys.exit(main())
