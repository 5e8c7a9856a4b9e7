"""API clients holding bearer tokens for the personas."""

import json
from typing import Any

import pytest
from django.test import Client

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_issue(user=user)}"} if user else {}

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        data = json.dumps(body, default=str) if body is not None else None
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers=self.headers,
            **extra,
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("post", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.call("put", path, body)


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
