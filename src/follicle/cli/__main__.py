"""``python -m follicle.cli``: the same as the installed ``follicle`` command."""

import sys

from follicle.cli.root import main

sys.exit(main())
