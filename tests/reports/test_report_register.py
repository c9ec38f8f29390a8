"""The numbering register: per unit and year, never the same number twice, even under concurrency."""
import threading

from portal.database import write_intent
from portal.extensions import db
from portal.reports import register
from portal.units.services import by_code


def test_numbers_run_per_unit_and_year(app):
    syt, commune = by_code("SYT"), by_code("00001")
    assert [register.take_number(syt, 2021) for _ in range(3)] == [1, 2, 3]
    assert register.take_number(commune, 2021) == 1
    assert register.take_number(syt, 2022) == 1
    db.session.commit()
    assert register.last_number(syt, 2021) == 3 and register.last_number(commune, 2020) == 0


def test_concurrent_issuers_never_share_a_number(app):
    unit_id = by_code("SYT").id
    taken, errors = [], []

    def issuer():
        with app.app_context():
            try:
                from portal.units.models import Unit

                with write_intent():  # as the report job runner does
                    for _ in range(10):
                        taken.append(register.take_number(db.session.get(Unit, unit_id), 2021))
                        db.session.commit()
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issuer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(taken) == list(range(1, 41))
