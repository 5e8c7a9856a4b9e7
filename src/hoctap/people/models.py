"""Citizens, their households and their consent to the processing of personal data."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoctap.organisation.models import Unit


class Ethnicity(models.Model):
    """One of the 54 officially recognised ethnic groups (code list of the GSO)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=60)
    # Folded spellings that also name this group ("hmong", "mong", "meo").
    match_keys = models.JSONField(default=list)

    class Meta:
        verbose_name = _("ethnicity")
        verbose_name_plural = _("ethnicities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Household(models.Model):
    """A household enrolled through a village or branch; its code is unique within the unit."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="households")
    code = models.CharField(_("household code"), max_length=32)
    head_name = models.CharField(_("head of household"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="household_code_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.head_name}".strip()


class Citizen(models.Model):
    """A person who takes part; names are stored composed (NFC)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=120)
    # Accent-free, lower-case copy of the name so that "nguyen van" finds "Nguyễn Văn".
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.ForeignKey(
        Ethnicity, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ethnicity")
    )
    # NULL, not "", for "no CCCD": the unique constraint then covers only numbers that exist.
    national_id = models.CharField(  # noqa: DJ001
        _("CCCD number"), max_length=12, null=True, blank=True
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    home_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="residents", verbose_name=_("unit")
    )
    workplace = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("workplace"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["search_name", "birth_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=Q(national_id__isnull=False),
                name="citizen_national_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900) & Q(birth_year__lte=2100),
                name="citizen_birth_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_national_id(self) -> str:
        """Show only the last three digits of the CCCD number."""
        if not self.national_id:
            return ""
        return "•" * 9 + self.national_id[-3:]


# The one purpose people consent to when they take part (Law 91/2025: consent per purpose).
CONSENT_PURPOSE = "Công dân học tập: đánh giá, công nhận và báo cáo"


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Signed paper form")
    VERBAL = "verbal", _("Spoken, with a witness")
    ONLINE = "online", _("Online form")


class Consent(models.Model):
    """Consent given for one purpose under one version of the privacy notice."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=200)
    notice_version = models.CharField(_("notice version"), max_length=20)
    method = models.CharField(_("how it was given"), max_length=16, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.citizen} · {self.purpose}"


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Copy of their data")
    ERASURE = "erasure", _("Erasure")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class DataRequest(models.Model):
    """A person's request about their own data, with its statutory deadlines and handling.

    The row outlives the erasure it may lead to: it keeps the unit and a neutral label, never
    the person's name, so the association can show that it answered and when.
    """

    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_requests"
    )
    subject = models.CharField(_("subject"), max_length=60)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    received_at = models.DateTimeField(_("received at"))
    received_how = models.CharField(_("received how"), max_length=16, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledge_by = models.DateField(_("answer due"))
    due_by = models.DateField(_("carry out by"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.subject} · {self.kind} · {self.status}"
