"""Bad query parameters on the coverage screens: a 404 or an empty list, never a 500."""
import pytest
from sqlalchemy import select

from portal.coverage import arithmetic, services
from portal.demo.loader import DEMO_CAMPAIGN
from portal.campaigns import services as campaigns
from portal.units.models import Unit
from portal.units.services import by_code
from tests.sampling.conftest import as_user

HUGE = "9" * 30


@pytest.mark.parametrize("round_", ["99", "-1", "64", "0", "32", HUGE, "abc", "1.5"])
@pytest.mark.parametrize("metric", ["round", "missing"])
def test_a_round_outside_1_to_31_is_not_found(app, round_, metric):
    campaign, commune = campaigns.by_name(DEMO_CAMPAIGN), by_code("00001")
    response = as_user(app, "xa1").get(
        f"/coverage/people?campaign={campaign.id}&unit={commune.id}&metric={metric}&round={round_}")
    assert response.status_code == 404


def test_the_last_representable_round_is_an_empty_list_not_an_error(app):
    campaign, commune = campaigns.by_name(DEMO_CAMPAIGN), by_code("00001")
    response = as_user(app, "xa1").get(
        f"/coverage/people?campaign={campaign.id}&unit={commune.id}&metric=round&round={arithmetic.MAX_ROUNDS}")
    assert response.status_code == 200 and "0 người".encode() in response.data


@pytest.mark.parametrize("value", ["-1", "0", HUGE, "-" + HUGE, "x", "1e3", "%00"])
@pytest.mark.parametrize("path, name", [("/coverage/", "campaign"), ("/coverage/", "unit"),
                                        ("/coverage/people?metric=people", "campaign"),
                                        ("/coverage/people?metric=people", "unit"),
                                        ("/coverage/people?metric=people", "page")])
def test_ids_and_pages_that_are_not_ours_are_not_found(app, path, name, value):
    joiner = "&" if "?" in path else "?"
    response = as_user(app, "soyte").get(f"{path}{joiner}{name}={value}")
    assert response.status_code in (400, 404)  # a NUL byte is refused before the view


def test_people_behind_refuses_an_impossible_round_quietly(app):
    campaign, commune = campaigns.by_name(DEMO_CAMPAIGN), by_code("00001")
    for number in (0, -1, 32, 64, 10**30):
        assert services.people_behind(campaign, commune, select(Unit.id), "round", round_number=number) == ([], 0)


def test_round_bit_edges():
    assert arithmetic.round_bit(1) == 1 and arithmetic.round_bit(31) == 1 << 30
    for number in (0, 32, -1, None):
        with pytest.raises(ValueError):
            arithmetic.round_bit(number)
