"""Counters the security tests increment; tests/conftest.py prints them at the end of the run
(pytest_terminal_summary) and docs/SECURITY.md quotes them."""
from collections import Counter

FIGURES: Counter = Counter()

LABELS = {
    "route_role_pairs": "routes × roles tried (route matrix)",
    "foreign_id_requests": "requests with another unit's ids",
    "hostile_inputs": "hostile inputs tried (hypothesis, CSRF, bad codes)",
    "csrf_refusals": "CSRF attacks refused",
    "header_checks": "responses checked for security headers",
    "faults_injected": "faults injected (errors raised mid-change, failed commits, bad backups, double submits)",
    "concurrent_writes": "writes raced by concurrent workers",
    "server_errors": "500 answers seen",
    "leaks": "leaks seen (foreign data in an answer)",
    "lost_writes": "lost or half-written changes seen",
}


def count(name: str, amount: int = 1) -> None:
    FIGURES[name] += amount
