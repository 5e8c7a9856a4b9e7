import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from hoctap.accounts.models import RoleAssignment, User
from hoctap.organisation.models import Unit, UnitKind
from hoctap.people.models import Citizen, Household

pytestmark = pytest.mark.django_db


def test_the_pilot_has_its_published_shape() -> None:
    district = Unit.objects.get(code="099")
    below = Unit.objects.within(district.path)
    assert district.parent is not None
    assert district.parent.code == "11"
    assert sorted(below.filter(kind=UnitKind.COMMUNE).values_list("code", flat=True)) == [
        "03253",
        "03274",
        "03289",
    ]
    assert below.filter(kind=UnitKind.BRANCH).count() == 9
    assert Household.objects.filter(unit__path__startswith=district.path).count() == 30
    assert Citizen.objects.filter(home_unit__path__startswith=district.path).count() == 370


def test_the_pilot_has_122_farmers_12_traders_and_236_officials() -> None:
    officials = Citizen.objects.exclude(workplace=None).count()
    in_households = Citizen.objects.exclude(household=None).count()
    assert officials == 236
    assert in_households == 122 + 12


def test_names_include_thai_and_mong_people() -> None:
    names = set(Citizen.objects.values_list("ethnicity__name", flat=True))
    assert {"Thái", "Mông", "Kinh"} <= names
    assert Citizen.objects.filter(full_name__startswith="Giàng A ").exists()
    assert Citizen.objects.filter(full_name__startswith="Lò Văn ").exists()


def test_the_accounts_of_the_contract_exist_with_their_units() -> None:
    expected = {"tuangiao": "099", "quaicang": "03289", "quainua": "03274"}
    for username, code in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("hoctap-demo")
        assert RoleAssignment.objects.get(user=user).unit.code == code


def test_the_demo_does_not_load_twice(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    assert "đã được nạp" in capsys.readouterr().out
    assert Citizen.objects.count() == 370


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_run_steps_serve_the_demo_in_vietnamese(tmp_path: Path) -> None:
    """`hoctap demo` then `hoctap serve` on a fresh database answers with the login page."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
        "HOCTAP_VAR_DIR": str(tmp_path),
    }
    hoctap = [sys.executable, "-m", "hoctap"]
    demo = subprocess.run([*hoctap, "demo"], env=env, capture_output=True, text=True, check=True)
    assert "quaicang" in demo.stdout
    assert "hoctap-demo" in demo.stdout
    port = _free_port()
    server = subprocess.Popen([*hoctap, "serve", "--port", str(port)], env=env)
    try:
        body = _get_when_ready(f"http://127.0.0.1:{port}/")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "Đăng nhập" in body
    assert 'lang="vi"' in body


def _get_when_ready(url: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
