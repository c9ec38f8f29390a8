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


# security: for each id parameter, an object OUTSIDE xa1's scope (Phường Trúc Bạch, 00004, the
# other commune of Quận Ba Đình; or Quận Hoàn Kiếm, 002). tests/security/test_foreign_ids.py asks
# every route with such ids as xa1 and wants 403/404 with nothing of the foreign object in the
# answer (ASVS 4.2.1). Every URL parameter named *_id needs an entry here, or in NOT_SCOPED when
# the object is shared by every unit (e.g. the city-wide campaign). Add FOREIGN_MARKERS: texts
# (names, CCCD numbers) of the foreign objects that must never appear in xa1's answers.
def _foreign_user_id():
    return db.session.scalars(select(User).where(User.username == "xa2")).one().id


FOREIGN = {
    "unit_id": lambda: by_code("00004").id,
    "user_id": _foreign_user_id,
}
NOT_SCOPED = {"campaign_id"}
FOREIGN_MARKERS = [
    lambda: "Hoàng Thị Mai",  # xa2's full name
]
