"""Periods, assessments with their three score layers, the event history and evidence."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen
from hoctap.schemes.models import Scheme, SubjectType


class Period(models.Model):
    """An assessment period: a school year ("2020-2021") or a calendar year ("2024")."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    self_assessment_until = models.DateField(_("self-assessment until"), null=True, blank=True)
    review_until = models.DateField(_("review until"), null=True, blank=True)
    decision_until = models.DateField(_("decision until"), null=True, blank=True)
    # Percent targets the reports measure progress against, by code; empty means the
    # national defaults of QĐ 677/QĐ-TTg (see reports.selectors.DEFAULT_TARGETS).
    targets = models.JSONField(_("targets"), default=dict, blank=True)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="period_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PeriodScheme(models.Model):
    """The one scheme a period uses for one subject type."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="schemes")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="periods")
    subject_type = models.CharField(max_length=16, choices=SubjectType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "subject_type"], name="one_scheme_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.scheme}"


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SELF_ASSESSED = "self_assessed", _("Self-assessed")
    SUBMITTED = "submitted", _("Submitted")
    BRANCH_REVIEWED = "branch_reviewed", _("Reviewed by the branch")
    DECIDED = "decided", _("Decided")
    RETURNED = "returned", _("Returned")


class Result(models.TextChoices):
    PASSED = "passed", _("Passed")
    NOT_PASSED = "not_passed", _("Not passed")


class Assessment(models.Model):
    """One subject's assessment in one period under one scheme version, in the unit it was made."""

    # The client generates the id, so that a re-sent request never creates a second record.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments")
    subject_type = models.CharField(max_length=16, choices=SubjectType.choices)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessments")
    group = models.CharField(_("target group"), max_length=16)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.REGISTERED
    )
    self_scores = models.JSONField(default=dict, blank=True)
    reviewer_scores = models.JSONField(default=dict, blank=True)
    final_scores = models.JSONField(default=dict, blank=True)
    # Derived from final_scores by the scheme rule when decided; kept for fast reports.
    final_total = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    result = models.CharField(_("result"), max_length=32, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    decision_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The end of this assessment's event chain: how many events, and the last one's hash.
    # Kept here so that removing the last events is detected too (ADR 0024). The database
    # defaults let a raw bulk insert leave them out: no events yet, an empty chain.
    event_count = models.PositiveIntegerField(default=0, db_default=0)
    event_head = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "citizen"],
                condition=Q(citizen__isnull=False),
                name="one_assessment_per_citizen_and_period",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "unit", "state"], name="assessment_period_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.citizen or self.unit} · {self.get_state_display()}"

    def scores(self, layer: str) -> dict[str, Any]:
        """Return one layer's scores (self, reviewer or final)."""
        value: dict[str, Any] = getattr(self, f"{layer}_scores")
        return value


class AssessmentEvent(models.Model):
    """An append-only record of one transition or score change, chained by hash per assessment.

    Written only by `assessments.events.event_append` or a bulk writer computing the same chain;
    the database refuses UPDATE on this table (ADR 0024).
    """

    # Indexed by the unique (assessment, seq) constraint, which it leads.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    # 1, 2, 3 … within the assessment.
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, choices=State.choices)
    to_state = models.CharField(max_length=16, choices=State.choices)
    reason = models.TextField(blank=True)
    # {"layer": {"CS1": [old, new], …}} for every score that changed.
    changes = models.JSONField(default=dict, blank=True)
    # Set when the citizen acted through an access code rather than a signed-in officer.
    access_code = models.ForeignKey(
        "AccessCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["at", "pk"]
        constraints = [
            # Two writers can never fork a chain: the second insert of a number fails.
            models.UniqueConstraint(fields=["assessment", "seq"], name="one_event_per_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_state}→{self.to_state}"


class AccessCode(models.Model):
    """A citizen's key to their own self-assessment, without an account.

    Only an HMAC of the code is stored: the officer sees the code once, on the printed card.
    The code ends when the assessment is submitted, when a new one replaces it, or on expiry.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="access_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.created_at:%Y-%m-%d}"


class PeriodClosure(models.Model):
    """A commune has closed its part of a period: every assessment in it is reviewed."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="closures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="closures")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="one_closure_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.unit}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Store under a generated name; the uploader's file name is never part of a path."""
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
    return f"evidence/{instance.assessment_id}/{instance.id}{suffix.get(instance.content_type, '')}"


class Evidence(models.Model):
    """A photo or document supporting one or more indicators of an assessment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    indicators = models.JSONField(default=list)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name or str(self.id)
