"""A clerk opens a person's page from the roster; the steering office sees the same page masked."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _sampled_person(app):
    from portal.rosters.models import Person
    from portal.sampling.models import Sample
    from portal.units.services import by_code

    with app.app_context():
        person = db.session.scalars(select(Person).join(Sample, Sample.person_id == Person.id).where(
            Person.unit_id == by_code("00001").id, Person.cccd.is_not(None)).order_by(Person.id).limit(1)).one()
        found = (person.roster_id, person.id, person.full_name, person.cccd)
        db.session.remove()
    return found


def test_person_page_from_the_roster(page, portal_url, live_server):
    roster_id, person_id, name, cccd = _sampled_person(live_server.app)
    sign_in(page, portal_url, "xa1")
    page.goto(f"{portal_url}/rosters/{roster_id}?q={name}")
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page).to_have_url(f"{portal_url}/rosters/{roster_id}/people/{person_id}")
    expect(page.get_by_role("heading", name="Thông tin cá nhân", exact=True)).to_be_visible()
    expect(page.get_by_text(cccd, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Mẫu xét nghiệm", exact=True)).to_be_visible()
    page.screenshot(path="/tmp/person-clerk.png", full_page=True)
    # the same citizen on the vaccination roster, one click away
    page.get_by_role("link", name="Danh sách tiêm chủng").click()
    expect(page.get_by_role("heading", name="Mũi tiêm", exact=True)).to_be_visible()
    page.screenshot(path="/tmp/person-vaccination.png", full_page=True)

    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, portal_url, "vanphong")
    page.goto(f"{portal_url}/rosters/{roster_id}/people/{person_id}")
    expect(page.get_by_text(cccd[:4] + "*****" + cccd[-3:], exact=True)).to_be_visible()
    page.screenshot(path="/tmp/person-office.png", full_page=True)
