"""Heads on their task lists, everyone's notification bell (polled by htmx)."""
from __future__ import annotations

from bench import http


def requests(world, office, health) -> list[dict]:
    return [http.request("GET", "/tasks", health), http.request("GET", "/tasks/overview", office),
            http.request("GET", "/notifications/bell", health, hx=True),
            http.request("GET", "/notifications/bell", office, hx=True)]
