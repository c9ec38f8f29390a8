"""Playwright against a live portal on 127.0.0.1, driving Debian's Chromium."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import make_config

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 1280, "height": 900}}


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def live_server(databases):
    """A portal with the demo data, served for one test module."""
    uri = databases.create(with_demo=True)
    app = create_app(make_config(uri, WTF_CSRF_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 5 minutes"))
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


@pytest.fixture
def portal_url(live_server):
    return live_server.url


# The last TOTP step used per portal (a code is accepted once): the next sign-in of the admin
# uses a later step, within the one-step window either side of now, waiting when needed.
_LAST_STEP: dict[str, int] = {}


def _next_admin_code(portal_url: str) -> str:
    import time

    import pyotp

    from portal.demo.loader import DEMO_ADMIN_TOTP_SECRET

    now_step = int(time.time() // 30)
    step = max(now_step - 1, _LAST_STEP.get(portal_url, -1) + 1)
    while step > int(time.time() // 30) + 1:
        time.sleep(1)
    _LAST_STEP[portal_url] = step
    return pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).generate_otp(step)


def sign_in(page, portal_url: str, username: str, password: str = "demo1234") -> None:
    """Sign in through the login form; the demo admin also types its one-time code."""
    page.goto(f"{portal_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    if username == "admin" and page.url.startswith(f"{portal_url}/login/code"):
        page.get_by_label("Mã xác thực (6 chữ số)").fill(_next_admin_code(portal_url))
        page.get_by_role("button", name="Xác nhận").click()
