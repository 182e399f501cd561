import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pytest_addoption(parser):
    parser.addoption("--run-full", action="store_true",
                     help="also run the tests on the full-size big-lama generator (slow on a CPU)")


def pytest_configure(config):
    config.addinivalue_line("markers", "full: needs the full-size generator; runs only with --run-full")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-full") or os.environ.get("LAMA_EXPORT_FULL_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="full-size test: pass --run-full (or LAMA_EXPORT_FULL_TESTS=1)")
    for item in items:
        if "full" in item.keywords:
            item.add_marker(skip)
