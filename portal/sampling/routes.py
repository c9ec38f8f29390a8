"""The sampling point, the vaccination site and the lab bench: each one screen, one request per action."""
from flask import abort, render_template
from flask_htmx import make_response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.campaigns.models import Site
from portal.extensions import db
from portal.permissions import Ability, get_scoped_or_404, require, visible_units
from portal.rosters.models import RosterKind
from portal.sampling import bp, lab, services
from portal.sampling.forms import DoseForm, NewPersonForm, PointForm, ResultsForm
from portal.sampling.models import TubeStatus
from portal.sampling.services import SamplingError
from portal.timeutil import local_today
from portal.web import render, wants_fragment

POINT_PAGE, POINT_FRAGMENT = "sampling/point.html", "sampling/partials/_point.html"
RECORDED_FRAGMENT = "sampling/partials/_recorded.html"


def _site(site_id: int, ability: Ability, samples: bool) -> Site:
    # The campaign comes with the site: its plan_version tells a recording whether the plan
    # this process keeps (rounds, targets, routing) is current.
    site = get_scoped_or_404(Site, site_id, current_user, ability, options=(joinedload(Site.campaign),))
    if (site.kind.samples if samples else site.kind.vaccinates) is False:
        abort(404)
    return site


def _point(site, status=200, *, message=None, error=None, candidates=(), new_person=None, form=None):
    form = form or PointForm(formdata=None)
    return render(POINT_PAGE, POINT_FRAGMENT, status, site=site, form=form, message=message, error=error,
                  candidates=candidates, new_person=new_person, tube=services.open_tube(site),
                  recent=services.recent_samples(site), recent_limit=services.RECENT_SAMPLES,
                  pool_size=services.pool_size())


@bp.route("/sites/<int:site_id>")
@require(Ability.RECORD_SAMPLES)
def point(site_id):
    return _point(_site(site_id, Ability.RECORD_SAMPLES, True))


def _recorded(site, person):
    sample = services.record_sample(current_user, site, person)
    where = f"ống gộp {sample.tube.code} ({sample.tube.size}/{sample.tube.capacity})" if sample.pooled \
        else f"ống {sample.tube.code}"
    closed = " Ống đã đủ, đã đóng." if sample.pooled and sample.tube.status.value == "closed" else ""
    message = f"Đã lấy mẫu {person.full_name}, đợt {sample.round_number}, {where}.{closed}"
    if not wants_fragment():
        return _point(site, message=message)
    # htmx: the entry part and the new row, not the whole point with its last samples read again.
    # The tube state is known: a single tube is closed at once, a pool is open until it is full.
    tube = sample.tube if sample.tube.status is TubeStatus.OPEN else None
    response = make_response(render_template(RECORDED_FRAGMENT, site=site, form=PointForm(formdata=None),
                                             message=message, tube=tube, sample=sample,
                                             pool_size=services.pool_size()),
                             retarget="#point-entry", reswap="outerHTML")
    response.vary.add("HX-Request")
    return response


def _qr_person(site, text):
    """A CCCD card's QR line: the person on the roster, or a new-person form filled from the card."""
    from portal.rosters.qr import parse_cccd_qr
    from portal.rosters.services import card_form_data

    parsed = parse_cccd_qr(text)
    if parsed is None:
        return None, None, "Không đọc được mã QR trên thẻ CCCD."
    card = card_form_data(parsed)
    found = services.find_people(site, RosterKind.TESTING, card["cccd"])
    if found:
        return found[0], None, None
    sex = {"nam": "Nam", "male": "Nam", "nu": "Nữ", "nữ": "Nữ", "female": "Nữ"}.get((card.get("sex") or "").lower(), "Nam")
    return None, NewPersonForm(formdata=None, data={**card, "sex": sex}), None


@bp.route("/sites/<int:site_id>/record", methods=["POST"])
@require(Ability.RECORD_SAMPLES)
def record_sample(site_id):
    site = _site(site_id, Ability.RECORD_SAMPLES, True)
    form = PointForm()
    if not form.validate_on_submit():
        return _point(site, 422, error="Dữ liệu không hợp lệ. Vui lòng thử lại.")
    text = (form.q.data or "").strip()
    try:
        if form.person_id.data:
            person = services.person_at_site(site, RosterKind.TESTING, form.person_id.data)
            if person is None:
                return _point(site, 422, error="Không tìm thấy người này trong danh sách của xã/phường.")
            return _recorded(site, person)
        if text.startswith("+") or form.pool_code.data:
            tube = services.open_pool(current_user, site, form.pool_code.data or text[1:])
            return _point(site, message=f"Đã mở ống gộp {tube.code}. Quét CCCD từng người, gõ “-” để đóng ống.")
        if text == "-":
            tube = services.close_pool(current_user, site)
            return _point(site, message=f"Đã đóng ống gộp {tube.code} ({tube.size} người)." if tube else "Đã hủy ống gộp trống.")
        if "|" in text:
            person, new_person, problem = _qr_person(site, text)
            if problem:
                return _point(site, 422, error=problem)
            if person:
                return _recorded(site, person)
            return _point(site, message="Người này chưa có trong danh sách: kiểm tra thông tin từ thẻ rồi nhấn Enter để thêm và lấy mẫu.",
                          new_person=new_person)
        if not text:
            return _point(site, 422, error=services.EMPTY_LINE_HINT)
        people, more = services.match_people(site, RosterKind.TESTING, text)
        if len(people) == 1:
            return _recorded(site, people[0])
        if people:
            return _point(site, message=services.choose_message(people, more, text), candidates=people)
        digits = text.replace(" ", "").replace(".", "")
        new_person = NewPersonForm(formdata=None, data={"cccd": digits} if digits.isdigit() else {"full_name": text})
        return _point(site, 422, error=f"Không tìm thấy “{text}” trong danh sách. Có thể thêm người mới bên dưới.",
                      new_person=new_person)
    except SamplingError as exc:
        db.session.rollback()
        return _point(site, 422, error=str(exc))


@bp.route("/sites/<int:site_id>/people", methods=["POST"])
@require(Ability.RECORD_SAMPLES)
def add_person_and_sample(site_id):
    """A person not on the roster: added through the roster rules, then sampled, in one request."""
    from portal.rosters import services as roster_services

    site = _site(site_id, Ability.RECORD_SAMPLES, True)
    new_person = NewPersonForm()
    if not new_person.validate_on_submit():
        return _point(site, 422, error="Vui lòng sửa thông tin người mới.", new_person=new_person)
    data = {k: new_person[k].data for k in ("full_name", "birth", "sex", "cccd", "phone", "address", "zone")}
    try:
        roster = roster_services.get_or_create_roster(current_user, site.unit, site.campaign, RosterKind.TESTING)
        person = roster_services.add_person(current_user, roster, data, on_the_spot=True)
        return _recorded(site, person)
    except roster_services.RosterError as exc:
        db.session.rollback()
        general = []
        for name, message in exc.errors:
            if name in new_person._fields and name != "csrf_token":
                new_person[name].errors = list(new_person[name].errors) + [message]
            else:
                general.append(message)
        return _point(site, 422, error=" ".join(general) or "Thông tin người mới chưa hợp lệ.", new_person=new_person)
    except SamplingError as exc:
        db.session.rollback()
        return _point(site, 422, error=str(exc))


@bp.route("/sites/<int:site_id>/undo", methods=["POST"])
@require(Ability.RECORD_SAMPLES)
def undo_sample(site_id):
    site = _site(site_id, Ability.RECORD_SAMPLES, True)
    if not PointForm().validate_on_submit():
        return _point(site, 422, error="Dữ liệu không hợp lệ. Vui lòng thử lại.")
    try:
        sample = services.undo_last(current_user, site)
    except SamplingError as exc:
        return _point(site, 422, error=str(exc))
    return _point(site, message=services.undo_message(sample))


# ---- vaccination site -----------------------------------------------------------------------

def _vaccination(site, status=200, *, form=None, message=None, error=None, candidates=()):
    form = form or DoseForm(formdata=None, data={"given_on": local_today()})
    return render("sampling/vaccination.html", "sampling/partials/_vaccination.html", status, site=site, form=form,
                  message=message, error=error, candidates=candidates, recent=services.recent_doses(site))


@bp.route("/sites/<int:site_id>/vaccination", methods=["GET", "POST"])
@require(Ability.RECORD_DOSES)
def vaccination(site_id):
    site = _site(site_id, Ability.RECORD_DOSES, False)
    form = DoseForm()
    if form.is_submitted() and not form.validate():
        return _vaccination(site, 422, form=form, error="Vui lòng sửa các lỗi được đánh dấu.")
    if not form.is_submitted():
        return _vaccination(site)
    if not form.person_id.data and not (form.q.data or "").strip():
        return _vaccination(site, 422, form=form, error=services.EMPTY_LINE_HINT)
    if form.person_id.data:
        people, more = [p for p in [services.person_at_site(site, RosterKind.VACCINATION, form.person_id.data)] if p], False
    else:
        people, more = services.match_people(site, RosterKind.VACCINATION, form.q.data or "")
    sticky = DoseForm(formdata=None, data={"vaccine": form.vaccine.data, "lot": form.lot.data,
                                           "given_on": form.given_on.data or local_today()})
    if not people:
        return _vaccination(site, 422, form=form, error="Không tìm thấy người này trong danh sách tiêm chủng của xã/phường.")
    if len(people) > 1:
        return _vaccination(site, form=form, candidates=people, message=services.choose_message(people, more, form.q.data))
    person = people[0]
    number = form.dose_number.data or services.next_dose_number(person)
    try:
        dose = services.record_dose(current_user, site, person, given_on=form.given_on.data or local_today(),
                                    vaccine=form.vaccine.data or "", lot=form.lot.data or "", dose_number=number)
    except SamplingError as exc:
        db.session.rollback()
        return _vaccination(site, 422, form=form, error=str(exc))
    return _vaccination(site, form=sticky, message=f"Đã ghi mũi {dose.dose_number} cho {person.full_name} ({dose.vaccine}, lô {dose.lot}).")


# ---- lab ------------------------------------------------------------------------------------------

def _lab(status=200, *, form=None, message=None, error=None):
    labs = visible_units(current_user, Ability.ENTER_RESULTS)
    return render("sampling/lab.html", "sampling/partials/_lab.html", status, form=form or ResultsForm(formdata=None),
                  message=message, error=error, pending=lab.pending_tubes(labs),
                  pending_count=lab.count_pending_tubes(labs), results=lab.recent_results(labs))


@bp.route("/lab")
@require(Ability.ENTER_RESULTS)
def lab_bench():
    return _lab()


@bp.route("/lab/results", methods=["POST"])
@require(Ability.ENTER_RESULTS)
def enter_results():
    form = ResultsForm()
    if not form.validate_on_submit():
        return _lab(422, form=form, error="Dữ liệu không hợp lệ.")
    text = form.line.data or form.text.data or ""
    upload = form.file.data
    try:
        if upload and getattr(upload, "filename", ""):
            raw = upload.read(2_000_001)
            if len(raw) > 2_000_000:
                raise lab.LabError("Tệp quá lớn (tối đa 2 MB).")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise lab.LabError("Tệp phải là CSV mã hóa UTF-8.") from None
        tubes = lab.enter_results(current_user, visible_units(current_user, Ability.ENTER_RESULTS), lab.parse_lines(text))
    except lab.LabError as exc:
        db.session.rollback()
        return _lab(422, form=form, error=str(exc))
    positives = sum(1 for t in tubes if t.result.value == "positive")
    return _lab(message=f"Đã ghi kết quả {len(tubes)} ống ({positives} dương tính).")


@bp.app_context_processor
def _sites_helper():
    """Home panels list the sites of a commune with links to their screens."""
    def sites_in(unit):
        from portal.campaigns.models import Campaign

        return db.session.scalars(select(Site).join(Campaign, Campaign.id == Site.campaign_id).where(
            Site.unit_id == unit.id).order_by(Campaign.starts_on.desc(), Site.kind, Site.name).limit(20)).all()

    return {"sites_in": sites_in}
