"""Community learning centres (TTHTCĐ), their courses and sessions, and who attended."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen

# CS1 (keeps up with information) and CS3 (makes time for learning at the TTHTCĐ) are what
# attending any course shows; a course may name others (CS5 for an IT course, CS6 for languages).
DEFAULT_INDICATORS = ("CS1", "CS3")


def default_indicators() -> list[str]:
    """Return a fresh copy of the default indicator codes (a JSONField default must be callable)."""
    return list(DEFAULT_INDICATORS)


class Topic(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    HEALTH = "health", _("Health")
    LEGAL_ADVICE = "legal_advice", _("Legal advice")
    HUSBANDRY = "husbandry", _("Husbandry")
    FARMING = "farming", _("Farming")
    CULTURE = "culture", _("Culture")
    IT = "it", _("Information technology")
    LANGUAGES = "languages", _("Languages")
    OTHER = "other", _("Other")


class Centre(models.Model):
    """A commune's community learning centre, established by the commune (Decree 142/2025)."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="learning_centre", verbose_name=_("commune")
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        verbose_name = _("community learning centre")
        verbose_name_plural = _("community learning centres")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A training the centre runs; attending it is evidence for `indicators`."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("course title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    teacher = models.CharField(_("teacher"), max_length=120, blank=True)
    indicators = models.JSONField(_("indicators"), default=default_indicators)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="course_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One meeting of a course on one day."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.course} · {self.date:%d/%m/%Y}"


class Attendance(models.Model):
    """A citizen was present at a session; recorded by an officer."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="attendances")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "citizen"], name="one_attendance_each"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen} @ {self.session}"
