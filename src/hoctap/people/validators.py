"""Validation of personal identifiers and attributes, with messages in the user's language."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# ASCII digits only: \d would also take other scripts' digits, which no CCCD has.
CCCD = re.compile(r"[0-9]{12}")
# How people group the digits when they write them: removed before the check.
CCCD_NOISE = re.compile(r"[\s.]")


def clean_national_id(value: str | None) -> str | None:
    """Return a CCCD number of exactly 12 digits (spaces and dots removed), or None if blank."""
    if value is None:
        return None
    digits = CCCD_NOISE.sub("", value)
    if not digits:
        return None
    if not CCCD.fullmatch(digits):
        raise ValidationError(
            _("A CCCD number has exactly 12 digits; %(value)s does not.") % {"value": value},
            code="national_id",
        )
    return digits


def clean_birth_year(value: int) -> int:
    """Return a birth year between 1900 and this year."""
    this_year = timezone.localdate().year
    if not 1900 <= value <= this_year:
        raise ValidationError(
            _("Birth year must be between 1900 and %(year)d.") % {"year": this_year},
            code="birth_year",
        )
    return value
