"""Checking every cell of an import before anything is written (pure, apart from lookups)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.core.text import fold, fold_compact, nfc
from hoctap.organisation.models import Unit
from hoctap.people.models import Ethnicity, Sex
from hoctap.people.validators import CCCD, CCCD_NOISE
from hoctap.schemes.definition import SchemeDefinition
from hoctap.transfer import columns as col
from hoctap.transfer.columns import Layout

V = TypeVar("V")
_SEXES = {"nam": Sex.MALE, "nu": Sex.FEMALE, "male": Sex.MALE, "female": Sex.FEMALE}
# How many distinct spellings a file's lookups remember.
_KEPT = 10_000


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return _("Row %(row)d, column “%(col)s”, value “%(val)s”: %(reason)s") % {
            "row": self.row,
            "col": self.column,
            "val": self.value,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Person:
    """One valid row."""

    row: int
    unit: Unit
    # The unit's key, read per row by the writer (a model's .pk is a property call).
    unit_id: int
    full_name: str
    search_name: str
    birth_year: int
    sex: str
    ethnicity_id: int | None
    national_id: str | None
    household_code: str
    group: str
    scores: dict[str, str] = field(default_factory=dict)


@dataclass
class Lookups:
    """What rows are checked against, loaded once per file."""

    units: dict[str, Unit]
    ethnicities: dict[str, Ethnicity]
    definition: SchemeDefinition
    # Ids of the looked-up units that lie in the importing user's scope.
    in_scope: set[int]
    groups: dict[str, str] = field(default_factory=dict)
    limits: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    this_year: int = 0
    # The few distinct spellings of sex, group and ethnicity in a file, folded once each.
    _seen: dict[str, str] = field(default_factory=dict)
    # The few distinct scores of a file, by indicator, checked once each.
    _scores: dict[tuple[str, str], str | None] = field(default_factory=dict)
    # The few distinct codes, years and choices of a file, normalised once each.
    _texts: dict[str, str] = field(default_factory=dict)

    def text(self, raw: str) -> str:
        """Return a short cell (a code, a year, a choice) in NFC, once per spelling."""
        value = self._texts.get(raw)
        if value is None:
            value = nfc(raw)
            if len(self._texts) < _KEPT:  # a hostile file's million spellings
                self._texts[raw] = value
        return value

    def score(self, code: str, raw: str) -> str | None:
        """Return the score as stored, or None if it is not a valid score of the indicator."""
        key = (code, raw)
        try:
            return self._scores[key]
        except KeyError:
            maximum, step = self.limits[code]
            value = _score(raw, maximum, step) if raw else None
            if len(self._scores) < _KEPT:
                self._scores[key] = value
            return value

    def folded(self, text: str, table: dict[str, V]) -> V | None:
        key = self._seen.get(text)
        if key is None:
            key = self._seen[text] = fold(text)
        return table.get(key)

    def ethnicity(self, text: str) -> Ethnicity | None:
        key = self._seen.get("\x00" + text)
        if key is None:
            key = self._seen["\x00" + text] = fold_compact(text)
        return self.ethnicities.get(key)

    def __post_init__(self) -> None:
        self.this_year = timezone.localdate().year
        # Folded once per file, not once per row.
        for group in self.definition.groups:
            for name in (group.code, group.name, *group.aliases, group.local_name):
                if name:
                    self.groups[fold(name)] = group.code
        self.limits = {i.code: (i.max, i.step) for i in self.definition.indicators}


def ethnicity_keys() -> dict[str, Ethnicity]:
    """Map every accepted spelling (code, name, alias) to its group."""
    keys: dict[str, Ethnicity] = {}
    for ethnicity in Ethnicity.objects.all():
        keys[ethnicity.code] = ethnicity
        keys[ethnicity.code.lstrip("0")] = ethnicity
        for key in ethnicity.match_keys:
            keys[key] = ethnicity
    return keys


def _score(raw: str, maximum: Decimal, step: Decimal) -> str | None:
    if raw.isascii() and raw.isdigit():  # "²".isdigit(), but int("²") fails
        whole = int(raw)
        return str(whole) if whole <= maximum and whole % step == 0 else None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= maximum or value % step != 0:
        return None
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


def check_row(
    number: int, cells: list[str], layout: Layout, look: Lookups
) -> tuple[Person | None, list[CellError]]:
    """Return the row as a Person, or every error it has."""
    errors: list[CellError] = []

    def cell(name: str) -> str:
        index = layout.positions.get(name)
        return look.text(cells[index]) if index is not None else ""

    def fail(column: str, value: str, reason: str) -> None:
        errors.append(CellError(number, column, value, reason))

    code = cell(col.UNIT)
    unit = look.units.get(code)
    # unit.id, not unit.pk: the pk is a property, and this runs for every row.
    if unit is None or unit.id not in look.in_scope:
        fail(col.UNIT, code, _("no unit with this code in your area during the period"))
    name_index = layout.positions.get(col.NAME)
    name = nfc(cells[name_index]) if name_index is not None else ""
    if not name:
        fail(col.NAME, name, _("the full name is empty"))
    year_text = cell(col.BIRTH_YEAR)
    this_year = look.this_year
    plain_year = len(year_text) == 4 and year_text.isascii() and year_text.isdigit()
    year = int(year_text) if plain_year else 0
    if not 1900 <= year <= this_year:
        fail(
            col.BIRTH_YEAR, year_text, _("a four-digit year from 1900 to %(y)d") % {"y": this_year}
        )
    sex_text = cell(col.SEX)
    sex = look.folded(sex_text, _SEXES)
    if sex is None:
        fail(col.SEX, sex_text, _("write Nam or Nữ"))
    ethnicity_text = cell(col.ETHNICITY)
    ethnicity = look.ethnicity(ethnicity_text) if ethnicity_text else None
    if ethnicity_text and ethnicity is None:
        fail(col.ETHNICITY, ethnicity_text, _("not one of the 54 official ethnic groups"))
    cccd_index = layout.positions.get(col.NATIONAL_ID)
    cccd_text = nfc(cells[cccd_index]) if cccd_index is not None else ""
    # Most cells are already twelve plain digits; the others lose spaces and dots first.
    plain = len(cccd_text) == 12 and cccd_text.isascii() and cccd_text.isdigit()
    cccd = cccd_text if plain else CCCD_NOISE.sub("", cccd_text)
    if cccd and not CCCD.fullmatch(cccd):
        fail(col.NATIONAL_ID, cccd_text, _("a CCCD number has exactly 12 digits"))
    group_text = cell(col.GROUP)
    group = look.folded(group_text, look.groups) if group_text else None
    if group is None:
        fail(col.GROUP, group_text, _("not a target group of the scheme"))
    scores: dict[str, str] = {}
    for code_, index in layout.indicators.items():
        raw = cells[index].strip()
        value = look.score(code_, raw)
        if value is None:
            fail(code_, raw, _("a score from 0 to %(m)s") % {"m": look.limits[code_][0]})
        else:
            scores[code_] = value
    if errors or unit is None or sex is None or group is None:
        return None, errors
    return (
        Person(
            row=number,
            unit=unit,
            unit_id=unit.id,
            full_name=name,
            search_name=fold(name),
            birth_year=year,
            sex=sex,
            ethnicity_id=ethnicity.pk if ethnicity else None,
            national_id=cccd or None,
            household_code=cell(col.HOUSEHOLD),
            group=group,
            scores=scores,
        ),
        [],
    )
