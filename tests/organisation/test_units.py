import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from hoctap.organisation.admin_divisions import load_units
from hoctap.organisation.models import SuccessionKind, Unit, UnitKind
from hoctap.organisation.selectors import (
    unit_ancestors,
    unit_children,
    unit_resolve,
    unit_restated,
)
from hoctap.organisation.services import unit_create, unit_succession_record

pytestmark = pytest.mark.django_db


def test_a_subtree_is_every_unit_below_and_nothing_beside() -> None:
    district = Unit.objects.get(code="099")
    quai_cang = Unit.objects.get(code="03289")
    below_district = set(Unit.objects.within(district.path).values_list("code", flat=True))
    below_commune = set(Unit.objects.within(quai_cang.path).values_list("code", flat=True))
    assert {"099", "03253", "03289", "03274", "03289-CH1", "03274-CQ2"} <= below_district
    assert "03289-CH3" in below_commune
    assert not any(code.startswith("03274") for code in below_commune)


def test_ancestors_run_from_the_root_down() -> None:
    branch = Unit.objects.get(code="03289-CH2")
    assert [u.code for u in unit_ancestors(unit=branch)] == ["VN", "11", "099", "03289"]


def test_a_code_cannot_name_two_units_at_the_same_time() -> None:
    district = Unit.objects.get(code="099")
    with pytest.raises(ValidationError):
        unit_create(
            kind=UnitKind.COMMUNE,
            code="03289",
            name="Xã Quài Cang (bản sao)",
            parent=district,
            valid_from=date(2021, 1, 1),
        )


def test_a_unit_cannot_start_under_a_parent_that_has_ended() -> None:
    district = Unit.objects.get(code="099")
    with pytest.raises(ValidationError):
        unit_create(
            kind=UnitKind.COMMUNE,
            code="99999",
            name="Xã Mới",
            parent=district,
            valid_from=date(2026, 1, 1),
        )


def test_03253_names_the_town_in_2021_and_the_new_commune_in_2026() -> None:
    load_units(today=date(2026, 11, 28), province="11")
    assert unit_resolve(code="03253", on=date(2021, 3, 1)).name == "Thị trấn Tuần Giáo"
    assert unit_resolve(code="03253", on=date(2026, 1, 1)).name == "Xã Tuần Giáo"
    assert unit_resolve(code="03253", on=date(2026, 1, 1)).parent == Unit.objects.get(code="11")


def test_an_unknown_code_is_explained_in_vietnamese(vietnamese: None) -> None:
    with pytest.raises(ValidationError) as error:
        unit_resolve(code="03289", on=date(2026, 1, 1))
    assert "Không có đơn vị nào mang mã 03289 vào ngày 01/01/2026" in error.value.messages[0]


def test_children_follow_the_date() -> None:
    district = Unit.objects.get(code="099")
    in_2021 = [u.name for u in unit_children(unit=district, on=date(2021, 1, 1))]
    assert in_2021 == ["Thị trấn Tuần Giáo", "Xã Quài Cang", "Xã Quài Nưa"]
    assert list(unit_children(unit=district, on=date(2026, 1, 1))) == []


def test_loading_units_twice_changes_nothing() -> None:
    first = load_units(today=date(2026, 11, 28))
    before = list(
        Unit.objects.order_by("pk").values_list("pk", "code", "name", "path", "valid_from")
    )
    second = load_units(today=date(2026, 11, 28))
    after = list(
        Unit.objects.order_by("pk").values_list("pk", "code", "name", "path", "valid_from")
    )
    assert first.created > 3300
    assert Unit.objects.filter(kind=UnitKind.PROVINCE).valid_on(date(2026, 1, 1)).count() == 34
    assert (second.created, second.renamed) == (0, 0)
    assert before == after


def test_a_merge_is_followed_in_the_restated_tree() -> None:
    load_units(today=date(2026, 11, 28), province="11")
    old = Unit.objects.get(code="03253", valid_to__isnull=False)
    new = unit_resolve(code="03253", on=date(2026, 1, 1))
    unit_succession_record(
        predecessor=old, successor=new, kind=SuccessionKind.MERGE, effective_date=date(2025, 7, 1)
    )
    assert unit_restated(unit=old, on=date(2026, 1, 1)) == [new]
    assert unit_restated(unit=old, on=date(2021, 1, 1)) == [old]


def test_a_succession_must_start_after_the_old_unit_ends() -> None:
    quai_cang = Unit.objects.get(code="03289")
    quai_nua = Unit.objects.get(code="03274")
    with pytest.raises(ValidationError):
        unit_succession_record(
            predecessor=quai_cang,
            successor=quai_nua,
            kind=SuccessionKind.MERGE,
            effective_date=date(2021, 1, 1),
        )


def test_the_load_units_command_reports_what_it_did(vietnamese: None) -> None:
    out = io.StringIO()
    call_command("load-units", "--province", "11", stdout=out)
    assert "tạo mới" in out.getvalue()
    out = io.StringIO()
    call_command("load-units", "--province", "11", stdout=out)
    assert "tạo mới 0, đổi tên 0" in out.getvalue()


def test_an_unknown_province_is_refused_in_vietnamese(vietnamese: None) -> None:
    with pytest.raises(CommandError, match="Mã tỉnh không tồn tại: 99"):
        call_command("load-units", "--province", "99")
