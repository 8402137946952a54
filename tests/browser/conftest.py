"""Browser tests: fixtures come from tests/browser_support.py (a plugin, loaded once)."""

from tests.browser_support import *  # noqa: F403 (helpers only; see __all__ there)
