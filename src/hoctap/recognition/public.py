"""What the public verification page may tell about a certificate: no more than the paper.

Only initials of the holder, the title, the period, the issuer, the serial and the decision.
The reason for a revocation is not shown: an officer types it freely and it may name people
or circumstances (ADR 0026).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from hoctap.assessments.models import State
from hoctap.recognition.models import Certificate


def initials(full_name: str) -> str:
    """Return the initials of a name: "Lò Thị Hoa" → "L. T. H."."""
    return " ".join(f"{word[0].upper()}." for word in full_name.split() if word[0].isalpha())


@dataclass(frozen=True)
class PublicFacts:
    initials: str
    title: str
    period: str
    issuer: str
    serial: str
    decision_number: str
    decision_date: date | None
    current: bool
    revoked_at: datetime | None


def title_of(certificate: Certificate) -> str:
    """Return the title the certificate recognises."""
    return _("Learning Citizen")


def public_facts(certificate: Certificate) -> PublicFacts:
    """Return what anyone holding the QR code may learn about the certificate."""
    a = certificate.assessment
    # Reopened after issue: the decision no longer stands, so neither does the certificate.
    standing = a.state == State.DECIDED and a.passed is True
    return PublicFacts(
        initials=initials(a.citizen.full_name) if a.citizen else "",
        title=title_of(certificate),
        period=a.period.code,
        issuer=a.decision_body or certificate.issuer.name,
        serial=certificate.serial,
        decision_number=a.decision_number,
        decision_date=a.decision_date,
        current=certificate.revoked_at is None and standing,
        revoked_at=certificate.revoked_at,
    )
