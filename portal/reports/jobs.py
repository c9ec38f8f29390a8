"""Background production of report PDFs.

A job lives in the database, so every app server sees its progress. The server that received the
request starts it in a thread once the response is sent (the request's commit has happened);
`flask report work` runs whatever is still queued (a dedicated worker, or after a restart).
The runner, not the services, commits: progress must be visible while the job runs."""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask, current_app
from sqlalchemy import select, update

from portal.database import write_intent
from portal.extensions import db
from portal.reports.models import JobStatus, ReportJob
from portal.timeutil import utcnow

log = logging.getLogger(__name__)


def start_after_response(response, job_id: int):
    """Run the job once the response is out: inline (tests, REPORT_JOBS=inline) or in a thread."""
    app = current_app._get_current_object()

    def _start():
        if app.config.get("REPORT_JOBS", os.environ.get("PORTAL_REPORT_JOBS", "thread")) == "inline":
            _run_in_app(app, job_id)
        else:
            threading.Thread(target=_run_in_app, args=(app, job_id), daemon=True,
                             name=f"report-job-{job_id}").start()

    response.call_on_close(_start)
    return response


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


STALL_SECONDS = 5


def stalled(job: ReportJob) -> bool:
    """Still queued some seconds after it was asked for: no runner has claimed it."""
    return job.status == JobStatus.QUEUED and (utcnow() - job.created_at).total_seconds() > STALL_SECONDS


def claim(job_id: int) -> bool:
    """Queued → running, atomically: two servers never run the same job."""
    result = db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id, ReportJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow(), progress=5)
    )
    db.session.commit()
    return result.rowcount == 1


def run_job(job_id: int) -> bool:
    """Produce one queued job's PDF; True when this call ran it."""
    with write_intent():
        return _run_job(job_id)


def _run_job(job_id: int) -> bool:
    from portal.reports.services import ReportError, produce

    if not claim(job_id):
        return False
    job = db.session.get(ReportJob, job_id)

    def progress(percent: int) -> None:
        job.progress = max(job.progress, min(int(percent), 95))
        db.session.commit()

    try:
        produce(job, progress)
        job.status = JobStatus.DONE
        job.progress = 100
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:  # the job records its failure; the page shows a message, not a 500
        db.session.rollback()
        job = db.session.get(ReportJob, job_id)
        job.status = JobStatus.FAILED
        job.finished_at = utcnow()
        job.message = str(exc) if isinstance(exc, ReportError) else "Không tạo được báo cáo. Vui lòng thử lại."
        db.session.commit()
        if not isinstance(exc, ReportError):
            log.exception("report job %s failed", job_id)
    return True


def run_queued(limit: int = 100) -> int:
    ids = db.session.scalars(
        select(ReportJob.id).where(ReportJob.status == JobStatus.QUEUED).order_by(ReportJob.id).limit(limit)
    ).all()
    return sum(1 for job_id in ids if run_job(job_id))
