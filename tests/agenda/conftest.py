from __future__ import annotations

import pytest

from tests.places.helpers import Town, make_town


@pytest.fixture
def town(db: None) -> Town:
    return make_town()
