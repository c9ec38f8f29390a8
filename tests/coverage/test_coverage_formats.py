"""Dashboard formats: the decimal comma in percentages, and the roster each percentage is of."""
import re

from sqlalchemy import select

from portal.campaigns import services as campaigns
from portal.coverage import services
from portal.demo.loader import DEMO_CAMPAIGN
from portal.timeutil import local_today
from portal.units.models import Unit
from portal.units.services import by_code
from tests.sampling.conftest import as_user


def test_percent_shown_filter_uses_the_decimal_comma(app):
    percent = app.jinja_env.filters["percent_shown"]
    assert (percent(46.8), percent(0), percent(100.0), percent(None), percent(12345.67)) == \
        ("46,8%", "0,0%", "100,0%", "0,0%", "12.345,7%")


def test_dashboard_percentages_use_the_decimal_comma_everywhere(app):
    text = as_user(app, "soyte").get("/coverage/").text
    assert not re.search(r"\d\.\d%", text), re.findall(r".{40}\d\.\d%", text)[:3]
    assert re.search(r"\(\d+,\d%\)", text)
    assert re.search(r'aria-label="\d+,\d%"', text)


def test_dose_percentages_show_their_base_the_vaccination_roster(app):
    campaign, city = campaigns.by_name(DEMO_CAMPAIGN), by_code("01")
    data = services.dashboard(campaign, city, select(Unit.id), local_today())
    text = as_user(app, "soyte").get("/coverage/").text
    tile = re.search(r'data-figure="vacc_people">(.*?)</dd>', text, re.S).group(1)
    assert f"{data.total.vacc_people:,}".replace(",", ".") in tile
    assert "Người trong danh sách tiêm chủng" in text
    assert "Người (DS xét nghiệm)" in text and "Người (DS tiêm chủng)" in text
    assert text.count("% danh sách tiêm chủng") == 2


def test_the_vaccination_roster_number_lists_its_people(app):
    campaign, commune = campaigns.by_name(DEMO_CAMPAIGN), by_code("00001")
    data = services.dashboard(campaign, commune, select(Unit.id), local_today())
    response = as_user(app, "xa1").get(f"/coverage/people?campaign={campaign.id}&unit={commune.id}&metric=vacc_people")
    assert response.status_code == 200
    assert f"{data.total.vacc_people} người".encode() in response.data
    assert "Người trong danh sách tiêm chủng".encode() in response.data


def test_people_behind_a_number_show_the_birth_year_under_nam_sinh(app):
    from portal.extensions import db
    from portal.rosters.models import Person

    campaign, commune = campaigns.by_name(DEMO_CAMPAIGN), by_code("00001")
    dated = db.session.scalars(select(Person).where(Person.unit_id == commune.id, Person.birth_date.is_not(None))
                               .order_by(Person.unit_id, Person.sort_key)).first()
    text = as_user(app, "xa1").get(f"/coverage/people?campaign={campaign.id}&unit={commune.id}&metric=people").text
    assert '<th scope="col">Năm sinh</th>' in text
    assert not re.search(r"<td>\d\d/\d\d/\d{4}</td>", text)
    if dated is not None:
        assert f"<td>{dated.birth_date.year}</td>" in text


def test_vaccination_roster_says_its_dose_column_counts_doses_before_the_campaign(app):
    from portal.extensions import db
    from portal.rosters.models import Roster, RosterKind

    roster = db.session.scalars(select(Roster).where(Roster.unit_id == by_code("00001").id,
                                                     Roster.kind == RosterKind.VACCINATION)).first()
    text = as_user(app, "xa1").get(f"/rosters/{roster.id}").text
    assert "Mũi đã tiêm trước chiến dịch</th>" in text
