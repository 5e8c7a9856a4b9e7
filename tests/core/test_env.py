import pytest
from django.core.exceptions import ImproperlyConfigured

from hoctap.core.env import env_bool, env_int, env_list


def test_a_boolean_must_be_a_clear_yes_or_no(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", False)
    monkeypatch.setenv("DEBUG", "Yes")
    assert env_bool("DEBUG", False) is True


def test_a_number_must_be_whole_and_large_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCTAP_PAGE_SIZE", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("HOCTAP_PAGE_SIZE", 25, minimum=1)
    monkeypatch.setenv("HOCTAP_PAGE_SIZE", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("HOCTAP_PAGE_SIZE", 25, minimum=1)


def test_hosts_are_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", " hoctap.vn, ,127.0.0.1 ")
    assert env_list("ALLOWED_HOSTS", []) == ["hoctap.vn", "127.0.0.1"]
