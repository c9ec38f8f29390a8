"""What every template may use: permission checks and Vietnamese formats."""
from flask import Flask
from flask_login import current_user

from portal import timeutil
from portal.permissions import Ability, can


def _number(value) -> str:
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    return f"{int(value or 0):,}".replace(",", ".")


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(Ability=Ability, can=lambda ability, unit=None: can(current_user, ability, unit))
    app.jinja_env.filters.update(
        vn_date=timeutil.format_date, vn_datetime=timeutil.format_datetime, vn_number=_number
    )
