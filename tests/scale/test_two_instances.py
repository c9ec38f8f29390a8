"""Scale-out: two app servers (gunicorn, separate processes and ports) share nothing but
PostgreSQL, a Redis server and the upload directory. What one of them starts, the other sees:
a session, the login throttling counters, a queued report (report jobs live in the database).

Runs in the PostgreSQL pass of `make test` (TEST_DATABASE_URL); SQLite is a single-machine
database, so there is nothing to scale out on it."""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD, PG_URL

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not PG_URL, reason="scale-out needs PostgreSQL (TEST_DATABASE_URL)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} stopped:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a server and everything in its process group (gunicorn's workers too)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis server of our own: temporary directory, free port, no persistence, always stopped."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: `make setup-dev` installs it (Debian package redis-server)")
    workdir = tmp_path_factory.mktemp("redis")
    port = _free_port()
    log = workdir / "redis.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
                                 "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_port(port, proc, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)


class Servers(list):
    """The base URLs of the servers, and the database they share."""

    def __init__(self, bases, db_uri):
        super().__init__(bases)
        self.db_uri = db_uri


@pytest.fixture(scope="module")
def servers(databases, redis_url, tmp_path_factory):
    """Two gunicorn instances of the portal (wsgi:app, gunicorn.conf.py) on one database."""
    uri = databases.create(with_demo=True)
    workdir = tmp_path_factory.mktemp("servers")
    uploads = workdir / "uploads"
    uploads.mkdir()
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": uri,
        "SECRET_KEY": "scale-out-test-" + "x" * 32,   # the one secret every server shares
        "RATELIMIT_STORAGE_URI": redis_url,
        "PORTAL_UPLOAD_DIR": str(uploads),
        "PORTAL_LOGIN_LIMIT_ACCOUNT": "3 per 5 minutes",
        "PORTAL_WORKERS": "1",
        "PORTAL_THREADS": "2",
    })
    env.pop("PORTAL_ENV", None)
    procs, bases = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = workdir / f"gunicorn-{name}.log"
            with open(log, "wb") as out:
                procs.append(subprocess.Popen(
                    [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                     "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
            _wait_port(port, procs[-1], f"gunicorn {name}", log)
            bases.append(f"http://127.0.0.1:{port}")
        yield Servers(bases, uri)
    finally:
        for proc in procs:
            _stop(proc)
        databases.drop(uri)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar, any server: what a user's browser does behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, url: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(url, urllib.parse.urlencode(data).encode()))

    def get_bytes(self, url: str) -> tuple[int, bytes, dict]:
        return self._open(urllib.request.Request(url), decode=False)

    def _open(self, req, decode: bool = True):
        try:
            with self.opener.open(req, timeout=60) as resp:
                body = resp.read()
                return resp.status, body.decode() if decode else body, dict(resp.headers)
        except urllib.error.HTTPError as exc:
            body = exc.read()
            return exc.code, body.decode() if decode else body, dict(exc.headers)

    def csrf(self, url: str) -> str:
        status, page, _ = self.get(url)
        assert status == 200, status
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, "no CSRF token on the form"
        return match.group(1)

    def login(self, base: str, username: str, password: str) -> int:
        token = self.csrf(f"{base}/login")
        status, _, _ = self.post(f"{base}/login", {"username": username, "password": password, "csrf_token": token})
        return status


def test_session_made_on_one_server_is_valid_on_the_other(servers):
    a, b = servers
    browser = Browser()
    assert browser.login(a, "xa1", DEMO_PASSWORD) == 302
    status, page, _ = browser.get(f"{b}/")
    assert status == 200
    assert "Vũ Văn Nam" in page  # xa1's name: signed in on b with a's cookie

    # The CSRF token issued by b is accepted by a (signed with the shared SECRET_KEY), and
    # logging out on a ends the session on b too (the session token is in the database).
    status, page, _ = browser.get(f"{b}/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post(f"{a}/logout", {"csrf_token": token})[0] == 302
    stale = Browser()
    stale.login(a, "xa2", DEMO_PASSWORD)
    cookie = next(c for c in stale.jar if c.name == "session")
    token = re.search(r'name="csrf_token" value="([^"]+)"', stale.get(f"{a}/")[1]).group(1)
    assert stale.post(f"{b}/logout", {"csrf_token": token})[0] == 302
    replay = Browser()
    replay.jar.set_cookie(cookie)  # the cookie from before the logout
    status, _, headers = replay.get(f"{a}/")
    assert status == 302 and "/login" in headers["Location"]


def test_login_throttling_counted_across_servers(servers):
    a, b = servers
    browser = Browser()
    # The limit is 3 failed attempts per account: two on a, one on b ...
    for base in (a, a, b):
        token = browser.csrf(f"{base}/login")
        status, page, _ = browser.post(f"{base}/login", {"username": "quan", "password": "wrong-password",
                                                         "csrf_token": token})
        assert status == 200 and "không đúng" in page
    # ... and the next attempt is refused on either server, even with the right password.
    for base in (b, a):
        token = browser.csrf(f"{base}/login")
        status, page, _ = browser.post(f"{base}/login", {"username": "quan", "password": DEMO_PASSWORD,
                                                         "csrf_token": token})
        assert status == 429
        assert "Đăng nhập sai quá nhiều lần" in page
    # Another account is not affected.
    assert Browser().login(b, "xa2", DEMO_PASSWORD) == 302


def _phuc_xa_testing_roster_id(servers_db_uri: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(servers_db_uri)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT r.id FROM roster r JOIN unit u ON u.id = r.unit_id "
                "WHERE u.code = '00001' AND r.kind = 'testing'")).scalar_one()
    finally:
        engine.dispose()


def test_report_queued_on_one_server_is_seen_and_completed_on_the_other(servers):
    """The job lives in the database: requested on a, its progress and its PDF are served by b."""
    a, b = servers
    browser = Browser()
    assert browser.login(a, "thuky", DEMO_PASSWORD) == 302
    token = browser.csrf(f"{a}/reports/roster/new")
    status, _, headers = browser.post(f"{a}/reports/roster/jobs", {
        "csrf_token": token, "roster_id": str(_phuc_xa_testing_roster_id(servers.db_uri)), "site_id": "0",
        "signed_on": "05/09/2021", "signer_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn A", "recipients": "Như trên", "drafting_unit": "NVY", "draft": "1"})
    assert status == 303, status
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    assert re.fullmatch(r"/reports/jobs/\d+", job_path)

    deadline = time.monotonic() + 120
    while True:
        status, page, _ = browser.get(f"{b}{job_path}")  # the other server
        assert status == 200
        if "Bản nháp đã sẵn sàng" in page:
            break
        assert "flash-error" not in page, page
        assert time.monotonic() < deadline, "the report job did not finish in time"
        time.sleep(0.5)
    status, pdf, headers = browser.get_bytes(f"{b}{job_path}/pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF")
