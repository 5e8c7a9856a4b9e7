"""verify-audit replays each assessment's event chain and compares the row with it.

The attack of issue 23: `UPDATE assessments_assessment SET passed=1, result='passed'` on a
failed pilot assessment left every hash chain intact, and `check-rollups --rebuild` then
carried it into the report. Rows are altered here as such an attacker would, past every
service, with plain SQL or a queryset update.
"""

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.periods import period_open
from hoctap.assessments.services import DecisionInput, assessment_transition
from hoctap.audit.results import results_verify
from hoctap.demo.pilot import COMMUNE_OFFICERS
from hoctap.people.models import ConsentMethod
from hoctap.recognition.models import Certificate, TitleEntry
from hoctap.recognition.services import certificate_issue, issuer_of
from hoctap.reports.models import ReportCell
from hoctap.transfer.importer import import_assessments
from hoctap.transfer.reader import read_table
from tests.transfer.files import Entry, people, write_xlsx

pytestmark = pytest.mark.django_db
PILOT = "2020-2021"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _verify() -> str:
    out = io.StringIO()
    call_command("verify-audit", stdout=out)
    return out.getvalue()


def _refused(command: str = "verify-audit", *args: str) -> tuple[str, str]:
    """Run a command that must fail; return what it printed and its error."""
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(command, *args, stdout=out)
    return out.getvalue(), str(refused.value)


def _failed_pilot() -> Assessment:
    """Return the first of the pilot's seven assessments that did not pass."""
    found = (
        Assessment.objects.filter(period__code=PILOT, passed=False).select_related("unit").first()
    )
    assert found is not None
    return found


def _passed_pilot(index: int = 0) -> Assessment:
    return Assessment.objects.filter(period__code=PILOT, passed=True).order_by("pk")[index]


def _sql(statement: str, *params: str | int | UUID) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _passed_cells() -> int:
    return sum(
        ReportCell.objects.filter(
            period__code=PILOT, dimension="group", state=State.DECIDED, outcome="passed"
        ).values_list("n", flat=True)
    )


def test_the_demo_and_its_workflow_history_agree_with_their_chains() -> None:
    said = _verify()
    count = Assessment.objects.count()
    assert f"Results: {count} assessments replayed from their event chains" in said
    assert "The audit record is intact." in said


def test_the_attack_of_issue_23_is_named_by_assessment_and_field() -> None:
    failed = _failed_pilot()
    true = "1" if connection.vendor == "sqlite" else "TRUE"
    _sql(
        f"UPDATE assessments_assessment SET passed={true}, result='passed' WHERE id = %s",  # noqa: S608
        failed.pk.hex if connection.vendor == "sqlite" else failed.pk,
    )

    _out, error = _refused()
    assert (
        f'Assessment {failed.pk} ({PILOT}): result on the row is "passed", but its event '
        'chain says "not_passed".'
    ) in error
    report = results_verify()
    assert report.disagreeing == 1
    assert [(d.record_id, d.field) for d in report.disagreements] == [(failed.pk, "result")]


def test_a_forged_pass_alone_is_named_by_the_field_passed() -> None:
    failed = _failed_pilot()
    Assessment.objects.filter(pk=failed.pk).update(passed=True)

    _out, error = _refused()
    assert f"Assessment {failed.pk} ({PILOT}): passed on the row is true" in error
    assert "its event chain says false." in error


def test_check_rollups_refuses_to_rebuild_over_the_attack_and_the_report_keeps_363() -> None:
    failed = _failed_pilot()
    before = _passed_cells()
    Assessment.objects.filter(pk=failed.pk).update(passed=True, result="passed")

    printed, error = _refused("check-rollups", "--rebuild")
    assert f"Assessment {failed.pk} ({PILOT}): result on the row" in printed
    assert "Nothing was rebuilt: 1 assessments disagree with their event chains" in error
    assert _passed_cells() == before == 363
    # The difference stays in sight: the plain check still fails.
    printed, _error = _refused("check-rollups", "--period", PILOT)
    assert f"{PILOT}: 8 differences." in printed


def test_check_rollups_rebuilds_when_every_row_agrees_with_its_chain() -> None:
    out = io.StringIO()
    call_command("check-rollups", "--rebuild", stdout=out)
    assert f"{PILOT}: rollups rebuilt." in out.getvalue()
    assert _passed_cells() == 363


def test_a_score_changed_on_the_row_is_named_with_its_indicator() -> None:
    a = _passed_pilot(3)
    scores = dict(a.final_scores)
    scores["CS3"] = "10" if scores["CS3"] != "10" else "9"
    Assessment.objects.filter(pk=a.pk).update(final_scores=scores)

    _out, error = _refused()
    assert f'Assessment {a.pk} ({PILOT}): final_scores[CS3] on the row is "{scores["CS3"]}"' in (
        error
    )
    assert f'its event chain says "{a.final_scores["CS3"]}".' in error


def test_a_changed_state_is_named() -> None:
    a = _passed_pilot(5)
    Assessment.objects.filter(pk=a.pk).update(state=State.BRANCH_REVIEWED)

    _out, error = _refused()
    assert (
        f'Assessment {a.pk} ({PILOT}): state on the row is "branch_reviewed", but its event '
        'chain says "decided".'
    ) in error


def test_a_changed_decision_number_is_named() -> None:
    a = _passed_pilot(7)
    Assessment.objects.filter(pk=a.pk).update(decision_number="99/QĐ-HKH")

    _out, error = _refused()
    assert f'Assessment {a.pk} ({PILOT}): decision_number on the row is "99/QĐ-HKH"' in error


def test_every_altered_assessment_is_listed_not_only_the_first() -> None:
    altered = [_passed_pilot(i) for i in (1, 2)]
    for a in altered:
        Assessment.objects.filter(pk=a.pk).update(final_total=a.final_total + 1)  # type: ignore[operator]

    report = results_verify()
    assert {d.record_id for d in report.disagreements} == {a.pk for a in altered}
    assert {d.field for d in report.disagreements} == {"final_total"}


def test_a_reopened_and_decided_again_assessment_agrees_with_its_chain(
    commune_officer: User, district_officer: User
) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.DECIDED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    a = assessment_transition(
        user=district_officer,
        assessment_id=a.pk,
        action="reopen",
        version=a.version,
        reason="Sai số quyết định",
    )
    assert results_verify().intact
    decision = DecisionInput(number="21/QĐ-HKH", date=date(2022, 6, 1), body="Hội Khuyến học xã")
    assessment_transition(
        user=commune_officer,
        assessment_id=a.pk,
        action="decide",
        version=a.version,
        decision=decision,
    )
    assert results_verify().intact


def test_imported_assessments_agree_with_their_chains(
    tmp_path: Path, commune_officer: User
) -> None:
    period: Period = period_open(code="2022-2023", scheme_code="cdht-2020")[0]
    entries = people(12, seed=11)

    def run(rows: list[Entry], state: State) -> None:
        path = write_xlsx(tmp_path / f"{state}.xlsx", [e.cells() for e in rows])
        import_assessments(
            table=read_table(path.read_bytes(), name=path.name),
            period=period,
            scope=scope_for(commune_officer),
            actor=commune_officer,
            state=state,
            consent=ConsentMethod.PAPER,
        )

    run(entries, State.SUBMITTED)
    assert results_verify().intact
    # Decided on a second import, some scores changed: the chain replays the import's rules.
    run([Entry(**{**vars(e), "scores": (10, *e.scores[1:])}) for e in entries], State.DECIDED)
    assert Assessment.objects.filter(period=period, state=State.DECIDED).count() == 12
    assert "The audit record is intact." in _verify()

    a = Assessment.objects.filter(period=period).order_by("pk").first()
    assert a is not None
    Assessment.objects.filter(pk=a.pk).update(self_scores={})
    assert [d.field for d in results_verify().disagreements] == ["self_scores[CS1]"]


def _officer_of(a: Assessment) -> User:
    return User.objects.get(username=COMMUNE_OFFICERS[issuer_of(a.unit).code])


def test_a_certificate_for_a_forged_pass_is_flagged() -> None:
    failed = _failed_pilot()
    Assessment.objects.filter(pk=failed.pk).update(passed=True, result="passed")
    # The service trusts the row: it issues, and writes the issue into the chain.
    certificate = certificate_issue(user=_officer_of(failed), assessment_id=failed.pk)

    _out, error = _refused()
    assert (
        f"Certificate {certificate.serial} certifies assessment {failed.pk}, which its event "
        "chain does not show as decided and passed."
    ) in error


def test_certificates_agree_with_the_chain_until_one_is_altered(commune_officer: User) -> None:
    a = Assessment.objects.filter(
        period__code=PILOT, passed=True, unit__code__startswith="03289"
    ).first()
    assert a is not None
    certificate = certificate_issue(user=commune_officer, assessment_id=a.pk)
    report = results_verify()
    assert (report.certificates, report.intact) == (1, True)

    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=certificate.issued_at, revoke_reason="Thu hồi"
    )
    _out, error = _refused()
    assert (
        f"Certificate {certificate.serial} of assessment {a.pk}: whether it is revoked differs"
    ) in error

    _sql("DELETE FROM recognition_certificate WHERE id = %s", certificate.pk)
    _out, error = _refused()
    assert (
        f"Certificate {certificate.serial}, issued in the event chain of assessment {a.pk}, "
        "is missing."
    ) in error


def test_a_title_decision_whose_result_was_altered_is_flagged() -> None:
    entry = TitleEntry.objects.filter(passed=False).first()
    assert entry is not None
    assert results_verify().titles == TitleEntry.objects.filter(passed__isnull=False).count()
    TitleEntry.objects.filter(pk=entry.pk).update(passed=True, result="passed")

    _out, error = _refused()
    assert f'Title entry {entry.pk} ({PILOT}): result is "passed", but the scheme\'s rule' in error


def test_the_disagreement_is_worded_in_vietnamese_for_an_inspector() -> None:
    failed = _failed_pilot()
    Assessment.objects.filter(pk=failed.pk).update(passed=True, result="passed")
    with translation.override("vi"):
        _out, error = _refused()
    assert f"Phiếu đánh giá {failed.pk} ({PILOT}): trường result" in error
