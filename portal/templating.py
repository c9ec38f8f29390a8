"""What every template may use: permission checks and Vietnamese formats."""
from urllib.parse import urlencode

from flask import Flask, url_for
from flask_login import current_user

from portal import privacy, timeutil
from portal.permissions import Ability, can_in_request
from portal.reports.formatting import vn_decimal
from portal.text import format_size


def vn_number(value) -> str:
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    return f"{int(value or 0):,}".replace(",", ".")


def _percent(value) -> str:
    """46.8 (already a percentage) → "46,8%": the decimal comma, as in the PDFs."""
    return vn_decimal(value, 1) + "%"


def query_string(params: dict) -> str:
    """{'a': 1, 'b': None} → "a=1": a query string without the empty parameters (url_for
    would drop them too, at fifty times the cost, for each of a dashboard's thousand links)."""
    return urlencode([(k, v) for k, v in params.items() if v is not None])


# An id no route ever sees: url_by_id builds a URL once with it, then puts each id in its place.
_PLACEHOLDER_ID = 987_654_321_987_654


def url_by_id(endpoint: str, key: str, **values):
    """id → url_for(endpoint, **values, key=id), url_for called once: a 50-row list would call it
    150 times (links, edit, remove) at some 25 µs each, on every keystroke of a search."""
    head, _, tail = url_for(endpoint, **values, **{key: _PLACEHOLDER_ID}).rpartition(str(_PLACEHOLDER_ID))
    return lambda value: f"{head}{int(value)}{tail}"


def _can(ability, unit=None) -> bool:
    """can() for templates, for the signed-in user (once per request for each question)."""
    return can_in_request(current_user, ability, unit)


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(Ability=Ability, can=_can, url_by_id=url_by_id,
                                 identity_shown=lambda unit: privacy.identity_shown(current_user, unit))
    app.jinja_env.filters.update(
        vn_date=timeutil.format_date, vn_datetime=timeutil.format_datetime, vn_number=vn_number, percent_shown=_percent,
        file_size=format_size, query=query_string,
        # Least data (portal/privacy.py): {{ person.cccd | identity(person.unit) }}, {{ person.phone | phone(person.unit) }}
        identity=lambda value, unit=None: privacy.shown_identity(current_user, value, unit),
        phone=lambda value, unit=None: privacy.shown_phone(current_user, value, unit),
    )
    app.jinja_env.globals.update(mask_cccd=privacy.mask_cccd, mask_phone=privacy.mask_phone)
