"""Property-based tests: every foundation form and the units CSV parser, fed arbitrary text,
Unicode and numbers, never answer 500 and never leave a change half-written."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.auth.models import Grant, User
from portal.extensions import db
from portal.units.models import Unit
from tests.conftest import log_in
from tests.figures import count

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Anything a person (or an attacker) might type: any Unicode but surrogates, digits, numbers,
# long strings, right-to-left marks, combining characters, NUL and control characters.
junk = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["", " ", "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd",
                     "𝔞𝔡𝔪𝔦𝔫", "admin\u200b", "ADMIN", "Nguyễn Văn A", "=cmd|' /C calc'!A0", "9" * 5000,
                     "%00", "{{7*7}}", "\u202eabc", "Đ" * 51]),
)


def _state():
    db.session.expire_all()
    return (
        sorted(db.session.execute(select(User.username, User.password_hash, User.session_token, User.full_name,
                                         User.active, User.totp_secret)).all()),
        sorted(db.session.execute(select(Grant.user_id, Grant.role, Grant.unit_id)).all()),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(Unit)),
    )


def _post(client, url, data, **headers):
    response = client.post(url, data=data, headers=headers)
    count("hostile_inputs")
    count("server_errors", response.status_code >= 500)
    assert response.status_code < 500, (url, data)
    assert "Traceback" not in response.get_data(as_text=True)
    return response


@SETTINGS
@given(username=junk, password=junk, next_=junk)
def test_login_form(app, client, username, password, next_):
    before = _state()
    response = _post(client, "/login", {"username": username, "password": password, "next": next_})
    assert response.status_code in (200, 400, 429)
    assert client.get("/").status_code == 302  # never signed in by junk
    after = _state()
    assert after[:2] == before[:2] and after[3] == before[3]


@SETTINGS
@given(code=junk)
def test_second_factor_form(app, client, code):
    client.post("/login", data={"username": "admin", "password": "demo1234"})
    before = _state()
    response = _post(client, "/login/code", {"code": code})
    assert response.status_code in (302, 400, 429)
    after = _state()
    if response.status_code != 302:
        assert after == before


@SETTINGS
@given(current=junk, new=junk, confirm=st.one_of(junk, st.just(None)))
def test_password_change_form(app, client, current, new, confirm):
    log_in(client, "xa1")
    before = _state()
    confirm = new if confirm is None else confirm
    response = _post(client, "/password", {"current": current, "new": new, "confirm": confirm})
    after = _state()
    if response.status_code == 302:  # only possible with the right current password
        assert current == "demo1234"
    else:
        assert after == before


@SETTINGS
@given(username=junk, full_name=junk, password=junk, role=junk, unit_code=st.one_of(junk, st.sampled_from(["00001", "01", "SYT"])))
def test_admin_create_user_form(app, client, username, full_name, password, role, unit_code):
    log_in(client, "admin")
    before = _state()
    response = _post(client, "/admin/users/new",
                     {"username": username, "full_name": full_name, "password": password, "role": role, "unit_code": unit_code})
    after = _state()
    if response.status_code == 302:
        # All of it: the account, its grant and their audit entries.
        assert len(after[0]) == len(before[0]) + 1
        assert len(after[1]) == len(before[1]) + 1
        assert after[2] == before[2] + 2
    else:
        assert after == before
        count("lost_writes", after != before)


def _xa1_id():
    return db.session.scalars(select(User.id).where(User.username == "xa1")).one()


@SETTINGS
@given(role=junk, unit_code=st.one_of(junk, st.sampled_from(["001", "SYT", "00004"])), grant_id=junk)
def test_admin_grant_forms(app, client, role, unit_code, grant_id):
    log_in(client, "admin")
    user_id = _xa1_id()
    before = _state()
    response = _post(client, f"/admin/users/{user_id}/grants", {"role": role, "unit_code": unit_code})
    after = _state()
    if response.status_code == 302:
        assert len(after[1]) == len(before[1]) + 1 and after[2] == before[2] + 1
    else:
        assert after == before
    before = after
    response = _post(client, f"/admin/users/{user_id}/grants/remove", {"grant_id": grant_id})
    if response.status_code not in (302,) or "grant_id" not in str(grant_id):
        after = _state()
        assert after == before or (len(after[1]) == len(before[1]) - 1 and after[2] == before[2] + 1)


@SETTINGS
@given(password=junk, full_name=junk)
def test_admin_reset_password_and_profile_forms(app, client, password, full_name):
    log_in(client, "admin")
    user_id = _xa1_id()
    before = _state()
    response = _post(client, f"/admin/users/{user_id}/password", {"password": password})
    if response.status_code != 302:
        assert _state() == before
    before = _state()
    response = _post(client, f"/admin/users/{user_id}", {"full_name": full_name})
    if response.status_code != 302:
        assert _state() == before


@settings(SETTINGS, max_examples=15)
@given(params=st.dictionaries(st.sampled_from(["user", "unit", "object", "object_id", "action", "date_from", "date_to", "q"]), junk, max_size=4))
def test_search_and_filter_pages(app, client, params):
    log_in(client, "admin")
    for url in ("/admin/audit", "/admin/users", "/admin/units"):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, query_string=params, headers=headers)
            count("hostile_inputs")
            count("server_errors", response.status_code >= 500)
            assert response.status_code in (200, 400), (url, params)


csv_cell = st.one_of(junk, st.sampled_from(["01", "001", "00001", "province", "district", "commune", "department", "", "1"]))


@SETTINGS
@given(rows=st.lists(st.lists(csv_cell, min_size=0, max_size=6), max_size=6), header=st.booleans(), raw=junk)
def test_units_csv_parser(app, rows, header, raw):
    """Arbitrary CSV: a report of errors (nothing kept) or a clean import; never a crash."""
    import csv
    import io

    from portal.units import services

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(["code", "name", "kind", "parent_code", "health_authority"])
    writer.writerows(rows)
    for text in (buffer.getvalue(), raw):
        before = _state()
        count("hostile_inputs")
        try:
            report = services.import_csv(text)
        except services.UnitError:
            db.session.rollback()
            assert _state() == before
            continue
        if report.errors:
            db.session.rollback()
            assert _state() == before
        else:
            db.session.commit()


@SETTINGS
@given(content=st.one_of(junk, st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_units_import_csv_command(app, runner, tmp_path_factory, content):
    path = tmp_path_factory.mktemp("csv") / "donvi.csv"
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    before = _state()
    result = runner.invoke(args=["units", "import-csv", str(path)])
    count("hostile_inputs")
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code != 0:
        assert _state() == before


def test_markup_typed_into_a_form_is_shown_as_text(app, client, user_factory):
    """Output encoding (ASVS 5.3.3): Jinja escapes what people typed, on pages and fragments."""
    user = user_factory("hacker", full_name='<script>alert("x")</script><img src=x onerror=alert(1)>')
    log_in(client, "admin")
    for url, headers in ((f"/admin/users/{user.id}", {}), ("/admin/users?q=hacker", {"HX-Request": "true"})):
        body = client.get(url, headers=headers).get_data(as_text=True)
        count("hostile_inputs")
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert" in body
