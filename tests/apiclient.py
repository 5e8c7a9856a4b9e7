"""A test client that speaks to /api/v1 with a persona's bearer token."""

import json
from typing import Any

from django.test import Client

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_issue(user=user)}"} if user else {}

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        if method == "get":
            return self.get(path)
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
