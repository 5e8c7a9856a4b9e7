"""Schemathesis against /api/v1/openapi.json, in-process, with a low-privilege token.

Every operation is called with generated data, valid and invalid: no answer may be a server
error, and every answer must match the schema (status code, content type, body, headers);
invalid data must be refused and a missing or wrong token must not get through.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue
from hoctap.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Query parameters the schema does not name are ignored, as HTTP APIs commonly do (a client's
# cache-buster must not break a call); the fuzzer is not to expect them refused.
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's own test client does.

    Schemathesis calls the WSGI application itself, and a finished request closes the
    connection, which would end the test's transaction (and its data) mid-test.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(branch_officer: User) -> str:
    return api_token_issue(user=branch_officer, name="fuzz")


@pytest.mark.django_db
@schema.parametrize()
# Derandomised: CI explores the same cases on every run, so a red run always reproduces.
@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_never_fails_and_always_answers_as_documented(
    case: schemathesis.Case[Any], token: str, in_test_transaction: None
) -> None:
    # Every check but one: a request the schema allows may still name a period or unit that
    # does not exist, and the API rightly answers that with 400 or 404, not with success.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
