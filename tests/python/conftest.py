"""Shared fixtures of the Python tests: the reference folders, as the C++
tests find them (../shared/reference/<sub>, or an environment variable)."""
import os

import pytest

SHARED = os.environ.get("LVSI_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))


def reference_dir(env, sub):
    return os.environ.get(env) or os.path.join(SHARED, "reference", sub)


def require(path):
    """Skips the test when `path` is missing (users have no ../shared), or
    fails it under LVSI_REQUIRE_REFERENCE=1 (CI)."""
    if os.path.exists(path):
        return path
    if os.environ.get("LVSI_REQUIRE_REFERENCE", "") not in ("", "0"):
        pytest.fail("reference not available: no %s (LVSI_REQUIRE_REFERENCE is set)" % path)
    pytest.skip("reference not available: no %s" % path)


@pytest.fixture
def pyradiomics_dir():
    return require(reference_dir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics"))


@pytest.fixture
def stats_dir():
    return require(reference_dir("LVSI_STATS_REFERENCE", "stats"))
