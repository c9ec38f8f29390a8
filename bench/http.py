"""HTTP load: the portal under gunicorn on loopback, driven by wrk with Lua scripts.

The server is the production entry point plus one bare route (bench/wsgi_bench.py), so the
"return OK" reference runs through the same gunicorn, the same workers and the same Flask
hooks as the portal's pages."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("wrk_requests.lua")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict, app: str = "bench.wsgi_bench:app", port: int | None = None, log: Path | None = None,
             extra_args: tuple = ()):
    """Start gunicorn with the portal's gunicorn.conf.py (workers = 2 × cores + 1); always stopped."""
    port = port or free_port()
    log = log or Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    env = dict(env)
    env["PORTAL_BIND"] = f"127.0.0.1:{port}"
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), *extra_args, app]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(port, proc, log)
        yield f"http://127.0.0.1:{port}", log
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the master (workers finish their request), then make sure that nothing of its
    process group (workers included) outlives it, so no request runs after a figure is taken."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group is the server's alone
    except ProcessLookupError:
        pass


def wait_ready(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Session:
    username: str
    cookie: str      # "session=..." as sent by the browser
    csrf: str


def login(base: str, username: str, password: str) -> Session:
    """Sign in as a browser does (GET the form, POST it with its CSRF token) and return the
    session cookie and a CSRF token valid for that session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(f"{base}/login").read().decode()
    token = _token(page)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
    try:
        opener.open(f"{base}/login", body)
        raise RuntimeError(f"login of {username} did not redirect")
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise
    page = opener.open(f"{base}/").read().decode()  # the session now holds a fresh CSRF secret
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Session(username, cookie, _token(page))


def _token(page: str) -> str:
    match = _CSRF.search(page)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


@dataclass
class LoadResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int          # socket errors + timeouts + HTTP status >= 400
    status: dict
    locked: int = 0      # "database is locked" lines in the server log

    @property
    def summary(self) -> str:
        return (f"{self.requests} req in {self.duration_s:.0f}s, {self.rps:.0f} req/s, p50 {self.p50_ms:.1f} ms, "
                f"p95 {self.p95_ms:.1f} ms, errors {self.errors}, status {self.status}")


def wrk(base: str, requests: list[dict], *, duration: int, connections: int, threads: int = 2,
        think_ms: tuple[int, int] | None = None, timeout_s: int = 10, log: Path | None = None) -> LoadResult:
    """Drive the server with wrk. `requests` is a list made by request(): each
    wrk thread walks it round-robin from its own offset, so successive requests differ (other
    people, other users). think_ms=(lo, hi) adds a random pause before each request of a
    connection, i.e. simulated users rather than a flood."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        spec = Path(tmp) / "requests.tsv"
        spec.write_text("".join(_tsv(r) for r in requests), encoding="utf-8")
        out = Path(tmp) / "result.json"
        env = dict(os.environ, BENCH_REQUESTS=str(spec), BENCH_RESULT=str(out), BENCH_THREADS=str(threads),
                   BENCH_CONNS_PER_THREAD=str(connections // threads),
                   BENCH_THINK=f"{think_ms[0]},{think_ms[1]}" if think_ms else "")
        offset = log.stat().st_size if log and log.exists() else 0
        cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", f"{timeout_s}s",
               "-s", str(LUA), base]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 120)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed: {proc.stdout}\n{proc.stderr}")
        data = json.loads(out.read_text())
    locked = 0
    if log and log.exists():
        with open(log, "rb") as f:
            f.seek(offset)
            # One per failed request: the exception line SQLAlchemy logs (a traceback names it twice).
            locked = f.read().decode(errors="replace").count("sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked")
    status = {str(k): v for k, v in sorted(data["status"].items())}
    bad_status = sum(v for k, v in data["status"].items() if int(k) >= 400)
    errors = data["socket_errors"] + bad_status
    seconds = data["duration_us"] / 1e6
    return LoadResult(data["requests"], seconds, data["requests"] / seconds, data["p50_us"] / 1000,
                      data["p95_us"] / 1000, data["p99_us"] / 1000, errors, status, locked)


def request(method: str, path: str, session: Session | None = None, body: dict | None = None,
            hx: bool = False) -> dict:
    return {"method": method, "path": path, "cookie": session.cookie if session else "",
            "csrf": session.csrf if session and method != "GET" else "",
            "body": urllib.parse.urlencode(body) if body else "", "hx": hx}


def _tsv(r: dict) -> str:
    fields = [r["method"], r["path"], r.get("cookie", ""), r.get("csrf", ""), r.get("body", ""), "1" if r.get("hx") else "0"]
    assert not any("\t" in f or "\n" in f for f in fields)
    return "\t".join(fields) + "\n"


def cores() -> int:
    return os.cpu_count() or 1


if __name__ == "__main__":  # a quick manual check: python -m bench.http URL
    print(wrk(sys.argv[1], [request("GET", "/login")], duration=3, connections=4).summary)
