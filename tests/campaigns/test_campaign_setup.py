"""Campaign set-up: rounds, targets, sites, labs, routing; bad input; who may."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.campaigns import services
from portal.campaigns.models import ZoneTarget
from portal.extensions import db
from portal.units.services import by_code
from tests.sampling.conftest import as_user


def _new(client, name="Chiến dịch thử"):
    return client.post("/campaigns/new", data={"name": name, "kind": "testing", "unit_code": "01",
                                               "starts_on": "2021-10-01", "ends_on": "2021-10-31"})


def test_steering_office_sets_up_a_campaign_with_three_rounds_targets_sites_lab_and_routing(app):
    client = as_user(app, "vanphong")
    response = _new(client)
    assert response.status_code == 302
    campaign = services.by_name("Chiến dịch thử")
    base = f"/campaigns/{campaign.id}"
    for start, end in (("2021-10-01", "2021-10-03"), ("2021-10-06", "2021-10-08"), ("2021-10-11", "2021-10-13")):
        assert client.post(f"{base}/rounds", data={"starts_on": start, "ends_on": end}).status_code == 302
    targets = {t.zone: t.rounds_required for t in db.session.scalars(select(ZoneTarget).where(ZoneTarget.campaign_id == campaign.id))}
    assert targets == {"lockdown": 3, "high_risk": 3, "other": 1}
    assert client.post(f"{base}/targets", data={"zone": "high_risk", "rounds_required": "2", "deadline": "2021-10-15"}).status_code == 302
    assert client.post(f"{base}/sites", data={"kind": "sampling_point", "name": "Điểm A", "commune_code": "00001"}).status_code == 302
    assert client.post(f"{base}/labs", data={"lab_code": "CDC", "is_default": "y"}).status_code == 302
    assert client.post(f"{base}/labs", data={"lab_code": "TTYT-BD"}).status_code == 302
    assert client.post(f"{base}/routes", data={"area_code": "00004", "lab_code": "TTYT-BD"}).status_code == 302
    assert services.lab_for(campaign.id, by_code("00004")) == by_code("TTYT-BD").id
    assert services.lab_for(campaign.id, by_code("00001")) == by_code("CDC").id  # the default lab
    assert services.round_for(campaign.id, date(2021, 10, 7)).number == 2
    assert services.round_for(campaign.id, date(2021, 10, 5)) is None
    page = client.get(base)
    assert "Đợt 3".encode() in page.data and "Điểm A".encode() in page.data


@pytest.mark.parametrize("url_tail, data, message", [
    ("rounds", {"starts_on": "2021-09-02", "ends_on": "2021-09-04"}, "Thời gian trùng với đợt 1"),
    ("rounds", {"starts_on": "2021-09-20", "ends_on": "2021-09-18"}, "Ngày kết thúc đợt phải sau"),
    ("rounds", {"starts_on": "không phải ngày", "ends_on": ""}, "Vui lòng nhập ngày"),
    ("rounds", {"starts_on": "2021-08-25", "ends_on": "2021-08-27"}, "Đợt phải nằm trong thời gian của chiến dịch (từ 01/09/2021"),
    ("targets", {"zone": "high_risk", "rounds_required": "0", "deadline": "2021-09-15"}, "Số đợt phải từ 1 đến 20"),
    ("sites", {"kind": "sampling_point", "name": "X", "commune_code": "001"}, "xã/phường thuộc địa bàn"),
    ("sites", {"kind": "sampling_point", "name": "X", "commune_code": "NOPE"}, "Không có đơn vị với mã này"),
    ("labs", {"lab_code": "00001"}, "phải là một cơ sở y tế"),
    ("routes", {"area_code": "00004", "lab_code": "TTYT-BD"}, "thêm phòng xét nghiệm này"),
    ("routes", {"area_code": "CDC", "lab_code": "CDC"}, "quận/huyện hoặc xã/phường"),
])
def test_bad_set_up_input_gets_a_message_and_changes_nothing(app, url_tail, data, message):
    campaign = services.by_name("Chiến dịch tháng 9/2021")
    response = as_user(app, "soyte").post(f"/campaigns/{campaign.id}/{url_tail}", data=data)
    assert response.status_code == 422
    assert message.encode() in response.data


def test_duplicate_campaign_name_and_reversed_period(app):
    client = as_user(app, "vanphong")
    response = _new(client, "Chiến dịch tháng 9/2021")
    assert response.status_code == 422 and "Đã có chiến dịch".encode() in response.data
    bad = client.post("/campaigns/new", data={"name": "Y", "kind": "testing", "unit_code": "01",
                                              "starts_on": "2021-10-31", "ends_on": "2021-10-01"})
    assert bad.status_code == 422 and "Ngày kết thúc phải sau".encode() in bad.data


def test_clerks_see_campaigns_but_may_not_change_them(app):
    campaign = services.by_name("Chiến dịch tháng 9/2021")
    client = as_user(app, "xa1")
    page = client.get(f"/campaigns/{campaign.id}")
    assert page.status_code == 200 and "Thêm đợt".encode() not in page.data
    assert "Trúc Bạch".encode() not in page.data  # other communes' sites are not listed
    assert client.post(f"/campaigns/{campaign.id}/rounds", data={}).status_code == 403


def test_police_department_head_cannot_manage_a_health_campaign(app):
    campaign = services.by_name("Chiến dịch tháng 9/2021")
    client = as_user(app, "congan")
    assert client.post(f"/campaigns/{campaign.id}/rounds",
                       data={"starts_on": "2021-09-20", "ends_on": "2021-09-21"}).status_code == 404
    assert client.post("/campaigns/new", data={"name": "Z", "kind": "testing", "unit_code": "01",
                                               "starts_on": "2021-10-01", "ends_on": "2021-10-02"}).status_code == 422


def test_dates_are_typed_dd_mm_yyyy_whatever_the_browser_language(app):
    """A date picker shows mm/dd/yyyy in an English browser: the set-up forms take dd/mm/yyyy text."""
    client = as_user(app, "vanphong")
    _new(client)
    campaign = services.by_name("Chiến dịch thử")
    page = client.get(f"/campaigns/{campaign.id}").text
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page
    assert client.post(f"/campaigns/{campaign.id}/rounds", data={"starts_on": "01/10/2021", "ends_on": "03/10/2021"}
                       ).status_code == 302
    assert services.round_for(campaign.id, date(2021, 10, 2)).number == 1
    response = client.post(f"/campaigns/{campaign.id}/rounds", data={"starts_on": "10/32/2021", "ends_on": "2021-11-02"})
    assert response.status_code == 422 and "Ngày phải có dạng dd/mm/yyyy".encode() in response.data


def test_a_round_outside_the_campaign_period_is_refused_until_the_period_is_extended(app):
    client = as_user(app, "vanphong")
    _new(client)
    campaign = services.by_name("Chiến dịch thử")
    late = {"starts_on": "30/10/2021", "ends_on": "02/11/2021"}
    refused = client.post(f"/campaigns/{campaign.id}/rounds", data=late)
    assert refused.status_code == 422
    assert "Đợt phải nằm trong thời gian của chiến dịch (từ 01/10/2021 đến 31/10/2021)".encode() in refused.data
    assert services.rounds_of(campaign) == []
    services.extend_campaign(None, campaign, date(2021, 11, 5))
    services.extend_campaign(None, campaign, date(2021, 10, 3))  # never earlier
    db.session.commit()
    assert campaign.ends_on == date(2021, 11, 5)
    assert client.post(f"/campaigns/{campaign.id}/rounds", data=late).status_code == 302


def test_a_campaign_has_at_most_as_many_rounds_as_the_coverage_mask_holds(app):
    from datetime import timedelta

    from portal.coverage.arithmetic import MAX_ROUNDS

    client = as_user(app, "vanphong")
    _new(client)
    campaign = services.by_name("Chiến dịch thử")
    services.extend_campaign(None, campaign, date(2022, 12, 31))
    first = date(2021, 10, 1)
    for n in range(MAX_ROUNDS):
        services.add_round(None, campaign, first + timedelta(days=2 * n), first + timedelta(days=2 * n))
    with pytest.raises(services.CampaignError, match="tối đa 31 đợt"):
        services.add_round(None, campaign, date(2022, 6, 1), date(2022, 6, 2))


def test_the_demo_campaign_has_a_round_around_today_and_keeps_its_2021_rounds(app):
    from portal.timeutil import local_today

    campaign = services.by_name("Chiến dịch tháng 9/2021")
    rounds = services.rounds_of(campaign)
    assert [r.starts_on.year for r in rounds[:3]] == [2021, 2021, 2021]
    assert services.round_for(campaign.id, local_today()) == rounds[3]
    assert campaign.starts_on == date(2021, 9, 1) and campaign.ends_on >= rounds[3].ends_on
