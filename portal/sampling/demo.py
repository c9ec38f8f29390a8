"""Demo data of the campaigns domain: rounds (the 2021 ones and one around the day the demo is loaded), targets, sites, the CDC lab and its routing,
samples over several days with results (single and pooled, positives, a retest), doses,
(the lab technician `xetnghiem` of CDC is in loader.ACCOUNTS). Deterministic (seeded) and bulk-inserted."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select

from portal.campaigns import services as campaigns
from portal.campaigns.models import Campaign, SiteKind
from portal.coverage.services import rebuild_campaign
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind, Sex, Zone
from portal.sampling.models import Dose, Result, Sample, Tube, TubeStatus
from portal.text import fold
from portal.timeutil import local_today
from portal.units.services import by_code

SEED = 20210901
COMMUNES = ["00001", "00004", "00006", "00007"]
ROUNDS = [(date(2021, 9, 1), date(2021, 9, 3)), (date(2021, 9, 6), date(2021, 9, 8)), (date(2021, 9, 11), date(2021, 9, 13))]
DEADLINE = date(2021, 9, 15)
VACCINES = [("AstraZeneca", "ABV5300"), ("Pfizer", "FF2593"), ("Vero Cell", "202107B1829"), ("Moderna", "3002183")]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE_M, MIDDLE_F = ["Văn", "Đức", "Minh", "Quang", "Hữu"], ["Thị", "Ngọc", "Thu", "Thanh", "Minh"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn"]
GIVEN_F = ["Anh", "Chi", "Dung", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Nhung", "Phương", "Thảo", "Trang"]


def _local(day: date, minute: int) -> datetime:
    """A Vietnamese local time on `day`, stored as naive UTC."""
    return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute) - timedelta(hours=7)


def _fallback_people(rng: random.Random, campaign: Campaign) -> None:
    """Only when no roster demo ran: a few people per commune so that every screen has data."""
    from portal.rosters.sorting import sort_key

    for index, code in enumerate(COMMUNES):
        commune = by_code(code)
        for kind, count in ((RosterKind.TESTING, 90), (RosterKind.VACCINATION, 40)):
            roster = Roster(unit_id=commune.id, campaign_id=campaign.id, kind=kind)
            db.session.add(roster)
            db.session.flush()
            for n in range(count):
                sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
                male = sex is Sex.MALE
                name = " ".join([rng.choice(FAMILY), rng.choice(MIDDLE_M if male else MIDDLE_F),
                                 rng.choice(GIVEN_M if male else GIVEN_F)])
                year = rng.randint(1940, 2015)
                cccd = f"001{(0 if male else 1) if year < 2000 else (2 if male else 3)}{year % 100:02d}{index:02d}{n:04d}" \
                    if year <= 2006 else None
                zone = Zone.LOCKDOWN if n < 20 and index == 0 else Zone.HIGH_RISK if n < 35 else Zone.OTHER
                db.session.add(Person(
                    roster_id=roster.id, unit_id=commune.id, campaign_id=campaign.id, full_name=name,
                    name_folded=fold(name), sort_key=sort_key(name), birth_date=None, birth_year=year, sex=sex,
                    cccd=cccd, phone=f"09{index}{n:07d}", address=f"Số {n + 1} tổ {n % 12 + 1}, {commune.name}",
                    zone=zone, priority_group=f"Nhóm {rng.choice([1, 2, 3, 5, 6, 7, 9, 11])}" if kind is RosterKind.VACCINATION else None,
                    prior_doses=rng.choice([0, 0, 1]) if kind is RosterKind.VACCINATION else 0))
    db.session.flush()


def _people(campaign: Campaign, code: str, kind: RosterKind) -> list[Person]:
    return list(db.session.scalars(select(Person).join(Roster, Roster.id == Person.roster_id).where(
        Roster.campaign_id == campaign.id, Roster.kind == kind, Person.unit_id == by_code(code).id).order_by(Person.id)))


# The 2021 rounds keep the dashboards' figures; one more round, from the day before the demo is
# loaded to a month after, lets a person trying the demo record samples at the points today.
CURRENT_ROUND_DAYS = (1, 30)


def add_current_round(campaign: Campaign, today: date):
    """The demo's "today" round (the only date-dependent part of the demo): the campaign's
    period is extended explicitly to hold it."""
    before, after = CURRENT_ROUND_DAYS
    starts_on, ends_on = today - timedelta(days=before), today + timedelta(days=after)
    campaigns.extend_campaign(None, campaign, ends_on)
    return campaigns.add_round(None, campaign, starts_on, ends_on)


def _setup(campaign: Campaign):
    for starts_on, ends_on in ROUNDS:
        campaigns.add_round(None, campaign, starts_on, ends_on)
    add_current_round(campaign, local_today())
    for zone, rounds in (("lockdown", 3), ("high_risk", 3), ("other", 1)):
        target = db.session.scalars(select(campaigns.ZoneTarget).where(
            campaigns.ZoneTarget.campaign_id == campaign.id, campaigns.ZoneTarget.zone == zone)).first()
        if target is None:
            db.session.add(campaigns.ZoneTarget(campaign_id=campaign.id, zone=zone, rounds_required=rounds, deadline=DEADLINE))
        else:
            target.rounds_required, target.deadline = rounds, DEADLINE
    campaigns.add_lab(None, campaign, by_code("CDC"), is_default=True)
    campaigns.set_route(None, campaign, by_code("001"), by_code("CDC"))
    sites = {}
    for code in COMMUNES:
        commune = by_code(code)
        short = commune.name.replace("Phường ", "")
        sites[code] = (
            campaigns.add_site(None, campaign, SiteKind.SAMPLING_POINT, f"Điểm lấy mẫu Nhà văn hóa {short}", commune,
                               f"Nhà văn hóa tổ dân phố 1, {commune.name}"),
            campaigns.add_site(None, campaign, SiteKind.VACCINATION_SITE, f"Điểm tiêm Trạm Y tế {short}", commune,
                               f"Trạm Y tế {commune.name}"),
        )
    campaigns.add_site(None, campaign, SiteKind.MOBILE_STATION, "Trạm y tế lưu động số 1 Phúc Xá", by_code("00001"),
                       "Khu vực phong tỏa ngõ 12 Phúc Xá")
    return sites


def load(campaign_name: str) -> None:
    rng = random.Random(SEED)
    campaign = campaigns.by_name(campaign_name)
    sites = _setup(campaign)
    if not any(_people(campaign, code, RosterKind.TESTING) for code in COMMUNES):
        _fallback_people(rng, campaign)
    lab_id = by_code("CDC").id
    pool_no = 0
    tubes: list[dict] = []     # sample_tube rows, codes temporary for single tubes
    members: list[tuple] = []  # (tube code, person, round, taken_at, taken_on, pooled, result, result_at)
    for code in COMMUNES:
        site = sites[code][0]
        people = _people(campaign, code, RosterKind.TESTING)
        for number, (starts_on, _) in enumerate(ROUNDS, 1):
            chosen = [p for p in people if (p.zone is not Zone.OTHER and rng.random() < (0.95, 0.85, 0.7)[number - 1])
                      or (p.zone is Zone.OTHER and number == 1 and rng.random() < 0.8)]
            groups = [(f"TMP-{code}-{number}-{i}", False, [p], starts_on + timedelta(days=i % 3))
                      for i, p in enumerate(p for p in chosen if p.zone is not Zone.OTHER)]
            pooled = [p for p in chosen if p.zone is Zone.OTHER]
            for start in range(0, len(pooled), 10):
                pool_no += 1
                groups.append((f"G{pool_no:05d}", True, pooled[start:start + 10], starts_on + timedelta(days=(start // 10) % 3)))
            for t_index, (tube_code, is_pool, group, day) in enumerate(groups):
                taken = _local(day, 7 * 60 + 30 + t_index * 3)
                last_day = number == len(ROUNDS) and day == ROUNDS[-1][1]
                result = Result.PENDING if last_day and rng.random() < 0.5 else \
                    Result.POSITIVE if rng.random() < (0.04 if is_pool else 0.015) else Result.NEGATIVE
                result_at = None if result is Result.PENDING else taken + timedelta(hours=20)
                tubes.append(dict(code=tube_code, campaign_id=campaign.id, site_id=site.id, unit_id=site.unit_id,
                                  lab_unit_id=lab_id, pooled=is_pool, capacity=10 if is_pool else 1, size=len(group),
                                  status=(TubeStatus.CLOSED if result is Result.PENDING else TubeStatus.RESULTED).value,
                                  result=result.value, result_at=result_at, created_at=taken))
                member_result = Result.POOL_POSITIVE if is_pool and result is Result.POSITIVE else result
                for k, person in enumerate(group):
                    members.append((tube_code, person, site, number, taken + timedelta(seconds=20 * k), day, is_pool,
                                    member_result, result_at))
                if is_pool and result is Result.POSITIVE:
                    # the first member of a positive pool is retested alone the next day: positive
                    retest_code = f"TMP-RT-{tube_code}"
                    tubes.append(dict(code=retest_code, campaign_id=campaign.id, site_id=site.id, unit_id=site.unit_id,
                                      lab_unit_id=lab_id, pooled=False, capacity=1, size=1, status="resulted",
                                      result="positive", result_at=taken + timedelta(days=1, hours=20),
                                      created_at=taken + timedelta(days=1)))
                    members.append((retest_code, group[0], site, number, taken + timedelta(days=1), day + timedelta(days=1),
                                    False, Result.POSITIVE, taken + timedelta(days=1, hours=20)))
    db.session.execute(Tube.__table__.insert(), tubes)
    ids = dict(db.session.execute(select(Tube.code, Tube.id).where(Tube.campaign_id == campaign.id)).all())
    db.session.execute(Sample.__table__.insert(), [
        dict(tube_id=ids[tube_code], person_id=person.id, campaign_id=campaign.id, unit_id=site.unit_id, site_id=site.id,
             round_number=number, taken_at=taken_at, taken_on=taken_on, pooled=is_pool, result=result.value,
             result_at=result_at)
        for tube_code, person, site, number, taken_at, taken_on, is_pool, result, result_at in members])
    # single tubes get the code the sampling point gives them: XN + id
    table = Tube.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("tube_id")).values(code=bindparam("new_code")),
                       [dict(tube_id=i, new_code=f"XN{i:08d}") for c, i in ids.items() if c.startswith("TMP-")])
    doses = []
    for code in COMMUNES:
        vacc_site = sites[code][1]
        for i, person in enumerate(_people(campaign, code, RosterKind.VACCINATION)):
            vaccine, lot = VACCINES[i % len(VACCINES)]
            count = rng.choice([0, 1, 1, 2]) if person.prior_doses == 0 else rng.choice([0, 1])
            for k in range(count):
                given_on = date(2021, 9, 2 + 10 * k + i % 5)
                doses.append(dict(person_id=person.id, campaign_id=campaign.id, unit_id=vacc_site.unit_id,
                                  site_id=vacc_site.id, given_on=given_on, vaccine=vaccine, lot=lot,
                                  dose_number=person.prior_doses + k + 1, created_at=_local(given_on, 8 * 60 + i)))
    if doses:
        db.session.execute(Dose.__table__.insert(), doses)
    db.session.flush()
    rebuild_campaign(campaign.id)
