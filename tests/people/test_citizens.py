import unicodedata

import pytest
from django.core.exceptions import ValidationError

from hoctap.accounts.models import User
from hoctap.core.text import fold
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen, Sex
from hoctap.people.selectors import citizen_list
from hoctap.people.services import citizen_create, ethnicity_resolve

pytestmark = pytest.mark.django_db


def _branch() -> Unit:
    return Unit.objects.get(code="03289-CH1")


def test_a_decomposed_name_is_stored_composed_and_found_either_way(
    commune_officer: User,
) -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert typed != "Nguyễn Văn Đức"
    citizen = citizen_create(full_name=typed, birth_year=1980, sex=Sex.MALE, home_unit=_branch())
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn Đức"
    assert unicodedata.is_normalized("NFC", citizen.full_name)
    for query in ("nguyen van duc", "Nguyễn Văn", typed, "ĐỨC"):
        assert citizen in citizen_list(user=commune_officer, query=query), query


def test_folding_treats_d_with_stroke_as_d() -> None:
    assert fold("  Đặng   Thị  Hằng ") == "dang thi hang"


def test_an_invalid_cccd_is_refused_in_vietnamese(vietnamese: None) -> None:
    with pytest.raises(ValidationError) as error:
        citizen_create(
            full_name="Lò Văn Muôn",
            birth_year=1980,
            sex=Sex.MALE,
            home_unit=_branch(),
            national_id="01108012345",
        )
    assert "Số CCCD phải có đúng 12 chữ số" in error.value.messages[0]
    assert not Citizen.objects.filter(full_name="Lò Văn Muôn", birth_year=1980).exists()


@pytest.mark.parametrize("number", ["٠١١٠٧٥١٢٣٤٥٦", "０１１０７５１２３４５６"])
def test_a_cccd_in_digits_of_another_script_is_refused(number: str) -> None:
    """Arabic-Indic and full-width digits are digits to a regex's \\d, not on a CCCD card."""
    assert len(number) == 12
    with pytest.raises(ValidationError):
        citizen_create(
            full_name="Lò Văn Muôn",
            birth_year=1980,
            sex=Sex.MALE,
            home_unit=_branch(),
            national_id=number,
        )


def test_a_cccd_already_held_by_someone_else_is_refused(vietnamese: None) -> None:
    taken = Citizen.objects.exclude(national_id=None).first()
    assert taken is not None
    assert taken.national_id is not None
    with pytest.raises(ValidationError) as error:
        citizen_create(
            full_name="Quàng Thị Ơn",
            birth_year=1990,
            sex=Sex.FEMALE,
            home_unit=_branch(),
            national_id=taken.national_id,
        )
    assert "đã có số CCCD" in error.value.messages[0]


def test_a_cccd_is_accepted_with_spaces_and_shown_masked() -> None:
    citizen = citizen_create(
        full_name="Cà Văn Chung",
        birth_year=1975,
        sex=Sex.MALE,
        home_unit=_branch(),
        national_id="011 075 123 456",
    )
    assert citizen.national_id == "011075123456"
    assert citizen.masked_national_id == "•••••••••456"


def test_an_unknown_ethnicity_is_refused_in_vietnamese(vietnamese: None) -> None:
    with pytest.raises(ValidationError) as error:
        ethnicity_resolve("Klingon")
    assert "không thuộc 54 dân tộc" in error.value.messages[0]


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Thái", "03"),
        ("thai", "03"),
        ("H'Mông", "08"),
        ("Mông", "08"),
        ("8", "08"),
        ("Khơ Mú", "29"),
    ],
)
def test_an_ethnicity_is_recognised_in_its_usual_spellings(spelling: str, code: str) -> None:
    assert ethnicity_resolve(spelling).code == code


def test_a_birth_year_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError):
        citizen_create(full_name="Lò Thị Ên", birth_year=2999, sex=Sex.FEMALE, home_unit=_branch())


def test_consent_is_recorded_with_its_notice_version_and_how_it_was_given(
    commune_officer: User,
) -> None:
    from django.utils import timezone

    from hoctap.people.models import ConsentMethod
    from hoctap.people.services import consent_record

    citizen = Citizen.objects.filter(home_unit__parent__code="03289")[0]
    before = citizen.consents.count()
    consent = consent_record(
        citizen=citizen,
        purpose="  Đánh giá   Công dân học tập ",
        notice_version="2026-01",
        method=ConsentMethod.PAPER,
        given_at=timezone.now(),
        recorded_by=commune_officer,
    )
    consent.refresh_from_db()
    assert consent.purpose == "Đánh giá Công dân học tập"
    assert (consent.notice_version, consent.method, consent.withdrawn_at) == (
        "2026-01",
        "paper",
        None,
    )
    assert citizen.consents.count() == before + 1
