"""A clerk records a dozen samples in a row: each answer brings the new row on top of the list on
screen (not the whole point), the list keeps its last ten, and a reload shows the same rows.
Screenshot in /tmp/sampling-point-rows.png."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.campaigns.models import Site
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.sampling.services import RECENT_SAMPLES
from portal.units.services import by_code
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
WAIT = 20_000


def _site_and_people(live_server, n):
    with live_server.app.app_context():
        commune = by_code("00004")
        site = db.session.scalars(select(Site).where(Site.unit_id == commune.id, Site.kind == "sampling_point")).first()
        people = db.session.scalars(select(Person).join(Roster, Roster.id == Person.roster_id).where(
            Person.unit_id == commune.id, Roster.kind == RosterKind.TESTING, Person.cccd.is_not(None))
            .order_by(Person.id.desc()).limit(n)).all()
        return site.id, [(p.cccd, p.full_name) for p in people]


def test_each_recording_adds_its_row_on_top_and_the_list_keeps_the_last_ten(page, portal_url, live_server):
    page.set_viewport_size({"width": 1280, "height": 1000})
    site_id, people = _site_and_people(live_server, RECENT_SAMPLES + 2)
    sign_in(page, portal_url, "xa2")
    page.goto(f"{portal_url}/sampling/sites/{site_id}")
    rows = page.locator("#recent-samples tr")
    for cccd, name in people:
        expect(page.locator("#q")).to_be_focused(timeout=WAIT)
        page.locator("#q").fill(cccd)
        page.locator("#q").press("Enter")
        expect(page.locator(".point-status")).to_contain_text(f"Đã lấy mẫu {name}", timeout=WAIT)
        expect(rows.first).to_contain_text(name, timeout=WAIT)
    expect(rows).to_have_count(RECENT_SAMPLES)
    expect(page.locator("#recent-samples .empty-row")).to_have_count(0)
    on_screen = rows.all_inner_texts()
    page.screenshot(path="/tmp/sampling-point-rows.png", full_page=True)
    page.reload()
    assert page.locator("#recent-samples tr").all_inner_texts() == on_screen
