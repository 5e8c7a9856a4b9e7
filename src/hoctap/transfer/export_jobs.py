"""Large exports: queued when asked for, written in the background, downloaded, then purged."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from hoctap.accounts.models import User
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import DomainError
from hoctap.transfer.exports import (
    ExportSelection,
    assessment_selection,
    citizen_selection,
    csv_file,
    xlsx_file,
)
from hoctap.transfer.models import ExportJob, ExportKind, ExportStatus, export_path

# The file holds personal data: it is deleted this long after it was written.
KEEP_FOR = timedelta(days=7)
# How often (in rows) the job's progress is saved for the page that polls it.
PROGRESS_EVERY = 2000


def export_selection(*, user: User, kind: str, parameters: dict[str, Any]) -> ExportSelection:
    """Select what the parameters ask for within `user`'s scope as it is now."""
    if kind == ExportKind.CITIZEN:
        return citizen_selection(user=user, query=str(parameters.get("q", "")))
    return assessment_selection(
        user=user,
        period_code=str(parameters.get("period", "")),
        unit_code=str(parameters.get("unit", "")),
    )


def export_log_detail(*, kind: str, fmt: str, parameters: dict[str, Any]) -> dict[str, str]:
    """Return what the access log keeps of an export (the length of a name search, not it)."""
    if kind == ExportKind.CITIZEN:
        return {"format": fmt, "q_len": str(len(str(parameters.get("q", ""))))}
    return {
        "format": fmt,
        "period": str(parameters.get("period", "")),
        "unit": str(parameters.get("unit", "")),
    }


def export_filename(name: str, fmt: str) -> str:
    """Return the download name of an export asked for today."""
    return f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"


def export_job_start(
    *, user: User, kind: str, fmt: str, parameters: dict[str, str], name: str, rows_total: int
) -> ExportJob:
    """Log the export and queue it for the background worker.

    Files past their keeping time go first, so that they are deleted even where nobody
    schedules `hoctap purge-exports`.
    """
    export_files_purge()
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            kind=kind,
            fmt=fmt,
            parameters={**parameters, "language": translation.get_language() or ""},
            filename=export_filename(name, fmt),
            status=ExportStatus.QUEUED,
            rows_total=rows_total,
        )
        detail = export_log_detail(kind=kind, fmt=fmt, parameters=parameters)
        access_log_record(
            user=user,
            action=AccessAction.EXPORT,
            object_type=kind,
            object_id=job.pk,
            detail={**detail, "rows": job.rows_total, "background": True},
        )
        transaction.on_commit(lambda: export_job_task.enqueue(str(job.pk)))
    return job


def export_job_download_log(*, user: User, job: ExportJob) -> None:
    """Record one download of a finished export."""
    detail = export_log_detail(kind=job.kind, fmt=job.fmt, parameters=job.parameters)
    access_log_record(
        user=user,
        action=AccessAction.EXPORT,
        object_type=job.kind,
        object_id=job.pk,
        detail={**detail, "rows": job.rows_written, "download": True},
    )


def _language(job: ExportJob) -> str:
    """Return the language the export was asked in, if the site speaks it."""
    asked = str(job.parameters.get("language", ""))
    return asked if asked in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _counted(job: ExportJob, rows: Iterator[list[object]]) -> Iterator[list[object]]:
    """Pass the rows on, saving how many are written every PROGRESS_EVERY rows."""
    written = 0
    for row in rows:
        yield row
        written += 1
        if written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_written=written)
    job.rows_written = written


def _write(job: ExportJob) -> None:
    """Write the whole file to a temporary file, then publish it in one step."""
    # The scope is the owner's as it is now, whatever it was when the export was asked for.
    selection = export_selection(user=job.user, kind=job.kind, parameters=job.parameters)
    job.rows_total = selection.count()
    job.save(update_fields=["rows_total"])
    header, rows = selection.table()
    counted = _counted(job, rows)
    if job.fmt == "csv":
        handle = csv_file(header, counted)
    else:
        handle = xlsx_file(selection.name, header, counted)
    with handle:
        job.file.save(str(job.pk), File(handle), save=False)
    job.status = ExportStatus.DONE
    job.finished_at = timezone.now()
    job.save()


def _fail(job: ExportJob) -> None:
    """Mark the job failed and remove whatever part of its file reached the storage."""
    storage = job.file.storage
    if job.file:
        job.file.delete(save=False)
    storage.delete(export_path(job, ""))
    job.status = ExportStatus.FAILED
    job.finished_at = timezone.now()
    job.save()


@task()
def export_job_task(job_id: str) -> str:
    """Write a queued export's file in the background."""
    # Claim the job: a task delivered twice writes the file once.
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job.status
    try:
        with translation.override(_language(job)):
            _write(job)
    except (ValidationError, DomainError):
        # The period or the unit is gone, or no longer in the owner's scope.
        _fail(job)
    except Exception:
        _fail(job)
        raise
    return job.status


def export_files_purge(*, now: datetime | None = None) -> int:
    """Delete the files of exports written more than KEEP_FOR ago; return how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    purged = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=True)
        purged += 1
    return purged
