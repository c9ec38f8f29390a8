"""A clerk on a fresh demo: an empty Enter gets a hint, a sample and a dose are recorded today;
the dashboard shows percentages with the decimal comma. Screenshots in /tmp/sampling-*.png."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.campaigns.models import Site
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.units.services import by_code
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
WAIT = 20_000


def _sites_and_people(live_server):
    with live_server.app.app_context():
        commune = by_code("00001")
        sites = {s.kind.value: s.id for s in db.session.scalars(select(Site).where(Site.unit_id == commune.id))}
        person = lambda kind: db.session.scalars(select(Person).join(Roster, Roster.id == Person.roster_id).where(  # noqa: E731
            Person.unit_id == commune.id, Roster.kind == kind, Person.cccd.is_not(None)).order_by(Person.id.desc())).first()
        tested, vaccinated = person(RosterKind.TESTING), person(RosterKind.VACCINATION)
        return sites, (tested.cccd, tested.full_name), (vaccinated.cccd, vaccinated.full_name)


def test_clerk_on_the_fresh_demo_gets_a_hint_and_records_a_sample_and_a_dose_today(page, portal_url, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    sites, (cccd, name), (v_cccd, v_name) = _sites_and_people(live_server)
    sign_in(page, portal_url, "xa1")
    page.goto(f"{portal_url}/sampling/sites/{sites['sampling_point']}")
    line = page.locator("#q")
    line.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Chưa nhập gì", timeout=WAIT)
    page.screenshot(path="/tmp/sampling-empty-line.png", full_page=True)
    page.locator("#q").fill(cccd)
    page.locator("#q").press("Enter")
    expect(page.locator(".point-status")).to_contain_text(f"Đã lấy mẫu {name}, đợt 4", timeout=WAIT)
    page.screenshot(path="/tmp/sampling-point.png", full_page=True)
    page.goto(f"{portal_url}/sampling/sites/{sites['vaccination_site']}/vaccination")
    page.get_by_label("Vắc xin").fill("Pfizer")
    page.get_by_label("Số lô").fill("FF1")
    page.locator("#q").fill(v_cccd)
    page.locator("#q").press("Enter")
    expect(page.get_by_text(f"cho {v_name}")).to_be_visible(timeout=WAIT)
    page.locator("#q").fill(v_cccd)
    page.locator("#q").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("không ghi hai mũi", timeout=WAIT)
    page.screenshot(path="/tmp/sampling-vaccination.png", full_page=True)


def test_city_dashboard_percentages_use_the_decimal_comma(page, portal_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, portal_url, "soyte")
    page.goto(f"{portal_url}/coverage/")
    tiles = page.locator("dl.tiles").inner_text()
    assert "Người trong danh sách tiêm chủng" in tiles and re.search(r"\d+,\d%", tiles)
    assert not re.search(r"\d\.\d%", page.locator("#figures").inner_text())
    page.screenshot(path="/tmp/sampling-dashboard.png", full_page=True)


def test_lab_page_and_people_list_read_in_vietnamese(page, portal_url, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, portal_url, "xetnghiem")
    page.goto(f"{portal_url}/sampling/lab")
    expect(page.get_by_label("Hoặc tải tệp CSV hai cột: mã ống, kết quả (âm tính/dương tính)")).to_be_attached()
    page.screenshot(path="/tmp/sampling-lab.png", full_page=True)
