"""Home pages, error pages, headers shared by every page."""
import pytest

from portal.permissions import public


def test_every_demo_role_has_a_home_panel(client, login_as):
    from portal.demo.loader import ACCOUNTS

    for username, full_name, role, _ in ACCOUNTS:
        login_as(username)
        page = client.get("/").get_data(as_text=True)
        assert f"Xin chào, {full_name}" in page and role.label in page


def test_404_is_vietnamese(client, login_as):
    login_as("xa1")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_403_is_vietnamese(client, login_as):
    login_as("xa1")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.get_data(as_text=True)


class TestServerError:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}

    def test_500_has_no_stack_trace(self, app, client):
        @app.route("/boom")
        @public
        def boom():
            raise RuntimeError("secret internals")

        response = client.get("/boom")
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Lỗi hệ thống" in page and "secret internals" not in page and "Traceback" not in page


def test_security_headers_on_pages(client, login_as):
    login_as("admin")
    response = client.get("/admin/users")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_htmx_is_served_locally_with_its_licence(client):
    assert client.get("/static/js/htmx.min.js").status_code == 200
    assert "Zero-Clause BSD" in client.get("/static/js/htmx.LICENSE").get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
