"""Lab results: one by one, pasted, CSV; pools settle their members; all or nothing; scope."""
import io

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.coverage.models import PersonStatus
from portal.extensions import db
from portal.sampling import lab, services
from portal.sampling.models import Result, Sample, Tube, TubeStatus
from tests.sampling.conftest import as_user, people_of, site_of

HX = {"HX-Request": "true"}


def _clerk():
    return db.session.scalars(select(User).where(User.username == "xa1")).one()


def _pool(code, people):
    site, clerk = site_of("00001"), _clerk()
    services.open_pool(clerk, site, code)
    for person in people:
        services.record_sample(clerk, site, person)
    services.close_pool(clerk, site)
    db.session.commit()
    return db.session.scalars(select(Tube).where(Tube.code == code)).one()


def _status(person):
    db.session.expire_all()
    return db.session.get(PersonStatus, person.id)


def test_parse_result_words():
    assert lab.parse_result("Âm tính") is Result.NEGATIVE and lab.parse_result("am") is Result.NEGATIVE
    assert lab.parse_result("DƯƠNG TÍNH") is Result.POSITIVE and lab.parse_result("+") is Result.POSITIVE
    assert lab.parse_result("maybe") is None


def test_parse_lines_accepts_csv_semicolons_spaces_and_a_header():
    lines = lab.parse_lines("tube_code,result\nG1,am\nG2;duong tinh\nG3 âm tính\n\nG4\n")
    assert [(l.code, l.result) for l in lines[:3]] == [("G1", Result.NEGATIVE), ("G2", Result.POSITIVE),
                                                       ("G3", Result.NEGATIVE)]
    assert lines[3].error


def test_pool_negative_makes_every_member_negative(login_as, today_round):
    people = people_of("00001", n=3)
    _pool("GN1", people)
    response = login_as("xetnghiem").post("/sampling/lab/results", data={"line": "GN1 am"}, headers=HX)
    assert response.status_code == 200 and "Đã ghi kết quả 1 ống".encode() in response.data
    for person in people:
        sample = db.session.scalars(select(Sample).where(Sample.person_id == person.id).order_by(Sample.id.desc())).first()
        assert sample.result is Result.NEGATIVE
        assert not _status(person).retest


def test_pool_positive_marks_members_for_retest_then_an_individual_result_settles_it(login_as, today_round, app):
    people = people_of("00001", n=3)
    _pool("GP1", people)
    client = login_as("xetnghiem")
    assert client.post("/sampling/lab/results", data={"line": "GP1,duong tinh"}, headers=HX).status_code == 200
    assert all(_status(p).retest for p in people)
    assert not any(_status(p).positive for p in people)
    # the commune sees them listed
    clerk = as_user(app, "xa1")
    listing = clerk.get(f"/coverage/people?metric=retest")
    assert all(p.full_name.encode() in listing.data for p in people)
    # individual retest of the first member: positive
    from datetime import timedelta

    from portal.timeutil import utcnow

    sample = services.record_sample(_clerk(), site_of("00001"), people[0], now=utcnow() + timedelta(minutes=2))
    db.session.commit()
    code = sample.tube.code
    client = as_user(app, "xetnghiem")
    assert client.post("/sampling/lab/results", data={"line": f"{code} duong"}, headers=HX).status_code == 200
    status = _status(people[0])
    assert status.positive and not status.retest
    assert _status(people[1]).retest


def test_pasted_list_is_all_or_nothing(login_as, today_round):
    _pool("GA", people_of("00001", n=1))
    client = login_as("xetnghiem")
    response = client.post("/sampling/lab/results", data={"text": "GA,am\nNOPE,am\nGA2,xyz"}, headers=HX)
    assert response.status_code == 422
    assert "NOPE".encode() in response.data and "xyz".encode() in response.data
    assert db.session.scalars(select(Tube).where(Tube.code == "GA")).one().status is TubeStatus.CLOSED


def test_csv_upload(login_as, today_round):
    _pool("GC1", people_of("00001", n=2))
    client = login_as("xetnghiem")
    data = {"file": (io.BytesIO("\ufefftube_code,result\nGC1,negative\n".encode()), "kq.csv")}
    response = client.post("/sampling/lab/results", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "Đã ghi kết quả 1 ống".encode() in response.data
    bad = client.post("/sampling/lab/results", data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "UTF-8".encode() in bad.data


def test_result_twice_or_on_an_open_pool_is_refused(login_as, today_round):
    site, clerk = site_of("00001"), _clerk()
    services.open_pool(clerk, site, "GOPEN")
    services.record_sample(clerk, site, people_of("00001", n=1)[0])
    db.session.commit()
    client = login_as("xetnghiem")
    response = client.post("/sampling/lab/results", data={"line": "GOPEN am"}, headers=HX)
    assert response.status_code == 422 and "chưa được đóng".encode() in response.data
    demo_done = db.session.scalars(select(Tube).where(Tube.status == TubeStatus.RESULTED)).first()
    again = client.post("/sampling/lab/results", data={"line": f"{demo_done.code} am"}, headers=HX)
    assert again.status_code == 422 and "đã có kết quả".encode() in again.data


def test_another_labs_tube_is_not_found(app, login_as, user_factory, today_round):
    user_factory("labbd", [(Role.LAB_TECHNICIAN, "TTYT-BD")])
    _pool("GX1", people_of("00001", n=1))  # routed to CDC
    response = login_as("labbd").post("/sampling/lab/results", data={"line": "GX1 am"}, headers=HX)
    assert response.status_code == 422 and "không có ống GX1".encode() in response.data


def test_lab_bench_lists_pending_tubes(login_as, app):
    response = login_as("xetnghiem").get("/sampling/lab")
    assert response.status_code == 200 and "Ống chờ kết quả".encode() in response.data
    clerk = as_user(app, "xa1")
    assert clerk.get("/sampling/lab").status_code == 403


def test_lab_bench_says_how_many_tubes_wait(login_as):
    from portal.units.models import Unit

    waiting = lab.count_pending_tubes(select(Unit.id))
    assert waiting == len(lab.pending_tubes(select(Unit.id), limit=1000)) > 0
    text = login_as("xetnghiem").get("/sampling/lab").text
    assert f"Ống chờ kết quả ({waiting})" in text
    assert "ống nhận sớm nhất được liệt kê" not in text  # all of them are listed (fewer than 50 in the demo)


def test_the_csv_upload_is_described_in_vietnamese_and_a_vietnamese_header_is_accepted(login_as, today_round):
    text = login_as("xetnghiem").get("/sampling/lab").text
    assert "Hoặc tải tệp CSV hai cột: mã ống, kết quả (âm tính/dương tính)" in text
    assert "tube_code" not in text and "G001,âm tính" in text
    assert [(l.code, l.result.value) for l in lab.parse_lines("Mã ống,Kết quả\nG1,âm tính\nG2;dương tính\n")] == \
        [("G1", "negative"), ("G2", "positive")]
