from flask import render_template
from flask_login import current_user

from portal.main import bp
from portal.permissions import Ability, public, require


@bp.route("/")
@require(Ability.VIEW_HOME)
def home():
    """One home page; each of the user's grants adds the panel made for that role."""
    grants = sorted(current_user.grants, key=lambda g: (list(type(g.role)).index(g.role), g.unit.code))
    return render_template("main/home.html", grants=grants)


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
