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
