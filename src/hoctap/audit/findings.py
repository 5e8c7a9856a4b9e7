"""The findings of `results_verify` as sentences an inspector reads, in the user's language."""

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from hoctap.audit.results import CertificateCheck, CertificateProblem, Disagreement, ResultsReport


def _shown(value: Any) -> str:
    """Return a stored or recorded value as an inspector reads it: JSON, a decimal as text."""
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def describe(d: Disagreement) -> str:
    """Return an assessment's disagreement as a sentence naming it, the field and both values."""
    values = {
        "a": d.record_id,
        "p": d.period,
        "field": d.field,
        "row": _shown(d.stored),
        "chain": _shown(d.recorded),
    }
    return (
        _(
            "Assessment %(a)s (%(p)s): %(field)s on the row is %(row)s, but its event chain "
            "says %(chain)s."
        )
        % values
    )


def describe_title(d: Disagreement) -> str:
    """Return a title decision's disagreement as a sentence."""
    values = {
        "id": d.record_id,
        "p": d.period,
        "field": d.field,
        "row": _shown(d.stored),
        "rule": _shown(d.recorded),
    }
    return (
        _(
            "Title entry %(id)s (%(p)s): %(field)s is %(row)s, but the scheme's rule gives "
            "%(rule)s for the scores and member counts it recorded."
        )
        % values
    )


def describe_certificate(p: CertificateProblem) -> str:
    """Return a certificate's problem as a sentence naming the certificate and its assessment."""
    messages = {
        CertificateCheck.NOT_IN_CHAIN: _(
            "Certificate %(s)s of assessment %(a)s: no event of the assessment's chain issued it."
        ),
        CertificateCheck.MISSING: _(
            "Certificate %(s)s, issued in the event chain of assessment %(a)s, is missing."
        ),
        CertificateCheck.REVOKED: _(
            "Certificate %(s)s of assessment %(a)s: whether it is revoked differs from the "
            "assessment's event chain."
        ),
        CertificateCheck.NOT_PASSED: _(
            "Certificate %(s)s certifies assessment %(a)s, which its event chain does not show "
            "as decided and passed."
        ),
        CertificateCheck.NUMBERING: _(
            "Certificate %(s)s of assessment %(a)s: its serial is not its issuer, year and number."
        ),
    }
    return messages[p.kind] % {"s": p.serial, "a": p.assessment_id}


def assessment_problems(report: ResultsReport) -> list[str]:
    """Return the assessments that disagree with their chains, saying how many went unnamed."""
    said = [describe(d) for d in report.disagreements]
    if report.disagreeing > len(report.disagreements):
        said.append(
            _("… and %(n)d more assessments that disagree with their event chains.")
            % {"n": report.disagreeing - len(report.disagreements)}
        )
    return said


def problems_of(report: ResultsReport) -> list[str]:
    """Return every problem of a report as sentences, saying how many were left unnamed."""
    said = assessment_problems(report)
    said += [describe_certificate(p) for p in report.certificate_problems]
    if report.certificates_wrong > len(report.certificate_problems):
        said.append(
            _("… and %(n)d more certificates that disagree with their assessments' chains.")
            % {"n": report.certificates_wrong - len(report.certificate_problems)}
        )
    said += [describe_title(d) for d in report.title_disagreements]
    if report.titles_disagreeing > len(report.title_disagreements):
        said.append(
            _("… and %(n)d more title decisions that disagree with their scheme's rule.")
            % {"n": report.titles_disagreeing - len(report.title_disagreements)}
        )
    return said
