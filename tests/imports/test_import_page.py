import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from hoctap.assessments.periods import period_open
from hoctap.people.models import Consent
from hoctap.transfer import importer, jobs
from hoctap.transfer.jobs import check_job_task, import_job_task, import_uploads_purge
from hoctap.transfer.models import ImportJob, JobStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = "Mã đơn vị,Họ và tên,Năm sinh,Giới tính,Nhóm đối tượng," + ",".join(
    f"CS{i}" for i in range(1, 11)
)


def _csv(*rows: str) -> SimpleUploadedFile:
    text = "\n".join([HEADER, *rows]) + "\n"
    return SimpleUploadedFile("danh-sach.csv", text.encode("utf-8"), content_type="text/csv")


def _row(name: str, score: int = 9, unit: str = "03289-CH2") -> str:
    return f"{unit},{name},1980,Nữ,G1," + ",".join([str(score)] * 10)


@pytest.fixture
def period(db: None, settings: Any, tmp_path: Path) -> str:
    settings.MEDIA_ROOT = tmp_path
    period_open(code="2022-2023", scheme_code="cdht-2020")
    return "2022-2023"


def _upload(
    client: Client, upload: SimpleUploadedFile, period: str, state: str = "submitted"
) -> Any:
    return client.post(
        "/imports/", {"period": period, "target_state": state, "file": upload}, follow=True
    )


@pytest.fixture
def checked_later(settings: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Make every upload large enough to be checked by the background task.

    Returns the upload function, which runs the callbacks of the request's commit (the
    task's enqueueing) as the real request would.
    """
    settings.HOCTAP_IMPORT_BACKGROUND_CHECK_BYTES = 100

    def upload(client: Client, upload: SimpleUploadedFile, period: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return _upload(client, upload, period)

    return upload


def test_a_good_file_is_checked_then_imported_on_confirmation(
    commune_officer: User, period: str, tmp_path: Path
) -> None:
    client = client_for(commune_officer)
    checked = _upload(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên")), period)
    job = ImportJob.objects.get(user=commune_officer)
    assert job.status == JobStatus.CHECKED
    assert "Nhập ngay" in checked.content.decode()
    assert not Assessment.objects.filter(period__code=period).exists()
    client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.summary["created"] == 2
    assert Assessment.objects.filter(period__code=period).count() == 2
    assert not job.file
    assert not any((tmp_path / "imports").glob("*"))


def test_a_file_with_errors_lists_every_one_and_writes_nothing(
    commune_officer: User, period: str
) -> None:
    client = client_for(commune_officer)
    page = _upload(client, _csv(_row("Lò Thị Pánh", score=11), _row("", unit="99999")), period)
    body = page.content.decode()
    job = ImportJob.objects.get(user=commune_officer)
    assert job.status == JobStatus.HAS_ERRORS
    assert job.rows == 2  # every row read, though none can be imported
    assert "Dòng 2" in body
    assert "Dòng 3" in body
    assert "Nhập ngay" not in body
    assert not Assessment.objects.filter(period__code=period).exists()


def test_a_large_file_runs_in_the_background_and_reports_its_outcome(
    commune_officer: User,
    period: str,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HOCTAP_IMPORT_BACKGROUND_ROWS = 1
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên"), _row("Tòng Văn Hặc")), period)
    job = ImportJob.objects.get(user=commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    polled = client.get(f"/imports/{job.pk}/status")
    assert 'hx-trigger="every 2s"' in polled.content.decode()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [str(job.pk)]
    # What the worker does with the queued task (`hoctap db_worker`, started by `serve`).
    import_job_task.call(*queued.args_kwargs["args"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Assessment.objects.filter(period__code=period).count() == 3
    assert "every 2s" not in client.get(f"/imports/{job.pk}/status").content.decode()


def test_a_large_upload_is_checked_in_the_background_then_confirmed(
    commune_officer: User, period: str, checked_later: Any
) -> None:
    client = client_for(commune_officer)
    page = checked_later(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên")), period)
    job = ImportJob.objects.get(user=commune_officer)
    # The request returns at once: nothing checked yet, the page polls.
    assert job.status == JobStatus.CHECKING
    assert job.rows == 0
    body = page.content.decode()
    assert "Đang kiểm tra tệp" in body
    assert 'hx-trigger="every 2s"' in body
    assert "Nhập ngay" not in body
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("check_job_task")
    check_job_task.call(*queued.args_kwargs["args"])
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert job.rows == 2
    polled = client.get(f"/imports/{job.pk}/status").content.decode()
    assert "every 2s" not in polled
    assert "Nhập ngay" in polled
    assert "Số dòng: 2" in polled  # the polled part shows what the check counted
    assert not Assessment.objects.filter(period__code=period).exists()
    client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Assessment.objects.filter(period__code=period).count() == 2


def test_a_large_upload_with_errors_is_refused_in_the_background_and_not_kept(
    commune_officer: User, period: str, tmp_path: Path, checked_later: Any
) -> None:
    client = client_for(commune_officer)
    checked_later(client, _csv(_row("Lò Thị Pánh", score=11), _row("Cà Thị Ên")), period)
    job = ImportJob.objects.get(user=commune_officer)
    check_job_task.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.HAS_ERRORS
    assert any("Dòng 2" in error for error in job.errors)
    assert not job.file
    assert not any((tmp_path / "imports").glob("*"))
    assert "Nhập ngay" not in client.get(f"/imports/{job.pk}").content.decode()
    # A second run of the same task (a worker retrying) changes nothing.
    assert check_job_task.call(str(job.pk)) == JobStatus.HAS_ERRORS


def _broken(**kwargs: Any) -> Any:
    raise RuntimeError("disk gone")


def test_a_background_check_that_crashes_marks_the_job_failed_and_deletes_the_file(
    commune_officer: User,
    period: str,
    tmp_path: Path,
    checked_later: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for(commune_officer)
    checked_later(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên")), period)
    job = ImportJob.objects.get(user=commune_officer)
    monkeypatch.setattr(jobs, "import_assessments", _broken)
    with pytest.raises(RuntimeError):
        check_job_task.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors == ["Không kiểm tra được tệp; chưa có dữ liệu nào được ghi."]
    assert job.finished_at is not None
    assert not job.file
    assert not any((tmp_path / "imports").glob("*"))
    page = client.get(f"/imports/{job.pk}").content.decode()
    assert "every 2s" not in page
    assert "Nhập ngay" not in page


def test_a_background_import_that_crashes_marks_the_job_failed_and_deletes_the_file(
    commune_officer: User,
    period: str,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.HOCTAP_IMPORT_BACKGROUND_ROWS = 1
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên")), period)
    job = ImportJob.objects.get(user=commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    monkeypatch.setattr(jobs, "import_assessments", _broken)
    with pytest.raises(RuntimeError):
        import_job_task.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors == ["Nhập dữ liệu thất bại; không có gì được ghi."]
    assert not job.file
    assert not any((tmp_path / "imports").glob("*"))
    assert not Assessment.objects.filter(period__code=period).exists()


def test_the_polled_status_shows_how_far_a_check_or_an_import_has_got(
    commune_officer: User, period: str
) -> None:
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên")), period)
    job = ImportJob.objects.get(user=commune_officer)
    # What a background task's progress leaves on the job while it runs.
    url = f"/imports/{job.pk}/status"
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.CHECKING, rows=0, rows_checked=20000
    )
    assert "Đã kiểm tra 20000 dòng." in client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows=50000)
    running = client.get(url).content.decode()
    assert '<progress value="20000" max="50000"' in running
    assert "Đã kiểm tra 20000 / 50000 dòng." in running
    assert 'hx-trigger="every 2s"' in running
    ImportJob.objects.filter(pk=job.pk).update(rows_checked=50000)
    assert "Đã kiểm tra mọi dòng; đang ghi 50000 dòng." in client.get(url).content.decode()


def test_a_running_job_records_its_progress_where_the_page_sees_it(
    commune_officer: User,
    period: str,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.HOCTAP_IMPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(importer, "CHUNK", 1)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 1)
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Pánh"), _row("Cà Thị Ên"), _row("Tòng Văn Hặc")), period)
    job = ImportJob.objects.get(user=commune_officer)
    assert job.rows_checked == 3  # the check's own count
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    seen: list[tuple[str, int]] = []
    record = jobs._progress

    def watched(job: ImportJob, rows: int) -> None:
        record(job, rows)
        stored = ImportJob.objects.get(pk=job.pk)
        seen.append((stored.status, stored.rows_checked))

    monkeypatch.setattr(jobs, "_progress", watched)
    import_job_task.call(str(job.pk))
    assert seen == [("running", 1), ("running", 2), ("running", 3), ("running", 3)]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_a_branch_officer_may_not_import_decided_results(branch_officer: User, period: str) -> None:
    page = _upload(client_for(branch_officer), _csv(_row("Lò Thị Pánh")), period, "decided")
    assert page.status_code == 200
    assert not ImportJob.objects.exists()
    assert "không được nhập kết quả đã công nhận" in page.content.decode()


def test_an_outsider_cannot_see_or_start_someone_elses_import(
    commune_officer: User, outsider: User, period: str
) -> None:
    _upload(client_for(commune_officer), _csv(_row("Lò Thị Pánh")), period)
    job = ImportJob.objects.get(user=commune_officer)
    other = client_for(outsider)
    assert other.get(f"/imports/{job.pk}/").status_code == 404
    assert other.get(f"/imports/{job.pk}/status").status_code == 404
    assert other.post(f"/imports/{job.pk}/confirm").status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED


def test_an_outsiders_file_cannot_reach_another_commune(outsider: User, period: str) -> None:
    _upload(client_for(outsider), _csv(_row("Lò Thị Pánh")), period)
    job = ImportJob.objects.get(user=outsider)
    assert job.status == JobStatus.HAS_ERRORS
    assert not Assessment.objects.filter(period__code=period).exists()


def test_the_import_pages_refuse_wrong_methods_and_anonymous_visitors(
    commune_officer: User, period: str
) -> None:
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Pánh")), period)
    job = ImportJob.objects.get(user=commune_officer)
    assert client.get(f"/imports/{job.pk}/confirm").status_code == 405
    assert client.post(f"/imports/{job.pk}/status").status_code == 405
    assert client.put("/imports/").status_code == 405
    assert Client().get("/imports/").status_code == 302


def test_confirming_twice_imports_once(commune_officer: User, period: str) -> None:
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Pánh")), period)
    job = ImportJob.objects.get(user=commune_officer)
    client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    second = client.post(f"/imports/{job.pk}/confirm", {"consent": "on"}, follow=True)
    assert "Không thể bắt đầu" in second.content.decode()
    assert Assessment.objects.filter(period__code=period).count() == 1


def test_uploads_not_imported_within_seven_days_are_deleted(
    commune_officer: User, period: str, settings: Any, tmp_path: Path
) -> None:
    client = client_for(commune_officer)
    for name in ("Lò Thị Pánh", "Cà Thị Ên", "Tòng Văn Hặc"):
        _upload(client, _csv(_row(name)), period)
    old_checked, old_checking, recent = ImportJob.objects.order_by("created_at")
    ImportJob.objects.filter(pk=old_checking.pk).update(status=JobStatus.CHECKING)
    eight_days_ago = timezone.now() - timedelta(days=8)
    ImportJob.objects.filter(pk__in=[old_checked.pk, old_checking.pk]).update(
        created_at=eight_days_ago
    )
    out = io.StringIO()
    call_command("purge-imports", stdout=out)
    assert "2" in out.getvalue()
    for job in (old_checked, old_checking):
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert not job.file
        assert job.errors == ["Tệp không được nhập trong vòng 7 ngày nên đã bị xóa."]
    recent.refresh_from_db()
    assert recent.status == JobStatus.CHECKED
    assert [p.name for p in (tmp_path / "imports").iterdir()] == [str(recent.pk)]
    # The purged upload cannot be imported any more; the recent one still can.
    client.post(f"/imports/{old_checked.pk}/confirm", {"consent": "on"})
    assert not Assessment.objects.filter(period__code=period).exists()
    client.post(f"/imports/{recent.pk}/confirm", {"consent": "on"})
    assert Assessment.objects.filter(period__code=period).count() == 1
    assert import_uploads_purge() == 0


# Consent and the template


def test_an_import_is_refused_until_the_officer_confirms_the_peoples_consent(
    commune_officer: User, period: str
) -> None:
    client = client_for(commune_officer)
    _upload(client, _csv(_row("Lò Thị Đồng"), _row("Cà Văn Ý")), period)
    job = ImportJob.objects.get(user=commune_officer)
    refused = client.post(f"/imports/{job.pk}/confirm", follow=True).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert "phiếu đồng ý" in refused
    assert not Assessment.objects.filter(period__code=period).exists()
    client.post(f"/imports/{job.pk}/confirm", {"consent": "on"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    consents = Consent.objects.filter(citizen__full_name__in=["Lò Thị Đồng", "Cà Văn Ý"])
    assert sorted(consents.values_list("method", "recorded_by__username")) == [
        ("paper", "quaicang"),
        ("paper", "quaicang"),
    ]
    assert job.summary["consents_recorded"] == 2


def test_the_imports_page_offers_the_template_of_a_period_and_unit(
    commune_officer: User, period: str
) -> None:
    client = client_for(commune_officer)
    page = client.get("/imports/").content.decode()
    assert 'action="/imports/template.xlsx"' in page
    response = client.get(
        "/imports/template.xlsx",
        {"period": period, "unit": "Chi hội khuyến học bản Kép (03289-CH2)"},
    )
    assert response.status_code == 200
    assert "mau-nhap-2022-2023-03289-CH2.xlsx" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


def test_the_template_of_another_communes_unit_is_not_found(outsider: User, period: str) -> None:
    response = client_for(outsider).get(
        "/imports/template.xlsx", {"period": period, "unit": "03289-CH2"}
    )
    assert response.status_code == 404
