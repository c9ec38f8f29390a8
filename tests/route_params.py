"""A sample value for each URL parameter, used by the route × role matrix.

Each function gets the app (inside its context, demo data loaded) and returns an id that
lies in the scope of xa1 (Phường Phúc Xá, 00001) where the parameter is scoped."""
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.units.services import by_code

def _roster_id():
    from portal.rosters.models import Roster, RosterKind

    return db.session.scalars(select(Roster.id).where(Roster.unit_id == by_code("00001").id,
                                                      Roster.kind == RosterKind.TESTING)).one()


def _first(model):
    stmt = select(model.id).where(model.roster_id == _roster_id()).order_by(model.id)
    return db.session.scalars(stmt).first()


def _person_id():
    from portal.rosters.models import Person

    return _first(Person)


def _batch_id():
    from portal.rosters.models import ImportBatch

    return _first(ImportBatch)


def _row_id():
    from portal.rosters.models import ImportRow

    return _first(ImportRow)
def _phuc_xa_task_id():
    from portal.directives.models import Task

    return db.session.scalars(select(Task.id).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id.desc())).first()


def _phuc_xa_attachment_id():
    from portal.directives.models import Attachment, Task

    return db.session.scalars(select(Attachment.id).join(Task, Attachment.task_id == Task.id)
                              .where(Task.lead_unit_id == by_code("00001").id).order_by(Attachment.id)).first()


def _phuc_xa_directive_id():
    from portal.directives.models import Task

    return db.session.scalars(select(Task.directive_id).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id)).first()


PARAMS = {
    "unit_id": lambda: by_code("00001").id,
    "user_id": lambda: db.session.scalars(select(User).where(User.username == "xa1")).one().id,
    # rosters: Phúc Xá's testing roster, its first person, its demo import and a doubtful row of it
    "roster_id": _roster_id,
    "person_id": _person_id,
    "batch_id": _batch_id,
    "row_id": _row_id,
    "kind": lambda: "testing",
    "fmt": lambda: "xlsx",
    "field": lambda: "cccd",
    # Directives and tasks: a task led by Phường Phúc Xá, one of its attachments, its directive.
    "task_id": _phuc_xa_task_id,
    "attachment_id": _phuc_xa_attachment_id,
    "directive_id": _phuc_xa_directive_id,
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
