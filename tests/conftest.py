"""Shared fixtures: the Tuần Giáo demo loaded once, and personas from the style guide."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from hoctap.accounts.models import User
from hoctap.demo.loader import demo_load
from tests.apiclient import ApiClient


def pytest_report_header() -> str:
    """Say which database the suite runs on, so a CI log shows both runs."""
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Load the pilot once; each test then runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        demo_load()


@pytest.fixture
def vietnamese() -> Iterator[None]:
    """Run the test with Vietnamese active, as a user's request would."""
    with translation.override("vi"):
        yield


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def commune_officer(db: None) -> User:
    """The officer of Xã Quài Cang."""
    return _user("quaicang")


@pytest.fixture
def outsider(db: None) -> User:
    """The same role in another commune: Xã Quài Nưa."""
    return _user("quainua")


@pytest.fixture
def branch_officer(db: None) -> User:
    """A branch officer of Xã Quài Cang."""
    return _user("chihoi.quaicang")


@pytest.fixture
def district_officer(db: None) -> User:
    return _user("tuangiao")


@pytest.fixture
def province_officer(db: None) -> User:
    return _user("dienbien")


@pytest.fixture
def nobody(db: None) -> User:
    """A signed-in user who holds no role."""
    return User.objects.create_user(username="nobody", password="x-unused-x")


def client_for(user: User) -> Client:
    """Return a test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def api_commune(commune_officer: User) -> ApiClient:
    return ApiClient(commune_officer)


@pytest.fixture
def api_outsider(outsider: User) -> ApiClient:
    return ApiClient(outsider)


@pytest.fixture
def api_branch(branch_officer: User) -> ApiClient:
    return ApiClient(branch_officer)


@pytest.fixture
def api_district(district_officer: User) -> ApiClient:
    return ApiClient(district_officer)
