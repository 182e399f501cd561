#!/usr/bin/python3
"""Entry point: ``python3 tools/lama-export/export.py --help`` (the same as ``python3 -m lama_export``)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lama_export.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
