"""The vaccination report's doses by day: a third dose or later has its own column, and the
columns of a day add up to its doses."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.campaigns.models import Campaign
from portal.demo.loader import DEMO_CAMPAIGN
from portal.extensions import db
from portal.reports import sources
from portal.reports.models import ReportJob
from portal.rosters.models import Person
from portal.sampling.models import Dose
from portal.units.services import by_code
from tests.conftest import log_in
from tests.reports.report_helpers import pdf_text


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "REPORT_JOBS": "inline"}


DAY = date(2021, 9, 30)


def _campaign():
    return db.session.scalars(select(Campaign).where(Campaign.name == DEMO_CAMPAIGN)).one()


def _add_doses(numbers: list[int]) -> None:
    """Doses numbered `numbers` given on DAY at a demo vaccination site of Phường Phúc Xá, to people with no dose that day."""
    model = db.session.scalars(select(Dose).where(Dose.unit_id == by_code("00001").id)).first()
    busy = select(Dose.person_id).where(Dose.given_on == DAY)
    people = db.session.scalars(select(Person).where(Person.roster_id == model.person.roster_id, Person.id.not_in(busy))
                                .order_by(Person.id).limit(len(numbers))).all()
    for person, number in zip(people, numbers):
        db.session.add(Dose(person_id=person.id, campaign_id=model.campaign_id, unit_id=model.unit_id, site_id=model.site_id,
                            given_on=DAY, vaccine=model.vaccine, lot=model.lot, dose_number=number))
    db.session.commit()


def test_doses_beyond_the_second_have_their_own_column_and_the_day_adds_up(app, tmp_path):
    _add_doses([4, 5, 2])
    expected = {1: 0, 2: 0, 3: 0}
    for number in db.session.scalars(select(Dose.dose_number).where(Dose.given_on == DAY,
                                                                     Dose.unit_id == by_code("00001").id)):
        expected[sources.dose_bucket(number)] += 1
    params = {"subject_unit_id": by_code("00001").id, "campaign_id": _campaign().id,
              "date_from": DAY.isoformat(), "date_to": DAY.isoformat()}
    row = sources.gather_vaccination(params)["by_day"][0]
    assert row["date"] == "30/09/2021"
    assert (row["dose1"], row["dose2"], row["dose3"]) == (expected[1], expected[2], expected[3])
    assert row["dose3"] >= 2 and row["dose1"] + row["dose2"] + row["dose3"] == row["doses"]

    client = app.test_client()
    log_in(client, "thuky")
    response = client.post("/reports/vaccination/jobs", data={
        "unit_id": by_code("00001").id, "campaign_id": _campaign().id, "date_from": "30/09/2021", "date_to": "30/09/2021",
        "signed_on": "30/09/2021", "signer_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Bình", "recipients": "Bộ Y tế", "drafting_unit": "SYT", "draft": "1"})
    response.close()
    assert response.status_code == 303, response.text[:2000]
    job = db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()
    text = pdf_text(job.pdf, tmp_path, raw=True)
    flat = " ".join(text.split())
    assert "Ngày Mũi 1 Mũi 2 Mũi 3 trở lên Tổng số mũi" in flat
    assert f"30/09/2021 {row['dose1']} {row['dose2']} {row['dose3']} {row['doses']}" in flat
