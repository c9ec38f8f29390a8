"""One side of the import figure, in its own process (peak memory is per process).

    python -m bench.import_worker portal|reference DATABASE_URL FILE ROSTER_ID

portal:    the portal's import (portal.rosters.imports.import_file: read, validate, duplicates
           in the file and the campaign, bulk insert, audit), committed.
reference: python-calamine reading every cell of the file, then one executemany INSERT of as
           many person rows (values prepared beforehand, not timed), rolled back.
Prints one JSON line."""
from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date, datetime
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(mode: str, url: str, file: str, roster_id: str) -> dict:
    from portal import create_app
    from portal.extensions import db
    from bench.world import bench_config

    # The default limit is 100,000 rows and counts the footer row ("Người lập biểu") too, so a
    # 100,000-person file as communes make them is refused: allow the footer.
    app = create_app(bench_config(url, ROSTER_IMPORT_MAX_ROWS=100_010, ROSTER_IMPORT_MAX_BYTES=50 * 1024 * 1024))
    data = Path(file).read_bytes()
    with app.app_context():
        from portal.rosters.models import Roster

        roster = db.session.get(Roster, int(roster_id))
        if mode == "portal":
            from portal.rosters import imports

            t0, c0 = time.perf_counter(), time.process_time()
            analysis = imports.import_file(None, roster, Path(file).name, data)
            db.session.commit()
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            return {"rows": len(analysis.accepted) + len(analysis.rejected), "seconds": seconds, "cpu_s": cpu,
                    "accepted": len(analysis.accepted), "rejected": len(analysis.rejected), "peak_mb": peak_mb()}
        from python_calamine import CalamineWorkbook
        from sqlalchemy import insert

        from portal.rosters.models import Person

        t0, c0 = time.perf_counter(), time.process_time()
        rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(data)).get_sheet_by_index(0).to_python()
        read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0
        people = [r for r in rows if isinstance(r[0], (int, float)) and r[1]]
        now = datetime.now()
        records = [{"roster_id": roster.id, "unit_id": roster.unit_id, "campaign_id": roster.campaign_id,
                    "full_name": r[1], "name_folded": r[1].lower(), "sort_key": r[1], "birth_date": date(1990, 1, 1),
                    "birth_year": 1990, "sex": "male", "cccd": str(r[4]) or None, "phone": str(r[5]) or None,
                    "address": r[6], "zone": "other", "prior_doses": 0, "created_at": now, "updated_at": now}
                   for r in people]
        t0, c0 = time.perf_counter(), time.process_time()
        db.session.execute(insert(Person.__table__), records)
        insert_s, insert_cpu = time.perf_counter() - t0, time.process_time() - c0
        db.session.rollback()
        return {"rows": len(records), "seconds": read_s + insert_s, "read_s": read_s, "insert_s": insert_s,
                "cpu_s": read_cpu + insert_cpu,
                "peak_mb": peak_mb()}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
