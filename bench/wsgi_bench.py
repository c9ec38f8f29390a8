"""The portal as production runs it (wsgi.py) plus one bare route, for the benchmarks only.

GET /_bench/ok answers "OK" through the same gunicorn workers and the same Flask hooks
(session check, security headers, the request's commit), doing no work of its own: the
ceiling that every portal figure is compared with. Never imported by the portal itself."""
from wsgi import app
from portal.permissions import public


@public
def bench_ok():
    return "OK"


app.add_url_rule("/_bench/ok", "bench_ok", bench_ok)
