"""Recording samples at a point (single and pooled tubes), undo, and doses. Flush only."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.campaigns.models import Site
from portal.campaigns.plan import plan_of
from portal.coverage.services import bump_day, count_new_sample, refresh_person
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.sampling.models import Dose, Result, Sample, Tube, TubeStatus
from portal.text import clean, fold
from portal.timeutil import to_local, utcnow

UNDO_WINDOW = timedelta(minutes=1)
# Enter on an empty line at a point: what to type (the sampling point and the vaccination site).
EMPTY_LINE_HINT = "Chưa nhập gì: nhập số CCCD, quét mã QR hoặc gõ vài chữ của tên rồi nhấn Enter."
REPEAT_GUARD = timedelta(seconds=60)


class SamplingError(ValueError):
    """A request that breaks a rule; the message is for the user (Vietnamese)."""


def pool_size() -> int:
    return int(current_app.config.get("POOL_SIZE", 10))


# ---- finding people at the point -------------------------------------------------------------

def roster_id_of(site: Site, kind: RosterKind) -> int | None:
    return db.session.scalar(select(Roster.id).where(Roster.unit_id == site.unit_id,
                                                     Roster.campaign_id == site.campaign_id, Roster.kind == kind))


def find_people(site: Site, kind: RosterKind, query: str, limit: int = 8) -> list[Person]:
    """People on the site's commune roster of `kind`: exact CCCD / phone, else the folded name
    containing every typed word (within one roster: the (roster_id, name_folded) index). The
    roster is joined, not looked up first: one statement per scan at the point."""
    query = clean(query)
    if not query:
        return []
    stmt = select(Person).join(Roster, Roster.id == Person.roster_id).where(
        Roster.unit_id == site.unit_id, Roster.campaign_id == site.campaign_id, Roster.kind == kind)
    digits = query.replace(" ", "").replace(".", "")
    if digits.isdigit():
        return list(db.session.scalars(stmt.where(
            Person.campaign_id == site.campaign_id, or_(Person.cccd == digits, Person.phone == digits)).limit(limit)))
    for word in fold(query).split(" "):
        stmt = stmt.where(Person.name_folded.contains(word, autoescape=True))
    return list(db.session.scalars(stmt.order_by(Person.sort_key).limit(limit)))


CANDIDATES = 8  # namesakes listed to choose from at a point; more means: type more letters


def match_people(site: Site, kind: RosterKind, query: str) -> tuple[list[Person], bool]:
    """The people to choose from for what was typed, and whether there were more than listed."""
    people = find_people(site, kind, query, limit=CANDIDATES + 1)
    return people[:CANDIDATES], len(people) > CANDIDATES


def choose_message(people: list[Person], more: bool, query: str) -> str:
    if more:
        return (f"Có hơn {len(people)} người khớp “{clean(query)}”: chọn một người trong {len(people)} người "
                "đầu tiên dưới đây, hoặc gõ thêm chữ (họ và tên đầy đủ) hay quét CCCD để thu hẹp.")
    return f"Có {len(people)} người khớp “{clean(query)}”: chọn một người."


def person_at_site(site: Site, kind: RosterKind, person_id) -> Person | None:
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalars(select(Person).join(Roster, Roster.id == Person.roster_id).where(
        Person.id == person_id, Person.unit_id == site.unit_id, Roster.campaign_id == site.campaign_id,
        Roster.kind == kind)).first()


# ---- tubes and samples --------------------------------------------------------------------------

def open_tube(site: Site) -> Tube | None:
    return db.session.scalars(select(Tube).where(Tube.site_id == site.id, Tube.status == TubeStatus.OPEN)).first()


def _routing(site: Site) -> int:
    lab = plan_of(site.campaign).lab_for(site.unit)
    if lab is None:
        raise SamplingError("Chiến dịch chưa có phòng xét nghiệm trong kế hoạch phân luồng.")
    return lab


def open_pool(actor, site: Site, code: str) -> Tube:
    code = clean(code).upper()
    if not code or len(code) > 40:
        raise SamplingError("Vui lòng nhập mã ống gộp (tối đa 40 ký tự).")
    if open_tube(site) is not None:
        raise SamplingError("Đang có một ống gộp mở tại điểm này; hãy đóng ống đó trước.")
    if db.session.scalar(select(Tube.id).where(Tube.code == code)) is not None:
        raise SamplingError(f"Mã ống {code} đã được dùng.")
    tube = Tube(code=code, campaign_id=site.campaign_id, site_id=site.id, unit_id=site.unit_id,
                lab_unit_id=_routing(site), pooled=True, capacity=pool_size(), status=TubeStatus.OPEN,
                created_by_id=actor.id)
    db.session.add(tube)
    db.session.flush()
    audit.record(actor, "sample.open_pool", tube, unit=site.unit_id, changes={"code": code})
    return tube


def close_pool(actor, site: Site) -> Tube | None:
    tube = open_tube(site)
    if tube is None:
        raise SamplingError("Không có ống gộp nào đang mở.")
    if tube.size == 0:
        db.session.delete(tube)
        db.session.flush()
        return None
    tube.status = TubeStatus.CLOSED
    db.session.flush()
    audit.record(actor, "sample.close_pool", tube, unit=site.unit_id, changes={"size": tube.size})
    return tube


def record_sample(actor, site: Site, person: Person, now: datetime | None = None) -> Sample:
    """One sample for one person at the point: into the open pool, else a single tube."""
    now = now or utcnow()
    day = to_local(now).date()
    plan = plan_of(site.campaign)
    round_number = plan.round_on(day)
    if round_number is None:
        raise SamplingError(f"Ngày {day:%d/%m/%Y} không thuộc đợt lấy mẫu nào của chiến dịch.")
    last = db.session.scalar(select(func.max(Sample.taken_at)).where(Sample.person_id == person.id))
    if last is not None and now - last < REPEAT_GUARD:
        raise SamplingError(f"{person.full_name} vừa được lấy mẫu lúc {to_local(last):%H:%M:%S}.")
    tube = open_tube(site)
    single = tube is None
    if single:
        tube = Tube(code=f"TMP-{person.id}-{now.timestamp()}", campaign_id=site.campaign_id, site_id=site.id,
                    unit_id=site.unit_id, lab_unit_id=_routing(site), pooled=False, capacity=1, size=0,
                    status=TubeStatus.CLOSED, created_by_id=actor.id, created_at=now)
        db.session.add(tube)
    tube.size += 1
    if tube.pooled and tube.size >= tube.capacity:
        tube.status = TubeStatus.CLOSED
    # tube=, not tube_id=: the route reads sample.tube, which must not be loaded again.
    sample = Sample(tube=tube, person_id=person.id, campaign_id=site.campaign_id, unit_id=site.unit_id,
                    site_id=site.id, round_number=round_number, taken_at=now, taken_on=day, pooled=tube.pooled,
                    recorded_by_id=actor.id)
    db.session.add(sample)
    db.session.flush()  # the tube and the sample in one flush; a single tube is named after its id
    if single:
        tube.code = f"XN{tube.id:08d}"
    count_new_sample(person, round_number, day, plan.targets)
    audit.record(actor, "sample.record", sample, unit=site.unit_id,
                 changes={"person_id": person.id, "tube": tube.code, "round": round_number})
    return sample


def undo_last(actor, site: Site, now: datetime | None = None) -> Sample:
    """Remove the actor's last sample at this point, if under a minute old and still pending."""
    now = now or utcnow()
    sample = db.session.scalars(select(Sample).where(Sample.site_id == site.id, Sample.recorded_by_id == actor.id)
                                .order_by(Sample.id.desc()).limit(1)).first()
    if sample is None or now - sample.taken_at > UNDO_WINDOW or sample.result is not Result.PENDING:
        raise SamplingError("Chỉ hoàn tác được mẫu vừa ghi trong vòng một phút.")
    tube, person = sample.tube, sample.person
    if tube.status is TubeStatus.RESULTED:
        raise SamplingError("Ống mẫu đã có kết quả, không hoàn tác được.")
    db.session.delete(sample)
    tube.size -= 1
    # A closed tube stays closed (it may already be on its way to the lab); an empty one is dropped.
    # Only the open pool, which takes people anyway, is kept even when empty.
    if tube.size == 0 and tube.status is not TubeStatus.OPEN:
        db.session.delete(tube)
    db.session.flush()
    refresh_person(person)
    bump_day(site.campaign_id, site.unit_id, person.zone.value, sample.taken_on, -1)
    audit.record(actor, "sample.undo", sample, unit=site.unit_id, changes={"person_id": person.id, "tube": tube.code})
    return sample


def undo_message(sample: Sample) -> str:
    """What the undo did, including what became of the sample's tube (for the user)."""
    tube = sample.tube
    text = f"Đã hoàn tác mẫu của {sample.person.full_name}."
    if not tube.pooled:
        return text
    if tube.size == 0 and tube.status is not TubeStatus.OPEN:
        return f"{text} Ống gộp {tube.code} không còn mẫu nào nên đã được hủy."
    if tube.status is TubeStatus.OPEN:
        return f"{text} Ống gộp {tube.code} vẫn mở ({tube.size}/{tube.capacity})."
    return f"{text} Ống gộp {tube.code} vẫn đóng, còn {tube.size} người; mẫu tiếp theo không vào ống này."


RECENT_SAMPLES = 10  # the last samples a point shows


def recent_samples(site: Site, limit: int = RECENT_SAMPLES) -> list[Sample]:
    """The samples taken last at the site (by time, not by id: imports and demo rows), newest first."""
    return list(db.session.scalars(select(Sample).options(joinedload(Sample.person), joinedload(Sample.tube))
                                   .where(Sample.site_id == site.id).order_by(Sample.taken_at.desc(), Sample.id.desc())
                                   .limit(limit)))


def retest_list(unit_ids, campaign_id: int):
    from portal.coverage.models import PersonStatus

    return list(db.session.scalars(select(Person).join(PersonStatus, PersonStatus.person_id == Person.id).where(
        PersonStatus.campaign_id == campaign_id, PersonStatus.retest.is_(True), Person.unit_id.in_(unit_ids))
        .order_by(Person.sort_key).limit(500)))


# ---- doses ------------------------------------------------------------------------------------

def next_dose_number(person: Person) -> int:
    return person.prior_doses + (db.session.scalar(select(func.count()).where(Dose.person_id == person.id)) or 0) + 1


def dose_on(person: Person, day: date) -> Dose | None:
    """The dose already recorded for this person on this day, if any (one dose a day at most)."""
    return db.session.scalars(select(Dose).where(Dose.person_id == person.id, Dose.given_on == day)
                              .order_by(Dose.id.desc()).limit(1)).first()


def record_dose(actor, site: Site, person: Person, *, given_on: date, vaccine: str, lot: str, dose_number: int) -> Dose:
    vaccine, lot = clean(vaccine), clean(lot)
    if not vaccine or not lot:
        raise SamplingError("Vui lòng nhập tên vắc xin và số lô.")
    expected = next_dose_number(person)
    if dose_number != expected:
        raise SamplingError(f"Mũi số {dose_number} không khớp: {person.full_name} đã có {expected - 1} mũi, "
                            f"mũi tiếp theo là mũi {expected}.")
    today = to_local(utcnow()).date()
    if given_on > today:
        raise SamplingError("Ngày tiêm không được ở tương lai.")
    same_day = dose_on(person, given_on)
    if same_day is not None:
        when = f"hôm nay ({given_on:%d/%m/%Y})" if given_on == today else f"ngày {given_on:%d/%m/%Y}"
        raise SamplingError(f"{person.full_name} đã được ghi mũi {same_day.dose_number} {when}: "
                            "không ghi hai mũi cho một người trong cùng một ngày.")
    dose = Dose(person_id=person.id, campaign_id=site.campaign_id, unit_id=site.unit_id, site_id=site.id,
                given_on=given_on, vaccine=vaccine, lot=lot, dose_number=dose_number, recorded_by_id=actor.id)
    db.session.add(dose)
    db.session.flush()
    refresh_person(person)
    audit.record(actor, "dose.record", dose, unit=site.unit_id,
                 changes={"person_id": person.id, "dose_number": dose_number, "lot": lot})
    return dose


def recent_doses(site: Site, limit: int = 10) -> list[Dose]:
    """The doses recorded last at the site (by when they were recorded), newest first."""
    return list(db.session.scalars(select(Dose).options(joinedload(Dose.person)).where(Dose.site_id == site.id)
                                   .order_by(Dose.created_at.desc(), Dose.id.desc()).limit(limit)))
