"""A sample value for each URL parameter, used by the route × role matrix.

Each function gets the app (inside its context, demo data loaded) and returns an id that
lies in the scope of xa1 (Phường Phúc Xá, 00001) where the parameter is scoped."""
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.units.services import by_code

PARAMS = {
    "unit_id": lambda: by_code("00001").id,
    "user_id": lambda: db.session.scalars(select(User).where(User.username == "xa1")).one().id,
}


def _demo_site(kind: str) -> int:
    from portal.campaigns.models import Site

    unit = by_code("00001")
    return db.session.scalars(select(Site.id).where(Site.unit_id == unit.id, Site.kind == kind).order_by(Site.id)).first()


def _demo_campaign() -> int:
    from portal.campaigns.models import Campaign
    from portal.demo.loader import DEMO_CAMPAIGN

    return db.session.scalars(select(Campaign.id).where(Campaign.name == DEMO_CAMPAIGN)).one()


# campaigns, sampling, coverage
PARAMS["campaign_id"] = _demo_campaign
PARAMS["site_id"] = lambda: _demo_site("sampling_point")
