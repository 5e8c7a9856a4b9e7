"""Installations of their own for the backup and kill tests, outside pytest's test database."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.sites import Site, Sites


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    made = Sites(tmp_path_factory)
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def demo_site(sites: Sites) -> Site:
    """The Tuần Giáo demo, loaded once by `hoctap demo`, with two evidence files."""
    site = sites.new("demo")
    site.run("demo")
    site.child("add-evidence")
    return site


@pytest.fixture(scope="session")
def demo_probe(demo_site: Site) -> dict[str, Any]:
    """The demo's rows, reports and rollup check, taken once: no test may change them."""
    return demo_site.probe()


@pytest.fixture(scope="session")
def archive(demo_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the demo with its evidence, signed with the demo's own key."""
    path = tmp_path_factory.mktemp("backup") / "sao-luu.zip"
    said = demo_site.run("backup", str(path))
    assert str(path) in said.stdout
    # The first backup made the key, and said where its public half is.
    assert str(demo_site.verify_key) in said.stderr
    return path
