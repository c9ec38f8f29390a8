"""gunicorn settings for the portal (read from the working directory: `gunicorn wsgi:app`).

(2 × cores + 1) worker processes; the portal's requests are short and CPU-bound (templates,
validation), the extra workers cover the time a request waits on the database. gthread
workers (4 threads each) rather than sync: a sync worker is held by any idle or slow client
(a browser's keep-alive connection, a phone on a poor network) until it sends its request,
so 400 users at their desks starve 5 sync workers; gthread parks idle connections in a
poller. PORTAL_WORKERS / PORTAL_THREADS / PORTAL_WORKER_CLASS or command-line flags override."""
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("PORTAL_WORKER_CLASS", "gthread")
threads = int(os.environ.get("PORTAL_THREADS", "4"))
# Browsers keep a connection open between clicks and htmx polls: keep it longer than a
# user's pause (a clerk scans a card every few seconds) so the next request needs no new
# connection; idle connections wait in the poller, not in a thread.
keepalive = 15
# A slow PDF or a long import must not be killed as a hung worker too early.
timeout = 120
graceful_timeout = 20
# Deep enough for a burst of clients (400 simulated users) while every worker is busy.
backlog = 2048
# Recycle workers now and then: bounds any slow leak (WeasyPrint, large imports).
max_requests = 20000
max_requests_jitter = 2000
# Load the application once in the master: faster start and shared memory pages.
preload_app = True
accesslog = None
errorlog = "-"


def post_fork(server, worker):
    """The master loaded the app (preload_app): each worker opens its own database connections."""
    app = server.app.wsgi()
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
