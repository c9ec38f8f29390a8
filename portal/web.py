"""Helpers shared by every blueprint's routes."""
from __future__ import annotations

from flask import render_template
from flask_htmx import make_response

from portal.extensions import htmx


def wants_fragment() -> bool:
    """An htmx swap asks for the fragment; a boosted link or a history restore wants the page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, fragment: str, status: int = 200, **context):
    """One URL, two renderings: the full page (which includes the fragment) or the fragment."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
