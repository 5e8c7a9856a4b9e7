"""Candidates for the sibling titles: subjects whose member rollup meets the scheme's member rule.

A candidate is a proposal for a human decision: nothing here records an award. The member rule
is the `member_share` part of the scheme's rule; the other parts (scores of the family's or the
unit's own criteria) still need an assessment.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Period, PeriodScheme
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit
from hoctap.people.models import Household
from hoctap.schemes.loader import scheme_latest
from hoctap.schemes.members import (
    households_in,
    households_with_members,
    units_with_members,
)
from hoctap.schemes.models import Scheme, SchemeStatus, SubjectType
from hoctap.schemes.rules import MemberCounts, evaluate

FAMILY_SCHEME = "gia-dinh-hoc-tap"
LEARNING_UNIT_SCHEME = "don-vi-hoc-tap-2023"


@dataclass(frozen=True)
class Candidate:
    """One subject proposed for a title, with the counts that make it one."""

    subject: Household | Unit
    counts: MemberCounts

    @property
    def place(self) -> Unit | None:
        """Return the unit the subject belongs to: a household's unit, a unit's parent."""
        return self.subject.unit if isinstance(self.subject, Household) else self.subject.parent


@dataclass(frozen=True)
class Candidates:
    """The candidates of one unit subtree in one period under one scheme's member rule."""

    scheme: Scheme
    member_rule: Mapping[str, Any]
    unit: Unit
    period: Period
    items: tuple[Candidate, ...]
    # How many subjects were looked at, so that a page can say "3 of 30 households".
    considered: int

    @property
    def provisional(self) -> bool:
        return self.scheme.status == SchemeStatus.PROVISIONAL

    @property
    def at_least_percent(self) -> str:
        return str(self.member_rule["at_least_percent"])


def member_rule(rule: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Return the first `member_share` rule inside `rule` (itself or nested in `all_of`)."""
    if rule.get("type") == "member_share":
        return rule
    for sub in rule.get("rules", []) if rule.get("type") == "all_of" else []:
        found = member_rule(sub)
        if found is not None:
            return found
    return None


def candidates_scheme(*, period: Period, subject_type: str, default_code: str) -> Scheme:
    """Return the period's scheme for the subject when it has a member rule, else the default."""
    link = PeriodScheme.objects.filter(period=period, subject_type=subject_type).first()
    if link is not None and member_rule(link.scheme.rule) is not None:
        return link.scheme
    return scheme_latest(default_code)


def _access_unit(user: User, unit: Unit) -> Scope:
    """Return the user's scope, or raise NotFound when the unit lies outside it."""
    scope = scope_for(user)
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    return scope


def _rule_of(scheme: Scheme) -> Mapping[str, Any]:
    rule = member_rule(scheme.rule)
    if rule is None:
        raise ValidationError(_("Scheme %(code)s has no member rule.") % {"code": scheme.code})
    return rule


def family_candidates(*, user: User, period: Period, unit: Unit) -> Candidates:
    """Return the households of the subtree whose adults meet the learning-family member rule."""
    scope = _access_unit(user, unit)
    scheme = candidates_scheme(
        period=period, subject_type=SubjectType.HOUSEHOLD, default_code=FAMILY_SCHEME
    )
    rule = _rule_of(scheme)
    households = scope.filter(households_in(unit), "unit")
    rows = households_with_members(period=period, households=households)
    items = tuple(
        Candidate(subject=h, counts=c) for h, c in rows if evaluate(rule, {}, members=c).passed
    )
    return Candidates(scheme, rule, unit, period, items, len(rows))


def learning_unit_candidates(*, user: User, period: Period, unit: Unit) -> Candidates:
    """Return the agencies and branches of the subtree whose members meet the member rule."""
    scope = _access_unit(user, unit)
    scheme = candidates_scheme(
        period=period, subject_type=SubjectType.AGENCY, default_code=LEARNING_UNIT_SCHEME
    )
    rule = _rule_of(scheme)
    rows = units_with_members(period=period, unit=unit)
    items = tuple(
        Candidate(subject=u, counts=c)
        for u, c in rows
        if scope.covers_path(u.path) and evaluate(rule, {}, members=c).passed
    )
    return Candidates(scheme, rule, unit, period, items, len(rows))
