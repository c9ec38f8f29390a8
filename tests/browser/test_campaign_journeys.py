"""Campaign journeys in a browser: set-up with 3 rounds; a clerk samples with the keyboard
alone (single and pooled); the lab enters pool results; dashboards change without a reload."""
import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.campaigns.models import Site
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.timeutil import local_today
from portal.units.services import by_code
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# Every wait is on a condition (a text shown, a response, the focus back in the field), never on
# time; the limits are generous because the suite runs on 2 busy cores. Dashboards poll every 5 s.
WAIT = 20_000
POLL_WAIT = 45_000


class Keys:
    """Presses keys and counts them."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key):
        self.count += 1
        self.page.keyboard.press(key)


def _people(live_server, n):
    with live_server.app.app_context():
        commune = by_code("00001")
        rows = db.session.scalars(select(Person).join(Roster, Roster.id == Person.roster_id).where(
            Person.unit_id == commune.id, Roster.kind == RosterKind.TESTING, Person.cccd.is_not(None))
            .order_by(Person.id).limit(n)).all()
        site = db.session.scalars(select(Site).where(Site.unit_id == commune.id, Site.kind == "sampling_point")
                                  .order_by(Site.id)).first()
        return [(p.cccd, p.full_name, p.name_folded) for p in rows], site.id, site.campaign_id


def _round_today(live_server, campaign_id) -> int:
    """The demo campaign's round that covers today: the set-up journey adds it through the
    page when it ran first on this server; under pytest-xdist it may have run on another
    worker (its own server), so this journey must not depend on it."""
    from portal.campaigns import services as campaigns
    from portal.campaigns.models import Campaign

    with live_server.app.app_context():
        today = local_today()
        found = campaigns.round_for(campaign_id, today)
        if found is None:
            found = campaigns.add_round(None, db.session.get(Campaign, campaign_id), today - timedelta(days=1),
                                        today + timedelta(days=1))
            db.session.commit()
        return found.number


def _figure(page, name):
    return page.locator(f'[data-figure="{name}"]').first.inner_text()


def test_steering_office_sets_up_a_campaign_with_three_rounds(page, portal_url):
    sign_in(page, portal_url, "vanphong")
    page.goto(f"{portal_url}/campaigns/")
    page.get_by_label("Tên chiến dịch").fill("Chiến dịch kiểm thử")
    page.get_by_label("Từ ngày").fill("2021-10-01")
    page.get_by_label("Đến ngày").fill("2021-10-31")
    page.get_by_role("button", name="Tạo chiến dịch").click()
    expect(page.get_by_role("heading", name=re.compile("Chiến dịch kiểm thử"))).to_be_visible()
    for start, end in (("2021-10-01", "2021-10-03"), ("2021-10-06", "2021-10-08"), ("2021-10-11", "2021-10-13")):
        page.get_by_label("Đợt bắt đầu").fill(start)
        page.get_by_label("Đợt kết thúc").fill(end)
        page.get_by_role("button", name="Thêm đợt").click()
        expect(page.get_by_text("Đã thêm đợt.")).to_be_visible()
    expect(page.get_by_role("cell", name="Đợt 3")).to_be_visible()
    page.get_by_label("Mã cơ sở xét nghiệm").fill("CDC")
    page.get_by_role("button", name="Thêm phòng xét nghiệm").click()
    page.get_by_label("Tên điểm").fill("Điểm lấy mẫu Trường Tiểu học Phúc Xá")
    page.get_by_label("Mã xã/phường").fill("00001")
    page.get_by_role("button", name="Thêm điểm").click()
    expect(page.get_by_role("cell", name="Điểm lấy mẫu Trường Tiểu học Phúc Xá")).to_be_visible()
    page.screenshot(path="/tmp/camp_setup.png", full_page=True)
    # The demo campaign gets a round for today, so that the clerk can sample now.
    page.goto(f"{portal_url}/campaigns/")
    page.get_by_role("link", name="Chiến dịch tháng 9/2021").click()
    today = local_today()
    page.get_by_label("Đợt bắt đầu").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Đợt kết thúc").fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Thêm đợt").click()
    expect(page.get_by_role("cell", name="Đợt 4")).to_be_visible()


def test_clerk_samples_with_the_keyboard_lab_enters_pools_dashboards_follow(browser, portal_url, live_server):
    people, site_id, campaign_id = _people(live_server, 8)
    round_figure = f"round-{_round_today(live_server, campaign_id)}"
    pages = {}
    for user in ("soyte", "quan", "xa1"):
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        dash = context.new_page()
        sign_in(dash, portal_url, user)
        dash.goto(f"{portal_url}/coverage/?campaign={campaign_id}")
        dash.evaluate("window.__noReload = true")
        pages[user] = dash
    before = {user: (_figure(p, round_figure), _figure(p, "positive"), _figure(p, "retest")) for user, p in pages.items()}

    clerk_ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    clerk = clerk_ctx.new_page()
    sign_in(clerk, portal_url, "xa1")
    clerk.goto(f"{portal_url}/sampling/sites/{site_id}")
    keys = Keys(clerk)
    status = clerk.locator(".point-status")
    timings = []

    entry = clerk.locator("#q")

    def type_in_entry(text):
        expect(entry).to_be_focused(timeout=WAIT)  # the swapped-in field has the focus again
        expect(entry).to_have_value("")
        clerk.keyboard.type(text)

    def command(text, message):
        type_in_entry(text)
        clerk.keyboard.press("Enter")
        expect(status).to_contain_text(message, timeout=WAIT)

    def sample_by_cccd(cccd, name):
        start = time.perf_counter()
        type_in_entry(cccd)
        keys.press("Enter")
        expect(status).to_contain_text(f"Đã lấy mẫu {name}", timeout=WAIT)
        timings.append(time.perf_counter() - start)

    # single samples: CCCD then Enter
    for cccd, name, _ in people[:2]:
        sample_by_cccd(cccd, name)
    single_code = re.search(r"ống (XN\d+)", status.inner_text()).group(1)
    # a few letters of a name without diacritics: Enter, then Enter on the first candidate if several
    cccd, name, folded = people[2]
    start = time.perf_counter()
    type_in_entry(folded)
    keys.press("Enter")
    # Either the one match is sampled at once, or the namesakes are listed: wait for one of the
    # two (the status line of the previous sample is still there until the answer arrives).
    candidates = clerk.locator("button.candidate")
    done = status.get_by_text(f"Đã lấy mẫu {name}")
    expect(candidates.or_(done).first).to_be_visible(timeout=WAIT)
    if not done.count():
        candidate = clerk.get_by_role("button", name=re.compile(re.escape(name)))
        candidate.first.focus()  # the exact person among the namesakes (first one has focus already)
        keys.press("Enter")
    expect(status).to_contain_text(f"Đã lấy mẫu {name}", timeout=WAIT)
    timings.append(time.perf_counter() - start)
    assert keys.count <= 2 * 3

    # pooled tube A (will be negative): open, 3 people, close
    command("+GBA", "Đã mở ống gộp GBA")
    for cccd, name, _ in people[3:6]:
        sample_by_cccd(cccd, name)
    expect(clerk.locator(".tube-state")).to_contain_text("GBA: 3/10")
    command("-", "Đã đóng ống gộp GBA (3 người)")
    # pooled tube B (will be positive)
    command("+GBB", "Đã mở ống gộp GBB")
    for cccd, name, _ in people[6:8]:
        sample_by_cccd(cccd, name)
    command("-", "Đã đóng ống gộp GBB (2 người)")
    clerk.screenshot(path="/tmp/camp_point_session.png", full_page=True)
    samples = len(timings)
    assert keys.count <= 2 * samples, f"{keys.count} keys after the CCCD/name for {samples} samples"
    print(f"\nsampling: {samples} samples, {keys.count} keys after the CCCD/name "
          f"({keys.count / samples:.2f} per sample), {1000 * sum(timings) / samples:.0f} ms per sample "
          f"(typing included), slowest {1000 * max(timings):.0f} ms")

    # the dashboards already show round 4 going up, without a reload
    expect(pages["xa1"].locator(f'[data-figure="{round_figure}"]').first).not_to_have_text(before["xa1"][0], timeout=POLL_WAIT)
    expect(pages["soyte"].locator(f'[data-figure="{round_figure}"]').first).not_to_have_text(before["soyte"][0], timeout=POLL_WAIT)

    # the lab: pool A negative, pool B positive, and the single positive
    lab_ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    lab = lab_ctx.new_page()
    sign_in(lab, portal_url, "xetnghiem")
    lab.goto(f"{portal_url}/sampling/lab")
    lab_line = lab.locator("#line")
    for line, message in (("GBA am", "Đã ghi kết quả 1 ống (0 dương tính)"), ("GBB duong", "Đã ghi kết quả 1 ống (1 dương tính)"),
                          (f"{single_code} duong", "Đã ghi kết quả 1 ống (1 dương tính)")):
        expect(lab_line).to_be_focused(timeout=WAIT)
        expect(lab_line).to_have_value("")
        lab.keyboard.type(line)
        # two lines give the same message: wait for this line's own answer, not the last one's
        with lab.expect_response(lambda r: r.url.endswith("/sampling/lab/results") and r.request.method == "POST",
                                 timeout=WAIT) as answer:
            lab.keyboard.press("Enter")
        assert answer.value.ok, answer.value.status
        expect(lab.get_by_role("status")).to_contain_text(message, timeout=WAIT)
    lab.screenshot(path="/tmp/camp_lab_session.png", full_page=True)

    for user, dash in pages.items():
        expect(dash.locator('[data-figure="positive"]').first).not_to_have_text(before[user][1], timeout=POLL_WAIT)
        expect(dash.locator('[data-figure="retest"]').first).not_to_have_text(before[user][2], timeout=POLL_WAIT)
        assert dash.evaluate("window.__noReload") is True
        dash.screenshot(path=f"/tmp/camp_dashboard_{user}.png", full_page=True)
    # the people of the positive pool are listed for the commune
    pages["xa1"].locator('[data-figure="retest"] a').click()
    for _, name, _ in people[6:8]:
        expect(pages["xa1"].get_by_role("cell", name=name)).to_be_visible(timeout=WAIT)


def _vaccination_people(live_server):
    """Two people of Phúc Xá's vaccination roster with no dose recorded: the first never had
    one; the second had one before the campaign and has a name that no one else on the roster
    shares (found by letters without a choice to make)."""
    from sqlalchemy import func

    from portal.sampling.models import Dose

    with live_server.app.app_context():
        commune = by_code("00001")
        site = db.session.scalars(select(Site).where(Site.unit_id == commune.id, Site.kind == "vaccination_site")
                                  .order_by(Site.id)).first()
        roster_id = db.session.scalar(select(Roster.id).where(Roster.unit_id == commune.id, Roster.campaign_id == site.campaign_id,
                                                              Roster.kind == RosterKind.VACCINATION))
        dosed = select(Dose.person_id)
        unique = select(Person.name_folded).where(Person.roster_id == roster_id).group_by(Person.name_folded).having(
            func.count() == 1)
        fresh = select(Person).where(Person.roster_id == roster_id, Person.id.not_in(dosed)).order_by(Person.id)
        first = db.session.scalars(fresh.where(Person.prior_doses == 0, Person.cccd.is_not(None))).first()
        second = db.session.scalars(fresh.where(Person.prior_doses == 1, Person.name_folded.in_(unique))).first()
        return site.id, site.campaign_id, (first.cccd, first.full_name), (second.name_folded, second.full_name)


def _number(page, figure):
    text = page.locator(f'[data-figure="{figure}"]').first.inner_text()
    return int(re.sub(r"\D", "", text.split("(")[0]))


def test_doses_recorded_with_the_keyboard_wrong_dose_refused_dashboard_follows(browser, page, portal_url, live_server):
    site_id, campaign_id, (cccd, name), (letters, other_name) = _vaccination_people(live_server)
    dash_ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    dash = dash_ctx.new_page()
    sign_in(dash, portal_url, "xa1")
    dash.goto(f"{portal_url}/coverage/?campaign={campaign_id}")
    dose1, dose2 = _number(dash, "dose1"), _number(dash, "dose2")

    sign_in(page, portal_url, "xa1")
    page.goto(f"{portal_url}/sampling/sites/{site_id}/vaccination")
    entry, status, alert = page.locator("#q"), page.get_by_role("status"), page.get_by_role("alert")
    # the team sets the vaccine and the lot once for the session; then one line and Enter per person
    page.get_by_label("Vắc xin").fill("AstraZeneca")
    page.get_by_label("Số lô").fill("ABV1234")
    entry.focus()
    page.keyboard.type(cccd)
    page.keyboard.press("Enter")
    expect(status).to_contain_text(f"Đã ghi mũi 1 cho {name} (AstraZeneca, lô ABV1234).", timeout=WAIT)
    expect(entry).to_be_focused(timeout=WAIT)
    page.keyboard.type(letters)
    page.keyboard.press("Enter")
    expect(status).to_contain_text(f"Đã ghi mũi 2 cho {other_name}", timeout=WAIT)
    expect(page.get_by_label("Vắc xin")).to_have_value("AstraZeneca")  # kept for the next person
    page.screenshot(path="/tmp/vacc.png", full_page=True)
    # a wrong dose number: refused, said plainly, nothing recorded
    page.get_by_label("Mũi số").fill("3")
    entry.focus()
    page.keyboard.type(cccd)
    page.keyboard.press("Enter")
    expect(alert).to_contain_text(f"Mũi số 3 không khớp: {name} đã có 1 mũi, mũi tiếp theo là mũi 2.", timeout=WAIT)
    recent = page.locator("table.data tbody tr")
    expect(recent.first).to_contain_text(other_name)  # the last dose recorded is still the other person's
    expect(recent.filter(has_text=name)).to_have_count(1)
    page.screenshot(path="/tmp/vacc_refused.png", full_page=True)
    # the commune's dashboard counts the first dose of one and the second of the other, without a reload
    expect(dash.locator('[data-figure="dose2"]').first).to_contain_text(f"{dose2 + 1:,}".replace(",", "."),
                                                                        timeout=POLL_WAIT)
    assert _number(dash, "dose1") == dose1 + 1
