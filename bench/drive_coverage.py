"""Dashboards as officers watch them: the htmx polling refresh of the coverage figures."""
from __future__ import annotations

from bench import http


def requests(world, office, health) -> list[dict]:
    path = f"/coverage/?campaign={world.campaign_id}"
    return [http.request("GET", path, office, hx=True), http.request("GET", path, health, hx=True)]
