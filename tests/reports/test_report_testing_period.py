"""The testing report counts the chosen period only, and its parts add up to its totals."""
from datetime import date, datetime

import pytest
from sqlalchemy import distinct, func, select

from portal.extensions import db
from portal.reports import sources
from portal.reports.formatting import vn_number
from portal.reports.models import ReportJob
from portal.rosters.models import Person, Roster, RosterKind
from portal.sampling.models import Result, Sample
from portal.units.services import by_code
from tests.conftest import log_in
from tests.reports.report_helpers import demo_campaign, flat_text, pdf_text


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "REPORT_JOBS": "inline"}


def _testing_people(code: str, count: int) -> list[Person]:
    return db.session.scalars(select(Person).join(Roster, Roster.id == Person.roster_id).where(
        Roster.kind == RosterKind.TESTING, Roster.campaign_id == demo_campaign().id, Roster.unit_id == by_code(code).id)
        .order_by(Person.id).limit(count)).all()


def _add_sample(person: Person, day: date, result: Result, round_number: int = 1, at_code: str | None = None) -> None:
    """A sample like the demo's own (same tube and site), taken on `day`."""
    unit = by_code(at_code) if at_code else person.unit
    model = db.session.scalars(select(Sample).where(Sample.unit_id == unit.id)).first()
    db.session.add(Sample(tube_id=model.tube_id, person_id=person.id, campaign_id=person.campaign_id, unit_id=unit.id,
                          site_id=model.site_id, round_number=round_number, taken_on=day,
                          taken_at=datetime.combine(day, datetime.min.time()), result=result))
    db.session.commit()


def _params(unit_code="01", **period):
    return {"subject_unit_id": by_code(unit_code).id, "campaign_id": demo_campaign().id, "signed_on": "2021-09-15", **period}


def _distinct_people(date_from: date, date_to: date, **where) -> int:
    stmt = select(func.count(distinct(Sample.person_id))).where(
        Sample.campaign_id == demo_campaign().id, Sample.taken_on >= date_from, Sample.taken_on <= date_to)
    if "result" in where:
        stmt = stmt.where(Sample.result == where["result"])
    return db.session.scalar(stmt)


def _issue(client, unit_id, date_from, date_to):
    data = {"unit_id": unit_id, "campaign_id": demo_campaign().id, "date_from": date_from, "date_to": date_to,
            "signed_on": "15/09/2021", "signer_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn Bình", "recipients": "Bộ Y tế", "drafting_unit": "SYT", "issue": "1",
            "confirm_issue": "y"}
    response = client.post("/reports/testing/jobs", data=data)
    response.close()
    assert response.status_code == 303, response.text[:2000]
    return db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()


def test_samples_outside_the_period_count_nowhere_in_the_report(app, tmp_path):
    late, cross = _testing_people("00001", 2)
    _add_sample(late, date(2026, 11, 24), Result.POSITIVE)             # after the period: must not count
    _add_sample(late, date(2026, 11, 24), Result.PENDING, round_number=2)
    _add_sample(cross, date(2021, 9, 10), Result.POSITIVE, at_code="00004")  # in the period, at another commune's point
    start, end = date(2021, 9, 1), date(2021, 9, 15)
    data = sources.gather_testing(_params(date_from=start.isoformat(), date_to=end.isoformat()))
    t = data["totals"]
    assert t["positive"] == _distinct_people(start, end, result=Result.POSITIVE)
    assert t["pending"] == _distinct_people(start, end, result=Result.PENDING)
    assert t["sampled"] == _distinct_people(start, end)
    assert t["samples"] == db.session.scalar(select(func.count(Sample.id)).where(
        Sample.campaign_id == demo_campaign().id, Sample.taken_on >= start, Sample.taken_on <= end))
    # A longer period takes the late samples in: one more positive, one more pending.
    longer = sources.gather_testing(_params(date_from=start.isoformat(), date_to="2026-11-30"))["totals"]
    assert longer["positive"] == _distinct_people(start, date(2026, 11, 30), result=Result.POSITIVE)
    assert longer["pending"] == _distinct_people(start, date(2026, 11, 30), result=Result.PENDING)
    assert longer["positive"] >= t["positive"] + (0 if _was_counted(late, start, end) else 1)

    # The PDF says the same, for the chosen period only.
    client = app.test_client()
    log_in(client, "thuky")
    job = _issue(client, by_code("01").id, "01/09/2021", "15/09/2021")
    flat = flat_text(pdf_text(job.issued_report.pdf, tmp_path))
    assert f"đang chờ kết quả: {vn_number(t['pending'])};" in flat
    assert f"số trường hợp dương tính (mẫu lấy trong kỳ): {vn_number(t['positive'])}." in flat
    assert f"đã lấy mẫu ít nhất 1 lần trong kỳ: {vn_number(t['sampled'])} người" in flat
    assert "từ ngày 01/09/2021 đến ngày 15/09/2021" in flat


def _was_counted(person, start, end) -> bool:
    return bool(db.session.scalar(select(func.count()).where(Sample.person_id == person.id, Sample.result == Result.POSITIVE,
                                                             Sample.taken_on >= start, Sample.taken_on <= end)))


def test_the_communes_and_zones_add_up_to_the_totals_each_person_once(app):
    person = _testing_people("00001", 1)[0]
    _add_sample(person, date(2021, 9, 6), Result.NEGATIVE, at_code="00004")  # sampled in two communes
    _add_sample(person, date(2021, 9, 7), Result.NEGATIVE, round_number=2)
    data = sources.gather_testing(_params(date_from="2021-09-01", date_to="2021-09-30"))
    t = data["totals"]
    for key in ("people", "sampled", "met", "pending", "positive"):
        assert sum(u[key] for u in data["units"]) == t[key], key
    for key in ("people", "sampled", "met"):
        assert sum(z[key] for z in data["zones"]) == t[key], key
    for k in range(data["max_rounds"]):
        assert sum(z["rounds"][k] for z in data["zones"]) == t["rounds"][k]
    assert t["sampled"] == _distinct_people(date(2021, 9, 1), date(2021, 9, 30))
    # "Sampled at least once" is any round; round 1 alone is printed as "Đợt 1".
    assert t["sampled"] >= t["rounds"][0]


def test_the_pdf_labels_rounds_as_rounds_and_states_how_people_are_counted(app, tmp_path):
    client = app.test_client()
    log_in(client, "thuky")
    job = _issue(client, by_code("001").id, "01/09/2021", "30/09/2021")
    flat = flat_text(pdf_text(job.issued_report.pdf, tmp_path))
    data = job.issued_report.snapshot["data"]
    assert "Đợt 1" in flat and "Đợt 2" in flat and "≥ 1 lần" not in flat and "≥ 2 lần" not in flat
    assert "Số người đã lấy mẫu trong từng đợt" in flat
    assert "Mỗi người được tính một lần, tại xã/phường và khu vực của danh sách có tên người đó" in flat.replace("/ ", "/")
    assert f"đã lấy mẫu ít nhất 1 lần trong kỳ: {vn_number(data['totals']['sampled'])} người" in flat
    assert sum(u["sampled"] for u in data["units"]) == data["totals"]["sampled"]


def test_an_empty_period_says_so(app, tmp_path):
    client = app.test_client()
    log_in(client, "thuky")
    job = _issue(client, by_code("01").id, "01/01/2020", "31/01/2020")
    flat = flat_text(pdf_text(job.issued_report.pdf, tmp_path))
    assert "Không có mẫu xét nghiệm nào được lấy trong kỳ báo cáo." in flat
    data = job.issued_report.snapshot["data"]
    assert data["totals"]["sampled"] == data["totals"]["positive"] == data["totals"]["pending"] == 0


def test_with_no_period_the_report_agrees_with_the_dashboards_counters(app):
    from portal.coverage import services as coverage
    from portal.units.models import Unit, UnitKind

    data = sources.gather_testing(_params())
    communes = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.COMMUNE)).all()
    cells = coverage.commune_cells(demo_campaign(), [c.id for c in communes])[0]
    by_name = {u["name"]: u for u in data["units"]}
    for commune in communes:
        f = coverage.commune_total(cells[commune.id])
        row = by_name[commune.name]
        assert (row["people"], row["sampled"], row["met"], row["pending"], row["positive"]) == (
            f.people, f.sampled, f.met, f.pending, f.positive), commune.name
