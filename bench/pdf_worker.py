"""One side of the roster printout figure, in its own process (peak memory is per process).

    python -m bench.pdf_worker portal|reference DATABASE_URL ROSTER_ID SECRETARY

portal:    portal.reports.services.produce_now for a draft roster printout (the secretary's
           job: gather the roster from the database, Vietnamese order, template, WeasyPrint,
           PDF stored on the job), committed.
reference: the same report's HTML (made first, not timed), then WeasyPrint alone on it with the
           same stylesheet: HTML(...).render(...).write_pdf(...).
Prints one JSON line."""
from __future__ import annotations

import json
import resource
import sys
import time


def main(mode: str, url: str, roster_id: str, username: str) -> dict:
    from sqlalchemy import select

    from bench.world import bench_config
    from portal import create_app
    from portal.auth.models import User
    from portal.extensions import db
    from portal.reports import services
    from portal.reports.models import ReportKind
    from portal.rosters.models import Roster

    app = create_app(bench_config(url))
    with app.test_request_context():
        actor = db.session.scalars(select(User).where(User.username == username)).one()
        roster = db.session.get(Roster, int(roster_id))
        params = {"subject_unit_id": roster.unit_id, "roster_id": roster.id, "site_id": None,
                  "signed_on": "2021-09-05", **services.default_document_fields(roster.unit)}
        if mode == "portal":
            t0, c0 = time.perf_counter(), time.process_time()
            job = services.produce_now(actor, ReportKind.ROSTER, params, issue=False)
            db.session.commit()
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            pages, size = job.page_count, len(job.pdf)
        else:
            from weasyprint import CSS, HTML

            from portal.reports.rendering import PRINT_CSS, pdf_stylesheet_text

            html = services.preview_html(actor, ReportKind.ROSTER, params, None)
            db.session.rollback()
            t0, c0 = time.perf_counter(), time.process_time()
            stylesheet = CSS(string=pdf_stylesheet_text(), base_url=str(PRINT_CSS.parent))
            document = HTML(string=html, base_url=str(PRINT_CSS.parent)).render(stylesheets=[stylesheet])
            pdf = document.write_pdf()
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            pages, size = len(document.pages), len(pdf)
    return {"seconds": seconds, "cpu": cpu, "pages": pages, "bytes": size,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
