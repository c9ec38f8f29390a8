"""Who may take which step at each workflow state (pure), and capacities from the demo grants."""
import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.directives.models import Task
from portal.extensions import db
from portal.permissions import Capacity as C, Step as S, allowed_steps, may_take_step, task_capacities

HEAD, STAFF, OFFICE, COORD, ASSIGNEE = ({C.LEAD_HEAD}, {C.LEAD_STAFF}, {C.OFFICE}, {C.COORDINATOR}, {C.ASSIGNEE})


@pytest.mark.parametrize("state, caps, expected", [
    ("new", HEAD, {S.ACCEPT}),
    ("new", STAFF, set()),
    ("new", OFFICE, {S.EDIT}),
    ("new", COORD, set()),
    ("accepted", HEAD, {S.ASSIGN, S.REPORT_PROGRESS, S.SUBMIT_COMPLETION}),
    ("accepted", STAFF, {S.REPORT_PROGRESS, S.SUBMIT_COMPLETION}),
    ("accepted", COORD, {S.CONTRIBUTE}),
    ("accepted", OFFICE, {S.EDIT}),
    ("submitted", HEAD, {S.HEAD_APPROVE, S.HEAD_RETURN}),
    ("submitted", STAFF, set()),
    ("submitted", OFFICE, {S.EDIT}),
    ("approved", OFFICE, {S.EDIT, S.OFFICE_ACCEPT, S.OFFICE_RETURN}),
    ("approved", HEAD, set()),
    ("done", OFFICE, {S.REOPEN}),
    ("done", HEAD, set()),
    ("done", COORD, set()),
])
def test_steps_per_state_and_capacity(state, caps, expected):
    assert allowed_steps(state, caps) == expected


def test_once_assigned_other_staff_no_longer_report():
    assert not may_take_step("accepted", STAFF, S.REPORT_PROGRESS, has_assignee=True)
    assert may_take_step("accepted", STAFF | ASSIGNEE, S.REPORT_PROGRESS, has_assignee=True)
    assert may_take_step("accepted", HEAD, S.REPORT_PROGRESS, has_assignee=True)


def test_nobody_skips_the_head_approval():
    for caps in (STAFF, ASSIGNEE, COORD, OFFICE):
        assert not may_take_step("submitted", caps, S.HEAD_APPROVE)


def _user(name):
    return db.session.scalars(select(User).where(User.username == name)).one()


def _task(lead_code, content_start):
    from portal.units.models import Unit

    return db.session.scalars(select(Task).join(Unit, Task.lead_unit_id == Unit.id)
                              .where(Unit.code == lead_code, Task.content.startswith(content_start))).first()


def test_capacities_of_the_demo_accounts(app):
    task = _task("SYT", "Tổ chức lấy mẫu")  # Sở Y tế leads; Công an and Sở GTVT coordinate
    assert task_capacities(_user("vanphong"), task) == {C.OFFICE}
    assert task_capacities(_user("soyte"), task) == {C.LEAD_HEAD}
    assert task_capacities(_user("chuyenvien"), task) == {C.LEAD_STAFF, C.ASSIGNEE}
    assert task_capacities(_user("congan"), task) == {C.COORDINATOR}
    assert task_capacities(_user("xa1"), task) == set()
    assert task_capacities(_user("thuky"), task) == set()  # the secretary reads, never acts


def test_district_and_commune_lead_their_own_tasks(app):
    district_task = _task("001", "Phân công nhân lực")
    commune_task = _task("00001", "Rà soát")
    assert C.LEAD_HEAD in task_capacities(_user("quan"), district_task)
    assert C.LEAD_HEAD in task_capacities(_user("xa1"), commune_task)
    assert task_capacities(_user("xa2"), commune_task) == set()
