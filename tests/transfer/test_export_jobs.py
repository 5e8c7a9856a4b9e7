"""Large exports: queued, written in the background with the owner's scope, downloaded, purged."""

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from hoctap.accounts.models import RoleAssignment, User
from hoctap.assessments.models import Assessment
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen, Sex
from hoctap.people.selectors import citizen_list
from hoctap.people.services import citizen_create
from hoctap.transfer import export_jobs, exports
from hoctap.transfer.export_jobs import export_files_purge, export_job_task
from hoctap.transfer.models import ExportJob, ExportKind, ExportStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FORMULA_NAME = "=2+5 Lò Văn Pọng"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Keep written files in a folder of the test's own, and call anything over 2 rows large."""
    settings.MEDIA_ROOT = tmp_path
    settings.HOCTAP_EXPORT_BACKGROUND_ROWS = 2
    return tmp_path


def _ask(client: Client, url: str, capture: Any, **params: str) -> Any:
    """Ask for an export, letting the task be queued as a committed request would."""
    with capture(execute=True):
        return client.get(url, params)


def _run_queued() -> ExportJob:
    """Do what the worker (`hoctap db_worker`) does with the one queued task."""
    queued = DBTaskResult.objects.get()
    export_job_task.call(*queued.args_kwargs["args"])
    return ExportJob.objects.get(pk=queued.args_kwargs["args"][0])


def _csv_lines(job: ExportJob) -> list[str]:
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8")
    assert text.startswith("\ufeff")
    lines: list[str] = text.removeprefix("\ufeff").splitlines()
    return lines


def _quai_cang_names() -> set[str]:
    return set(
        Citizen.objects.filter(home_unit__parent__code="03289").values_list("full_name", flat=True)
    )


def test_a_small_export_still_streams_at_once(
    commune_officer: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HOCTAP_EXPORT_BACKGROUND_ROWS = 1000
    response = _ask(
        client_for(commune_officer), "/exports/citizens.csv", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert response.streaming
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 111
    assert not ExportJob.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_large_export_sends_the_viewer_to_its_job_page(
    commune_officer: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(commune_officer)
    response = _ask(
        client,
        "/exports/assessments.xlsx",
        django_capture_on_commit_callbacks,
        period="2020-2021",
        unit="03289",
    )
    job = ExportJob.objects.get(user=commune_officer)
    assert response.status_code == 303
    assert response["Location"] == f"/exports/jobs/{job.pk}"
    assert (job.kind, job.fmt, job.status) == (ExportKind.ASSESSMENT, "xlsx", ExportStatus.QUEUED)
    assert job.parameters["period"] == "2020-2021"
    assert job.parameters["unit"] == "03289"
    assert job.rows_total == 110
    assert DBTaskResult.objects.get().args_kwargs["args"] == [str(job.pk)]
    assert AccessLogEntry.objects.filter(
        user=commune_officer, action=AccessAction.EXPORT, object_id=str(job.pk)
    ).exists()
    page = client.get(f"/exports/jobs/{job.pk}").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "0/110" in page
    assert "/download" not in page


def test_the_task_writes_a_csv_of_exactly_the_people_in_scope_with_formulas_defused(
    commune_officer: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    citizen_create(
        full_name=FORMULA_NAME,
        birth_year=1975,
        sex=Sex.MALE,
        home_unit=Unit.objects.get(code="03289-CH1"),
    )
    client = client_for(commune_officer)
    _ask(client, "/exports/citizens.csv", django_capture_on_commit_callbacks)
    job = _run_queued()
    assert job.status == ExportStatus.DONE
    assert job.rows_written == job.rows_total == 111
    lines = _csv_lines(job)
    names = {line.split(",")[0] for line in lines[1:]}
    assert len(lines) == 112
    assert "'" + FORMULA_NAME in names
    assert names - {"'" + FORMULA_NAME} == _quai_cang_names() - {FORMULA_NAME}
    status = client.get(f"/exports/jobs/{job.pk}/status").content.decode()
    assert "every 2s" not in status
    assert f"/exports/jobs/{job.pk}/download" in status


def test_the_task_writes_an_xlsx_of_the_branch_asked_for(
    commune_officer: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(commune_officer)
    _ask(
        client,
        "/exports/assessments.xlsx",
        django_capture_on_commit_callbacks,
        period="2020-2021",
        unit="03289-CH1",
    )
    job = _run_queued()
    response: Any = client.get(f"/exports/jobs/{job.pk}/download")
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    expected = Assessment.objects.filter(period__code="2020-2021", unit__code="03289-CH1").count()
    assert expected > 2
    assert len(rows) == expected + 1
    assert "CS10" in rows[0]
    assert {row[0] for row in rows[1:]} == {"03289-CH1"}
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate()
    assert f'filename="danh-gia-2020-2021-{today:%Y%m%d}.xlsx"' in response["Content-Disposition"]


def test_each_download_is_logged_and_sent_as_an_attachment(
    commune_officer: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(commune_officer)
    _ask(client, "/exports/citizens.csv", django_capture_on_commit_callbacks, q="thị")
    job = _run_queued()
    logged = AccessLogEntry.objects.filter(
        user=commune_officer, action=AccessAction.EXPORT, object_id=str(job.pk)
    )
    before = logged.count()
    response: Any = None
    for _time in range(2):
        response = client.get(f"/exports/jobs/{job.pk}/download")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert logged.count() == before + 2
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cong-dan-')
    assert logged.latest("seq").detail["download"] is True


def test_the_task_uses_the_owners_scope_when_it_runs(
    commune_officer: User, outsider: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    others = set(citizen_list(user=outsider).values_list("full_name", flat=True))
    assert others - _quai_cang_names()
    _ask(client_for(commune_officer), "/exports/citizens.csv", django_capture_on_commit_callbacks)
    # The officer leaves the commune before the worker gets to the export.
    RoleAssignment.objects.filter(user=commune_officer).delete()
    job = _run_queued()
    assert job.status == ExportStatus.DONE
    assert job.rows_written == 0
    assert _csv_lines(job)[1:] == []


def test_a_person_outside_the_scope_never_appears(
    commune_officer: User, outsider: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    others = set(citizen_list(user=outsider).values_list("full_name", flat=True))
    only_others = others - _quai_cang_names()
    assert only_others
    _ask(client_for(commune_officer), "/exports/citizens.csv", django_capture_on_commit_callbacks)
    names = {line.split(",")[0] for line in _csv_lines(_run_queued())[1:]}
    assert names
    assert not names & only_others


def test_a_unit_slipped_into_the_parameters_from_outside_the_scope_fails_without_a_file(
    commune_officer: User, outsider: User, media: Path
) -> None:
    foreign = citizen_list(user=outsider).exclude(home_unit__code__startswith="03289").first()
    assert foreign
    job = ExportJob.objects.create(
        user=commune_officer,
        kind=ExportKind.ASSESSMENT,
        fmt="csv",
        parameters={"period": "2020-2021", "unit": foreign.home_unit.code},
        filename="danh-gia.csv",
        status=ExportStatus.QUEUED,
    )
    assert export_job_task.call(str(job.pk)) == ExportStatus.FAILED
    job.refresh_from_db()
    assert not job.file
    assert not any(media.rglob("*"))


def test_a_failure_midway_publishes_nothing_and_says_so(
    commune_officer: User,
    media: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(citizens: Any) -> exports.Table:
        header, rows = real(citizens)

        def some_then_crash() -> Iterator[list[object]]:
            yield next(rows)
            raise RuntimeError("disk full")

        return header, some_then_crash()

    real = exports.citizen_table
    monkeypatch.setattr(exports, "citizen_table", broken)
    client = client_for(commune_officer)
    _ask(client, "/exports/citizens.csv", django_capture_on_commit_callbacks)
    with pytest.raises(RuntimeError, match="disk full"):
        _run_queued()
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED
    assert not job.file
    assert not any(media.rglob("*"))
    page = client.get(f"/exports/jobs/{job.pk}").content.decode()
    assert "Xuất dữ liệu không thành công" in page
    assert "every 2s" not in page
    assert client.get(f"/exports/jobs/{job.pk}/download").status_code == 404


def test_progress_is_saved_while_the_file_is_written(
    commune_officer: User,
    media: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def watched(citizens: Any) -> exports.Table:
        header, rows = real(citizens)

        def watching() -> Iterator[list[object]]:
            for row in rows:
                seen.append(ExportJob.objects.get().rows_written)
                yield row

        return header, watching()

    real = exports.citizen_table
    monkeypatch.setattr(exports, "citizen_table", watched)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 50)
    _ask(client_for(commune_officer), "/exports/citizens.xlsx", django_capture_on_commit_callbacks)
    job = _run_queued()
    assert sorted(set(seen)) == [0, 50, 100]
    assert job.rows_written == 110


def test_an_officer_of_another_commune_cannot_see_or_download_the_job(
    commune_officer: User, outsider: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    _ask(client_for(commune_officer), "/exports/citizens.csv", django_capture_on_commit_callbacks)
    job = _run_queued()
    other = client_for(outsider)
    for suffix in ("", "/status", "/download"):
        assert other.get(f"/exports/jobs/{job.pk}{suffix}").status_code == 404
    assert not AccessLogEntry.objects.filter(user=outsider).exists()


def test_the_job_pages_refuse_a_post(
    commune_officer: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(commune_officer)
    _ask(client, "/exports/citizens.csv", django_capture_on_commit_callbacks)
    job = _run_queued()
    for suffix in ("", "/status", "/download"):
        assert client.post(f"/exports/jobs/{job.pk}{suffix}").status_code == 405
    assert Client().get(f"/exports/jobs/{job.pk}/download").status_code == 302


def _written(user: User, days_ago: int) -> ExportJob:
    job = ExportJob.objects.create(
        user=user,
        kind=ExportKind.CITIZEN,
        fmt="csv",
        filename="cong-dan.csv",
        status=ExportStatus.DONE,
        finished_at=timezone.now() - timedelta(days=days_ago),
    )
    job.file.save("x", ContentFile(b"\xef\xbb\xbfHo va ten\n"))
    return job


def test_the_purge_deletes_files_written_over_seven_days_ago(
    commune_officer: User, media: Path
) -> None:
    old, recent = _written(commune_officer, 8), _written(commune_officer, 6)
    out = io.StringIO()
    call_command("purge-exports", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file
    assert recent.file
    assert sorted(p.name for p in (media / "exports").iterdir()) == [str(recent.pk)]
    assert "1" in out.getvalue()
    assert export_files_purge() == 0
    client = client_for(commune_officer)
    assert client.get(f"/exports/jobs/{old.pk}/download").status_code == 404
    assert "7 ngày" in client.get(f"/exports/jobs/{old.pk}").content.decode()


def test_asking_for_a_new_export_purges_the_old_files(
    commune_officer: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    old = _written(commune_officer, 8)
    response = _ask(
        client_for(commune_officer), "/exports/citizens.csv", django_capture_on_commit_callbacks
    )
    assert response.status_code == 303
    old.refresh_from_db()
    assert not old.file
    assert not (media / "exports" / str(old.pk)).exists()
