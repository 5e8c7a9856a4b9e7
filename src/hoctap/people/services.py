"""Writes about people: citizens, households, consent."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.core.text import fold, fold_compact, nfc
from hoctap.organisation.models import Unit
from hoctap.people.models import (
    CONSENT_PURPOSE,
    Citizen,
    Consent,
    ConsentMethod,
    Ethnicity,
    Household,
    Sex,
)
from hoctap.people.validators import clean_birth_year, clean_national_id


def ethnicity_resolve(value: str) -> Ethnicity:
    """Return the ethnic group named by its code, name or a known alias, in any spelling."""
    key = fold_compact(value)
    if not key:
        raise ValidationError(_("Ethnicity is empty."), code="ethnicity")
    for ethnicity in Ethnicity.objects.all():
        if key == ethnicity.code or key.zfill(2) == ethnicity.code or key in ethnicity.match_keys:
            return ethnicity
    raise ValidationError(
        _("%(value)s is not one of the 54 official ethnic groups.") % {"value": value},
        code="ethnicity",
    )


@transaction.atomic
def household_get_or_create(*, unit: Unit, code: str, head_name: str = "") -> Household:
    """Return the household with `code` in `unit`, creating it if new."""
    code = nfc(code)
    if not code:
        raise ValidationError(_("Household code is empty."), code="household")
    household, _created = Household.objects.get_or_create(
        unit=unit, code=code, defaults={"head_name": nfc(head_name)}
    )
    return household


@transaction.atomic
def citizen_create(
    *,
    full_name: str,
    birth_year: int,
    sex: Sex,
    home_unit: Unit,
    ethnicity: Ethnicity | None = None,
    national_id: str | None = None,
    household: Household | None = None,
    workplace: Unit | None = None,
) -> Citizen:
    """Create a citizen after checking every field; the name is stored composed (NFC)."""
    name = nfc(full_name)
    if not name:
        raise ValidationError(_("Full name is empty."), code="full_name")
    national_id = clean_national_id(national_id)
    if national_id and Citizen.objects.filter(national_id=national_id).exists():
        raise ValidationError(
            _("Another citizen already has CCCD number %(value)s.") % {"value": national_id},
            code="national_id_taken",
        )
    return Citizen.objects.create(
        full_name=name,
        search_name=fold(name),
        birth_year=clean_birth_year(birth_year),
        sex=sex,
        ethnicity=ethnicity,
        national_id=national_id,
        household=household,
        home_unit=home_unit,
        workplace=workplace,
    )


@transaction.atomic
def consent_record(
    *,
    citizen: Citizen,
    purpose: str,
    notice_version: str,
    method: ConsentMethod,
    given_at: datetime,
    recorded_by: User | None,
) -> Consent:
    """Record consent that the person gave explicitly (never assumed)."""
    return Consent.objects.create(
        citizen=citizen,
        purpose=nfc(purpose),
        notice_version=notice_version,
        method=method,
        given_at=given_at,
        recorded_by=recorded_by,
    )


def consent_on_record(citizen_id: int) -> bool:
    """Tell whether the person's consent to take part is recorded and not withdrawn."""
    return Consent.objects.filter(
        citizen_id=citizen_id, purpose=CONSENT_PURPOSE, withdrawn_at__isnull=True
    ).exists()


def citizen_match(
    *,
    unit: Unit,
    full_name: str,
    birth_year: int,
    national_id: str | None,
    household: Household | None,
) -> Citizen | None:
    """Find a person by CCCD when given, else by (unit, name, birth year, household)."""
    if national_id:
        return Citizen.objects.filter(national_id=national_id).first()
    return Citizen.objects.filter(
        home_unit=unit, search_name=fold(full_name), birth_year=birth_year, household=household
    ).first()


@transaction.atomic
def citizen_find_or_create(
    *,
    unit: Unit,
    full_name: str,
    birth_year: int,
    sex: Sex,
    ethnicity: str = "",
    national_id: str | None = None,
    household_code: str = "",
) -> Citizen:
    """Return the matching person, or enrol a new one in `unit`; every field is checked."""
    national_id = clean_national_id(national_id)
    household = household_get_or_create(unit=unit, code=household_code) if household_code else None
    found = citizen_match(
        unit=unit,
        full_name=full_name,
        birth_year=birth_year,
        national_id=national_id,
        household=household,
    )
    if found is not None:
        return found
    return citizen_create(
        full_name=full_name,
        birth_year=birth_year,
        sex=sex,
        home_unit=unit,
        ethnicity=ethnicity_resolve(ethnicity) if ethnicity.strip() else None,
        national_id=national_id,
        household=household,
    )
