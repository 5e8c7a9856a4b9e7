"""Fixtures of the import tests: English messages and a fresh period to import into."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from hoctap.assessments.models import Period
from hoctap.assessments.periods import period_open
from tests.transfer.commands import NEW_PERIOD


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Compare messages with their source text, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def period(db: None) -> Period:
    """An empty period on the pilot's scheme, while Xã Quài Cang's units are still in force."""
    opened, _scheme, _created = period_open(code=NEW_PERIOD, scheme_code="cdht-2020")
    return opened
