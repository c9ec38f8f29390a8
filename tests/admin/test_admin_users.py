"""Administration of accounts and grants: each change audited, bad input refused."""
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.auth.models import Role, User
from portal.extensions import db


def _user(username):
    return db.session.scalars(select(User).where(User.username == username)).first()


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_admin_creates_a_user_with_a_grant(client, login_as):
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "username": "xa3", "full_name": "  nguyễn   văn  bình ", "password": "matkhau12345",
        "role": "commune_clerk", "unit_code": "00006"})
    assert response.status_code == 302
    user = _user("xa3")
    assert user.full_name == "nguyễn văn bình"
    assert [(g.role, g.unit.code) for g in user.grants] == [(Role.COMMUNE_CLERK, "00006")]
    assert _actions()[-2:] == ["create_user", "add_grant"]


def test_bad_user_input_is_refused_and_changes_nothing(client, login_as):
    login_as("admin")
    before = db.session.scalar(select(db.func.count(User.id)))
    cases = [
        ({"username": "xa1"}, "đã được dùng"),
        ({"username": "có dấu"}, "Chỉ dùng chữ không dấu"),
        ({"password": "ngan"}, "ít nhất 12 ký tự"),
        ({"unit_code": "99999"}, "Không có đơn vị với mã này."),
        ({"role": "superuser"}, "Lựa chọn không hợp lệ."),
    ]
    for change, message in cases:
        data = {"username": "moi", "full_name": "Người Mới", "password": "matkhau12345",
                "role": "commune_clerk", "unit_code": "00001", **change}
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    assert db.session.scalar(select(db.func.count(User.id))) == before


def test_grants_added_and_removed(client, login_as):
    login_as("admin")
    user = _user("chuyenvien")
    assert client.post(f"/admin/users/{user.id}/grants", data={"role": "secretary", "unit_code": "SYT"}).status_code == 302
    duplicate = client.post(f"/admin/users/{user.id}/grants", data={"role": "secretary", "unit_code": "SYT"})
    assert duplicate.status_code == 400 and "đã có vai trò này" in duplicate.get_data(as_text=True)
    db.session.expire_all()
    grant = next(g for g in _user("chuyenvien").grants if g.role == Role.SECRETARY)
    assert client.post(f"/admin/users/{user.id}/grants/remove", data={"grant_id": grant.id}).status_code == 302
    db.session.expire_all()
    assert Role.SECRETARY not in _user("chuyenvien").roles
    assert _actions()[-2:] == ["add_grant", "remove_grant"]


def test_admin_cannot_remove_own_admin_grant_or_lock_self(client, login_as):
    login_as("admin")
    admin = _user("admin")
    grant = admin.grants[0]
    response = client.post(f"/admin/users/{admin.id}/grants/remove", data={"grant_id": grant.id})
    assert response.status_code == 409
    client.post(f"/admin/users/{admin.id}/active")
    db.session.expire_all()
    assert _user("admin").active and _user("admin").grants


def test_deactivate_signs_the_user_out_and_blocks_login(app, client, login_as):
    victim = app.test_client()
    from tests.conftest import log_in

    log_in(victim, "xa2")
    assert victim.get("/").status_code == 200
    login_as("admin")
    client.post(f"/admin/users/{_user('xa2').id}/active")
    assert victim.get("/").status_code == 302
    db.session.expire_all()
    assert not _user("xa2").active
    assert "deactivate_user" in _actions()


def test_reset_password(client, login_as, app):
    login_as("admin")
    user = _user("xa2")
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "ngan"}).status_code == 400
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "matkhaumoi99"}).status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "xa2", "password": "matkhaumoi99"}).status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_password")).one()
    assert "matkhaumoi99" not in event.detail


def test_user_search_ignores_diacritics(client, login_as):
    login_as("admin")
    page = client.get("/admin/users?q=huong").get_data(as_text=True)
    assert "soyte" in page and "xa1" not in page
    fragment = client.get("/admin/users?q=huong", headers={"HX-Request": "true"})
    assert "</html>" not in fragment.get_data(as_text=True) and "soyte" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_audit_page_filters(client, login_as):
    login_as("admin")
    client.post(f"/admin/users/{_user('xa2').id}/password", data={"password": "matkhaumoi99"})
    page = client.get("/admin/audit?action=reset_password&user=admin").get_data(as_text=True)
    assert "reset_password" in page
    assert "add_grant" not in client.get("/admin/audit?action=reset_password").get_data(as_text=True)
    assert "</html>" not in client.get("/admin/audit", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_unknown_user_is_404_in_vietnamese(client, login_as):
    login_as("admin")
    response = client.get("/admin/users/999999")
    assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)
