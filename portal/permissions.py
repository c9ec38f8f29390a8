"""Who may do what: the only place.

An ability is granted by roles (POLICY). A grant is a role held on one unit, and it
reaches that unit and everything below it in the tree. Views declare their ability
with @require; queries are narrowed with `scoped`, so a foreign id is simply not found.
"""
from __future__ import annotations

import enum
from functools import wraps

from flask import abort, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import false, or_, select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.units.models import Unit


class Ability(str, enum.Enum):
    VIEW_HOME = "view_home"
    CHANGE_OWN_PASSWORD = "change_own_password"
    ADMIN_UNITS = "admin_units"
    ADMIN_USERS = "admin_users"
    VIEW_AUDIT = "view_audit"
    # rosters
    ROSTER_VIEW = "roster_view"
    ROSTER_EDIT = "roster_edit"
    ROSTER_REVIEW = "roster_review"
    ROSTER_EXPORT = "roster_export"
    # Directives and tasks
    VIEW_TASKS = "view_tasks"
    REGISTER_DIRECTIVES = "register_directives"
    ASSIGN_TASKS = "assign_tasks"
    LEAD_TASKS = "lead_tasks"
    REPORT_TASKS = "report_tasks"
    CONTRIBUTE_TASKS = "contribute_tasks"
    VIEW_NOTIFICATIONS = "view_notifications"
    # campaigns, sampling, lab results, doses, coverage
    VIEW_CAMPAIGNS = "view_campaigns"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    RECORD_SAMPLES = "record_samples"
    RECORD_DOSES = "record_doses"
    ENTER_RESULTS = "enter_results"
    VIEW_COVERAGE = "view_coverage"
    VIEW_COVERAGE_PEOPLE = "view_coverage_people"
    # security: whole citizen IDs and phone numbers (portal/privacy.py); others see them masked.
    SEE_FULL_IDENTITY = "see_full_identity"
    # Official reports (reports domain)
    PRODUCE_HEALTH_REPORT = "produce_health_report"
    PRODUCE_TASK_REPORT = "produce_task_report"
    ISSUE_REPORT = "issue_report"


R = Role
EVERY_ROLE = frozenset(Role)

POLICY: dict[Ability, frozenset[Role]] = {
    Ability.VIEW_HOME: EVERY_ROLE,
    Ability.CHANGE_OWN_PASSWORD: EVERY_ROLE,
    Ability.ADMIN_UNITS: frozenset({R.ADMIN}),
    Ability.ADMIN_USERS: frozenset({R.ADMIN}),
    Ability.VIEW_AUDIT: frozenset({R.ADMIN}),
    # rosters: clerks compile, district officers (or the health department where there is no
    # district) review; the steering office, department staff and secretaries may read.
    Ability.ROSTER_VIEW: frozenset({R.COMMUNE_CLERK, R.DISTRICT_OFFICER, R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF,
                                    R.STEERING_OFFICE, R.SECRETARY, R.ADMIN}),
    Ability.ROSTER_EDIT: frozenset({R.COMMUNE_CLERK}),
    Ability.ROSTER_REVIEW: frozenset({R.DISTRICT_OFFICER, R.DEPARTMENT_HEAD}),
    Ability.ROSTER_EXPORT: frozenset({R.COMMUNE_CLERK, R.DISTRICT_OFFICER, R.DEPARTMENT_HEAD}),
    # Directives and tasks: the office registers and assigns, accepts or returns completion;
    # the lead unit's head (a district officer or commune clerk for a locality) accepts, hands
    # to staff and approves; staff and heads report; coordinating units contribute.
    Ability.VIEW_TASKS: frozenset({R.STEERING_OFFICE, R.SECRETARY, R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF,
                                   R.DISTRICT_OFFICER, R.COMMUNE_CLERK}),
    Ability.REGISTER_DIRECTIVES: frozenset({R.STEERING_OFFICE, R.SECRETARY}),
    Ability.ASSIGN_TASKS: frozenset({R.STEERING_OFFICE}),
    Ability.LEAD_TASKS: frozenset({R.DEPARTMENT_HEAD, R.DISTRICT_OFFICER, R.COMMUNE_CLERK}),
    Ability.REPORT_TASKS: frozenset({R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF, R.DISTRICT_OFFICER, R.COMMUNE_CLERK}),
    Ability.CONTRIBUTE_TASKS: frozenset({R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF, R.DISTRICT_OFFICER,
                                         R.COMMUNE_CLERK}),
    Ability.VIEW_NOTIFICATIONS: EVERY_ROLE,
    # campaigns, sampling, lab results, doses, coverage
    Ability.VIEW_CAMPAIGNS: frozenset({R.STEERING_OFFICE, R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF, R.ADMIN,
                                       R.DISTRICT_OFFICER, R.COMMUNE_CLERK, R.SECRETARY}),
    Ability.MANAGE_CAMPAIGNS: frozenset({R.STEERING_OFFICE, R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF, R.ADMIN}),
    Ability.RECORD_SAMPLES: frozenset({R.COMMUNE_CLERK}),
    Ability.RECORD_DOSES: frozenset({R.COMMUNE_CLERK}),
    Ability.ENTER_RESULTS: frozenset({R.LAB_TECHNICIAN}),
    Ability.VIEW_COVERAGE: frozenset({R.COMMUNE_CLERK, R.DISTRICT_OFFICER, R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF,
                                      R.STEERING_OFFICE, R.SECRETARY, R.ADMIN}),
    Ability.VIEW_COVERAGE_PEOPLE: frozenset({R.COMMUNE_CLERK, R.DISTRICT_OFFICER, R.DEPARTMENT_HEAD,
                                             R.DEPARTMENT_STAFF, R.STEERING_OFFICE, R.ADMIN}),
    # security: least data (ASVS 8.3.x). The commune's clerk, its district officer and the health
    # department (a grant on the health authority reaches its territory: HEALTH_TERRITORY) see a
    # person's full CCCD and phone; the steering office, the secretary and other departments see
    # them masked. Always ask with the person's unit: can(user, SEE_FULL_IDENTITY, person.unit).
    Ability.SEE_FULL_IDENTITY: frozenset({R.COMMUNE_CLERK, R.DISTRICT_OFFICER, R.DEPARTMENT_HEAD, R.DEPARTMENT_STAFF}),
    # Official reports (reports domain): a clerk on the own commune, a secretary on the own unit
    # and below (a health authority's secretary: its whole territory for health reports).
    Ability.PRODUCE_HEALTH_REPORT: frozenset({R.SECRETARY, R.COMMUNE_CLERK}),
    Ability.PRODUCE_TASK_REPORT: frozenset({R.SECRETARY, R.COMMUNE_CLERK}),
    Ability.ISSUE_REPORT: frozenset({R.SECRETARY, R.COMMUNE_CLERK}),
}

# security: roles that must sign in with a second factor (TOTP) besides their password.
SECOND_FACTOR_ROLES: frozenset[Role] = frozenset({R.ADMIN})


# --- Directives and tasks: who may take which workflow step -------------------------------
class Capacity(str, enum.Enum):
    """What a user is to one task (computed from grants by `task_capacities`)."""

    OFFICE = "office"              # steering office over the lead unit
    LEAD_HEAD = "lead_head"        # head of the lead unit (or the locality's officer / clerk)
    LEAD_STAFF = "lead_staff"      # staff of the lead unit
    ASSIGNEE = "assignee"          # the staff member the head handed the task to
    COORDINATOR = "coordinator"    # a coordinating unit's head or staff


class Step(str, enum.Enum):
    EDIT = "edit"
    ACCEPT = "accept"
    ASSIGN = "assign"
    REPORT_PROGRESS = "report_progress"
    SUBMIT_COMPLETION = "submit_completion"
    HEAD_APPROVE = "head_approve"
    HEAD_RETURN = "head_return"
    OFFICE_ACCEPT = "office_accept"
    OFFICE_RETURN = "office_return"
    REOPEN = "reopen"
    CONTRIBUTE = "contribute"


# state → step → capacities that may take it. States are TaskState values (kept as strings here
# so that this table stays a pure, importable description of the workflow).
WORKFLOW: dict[str, dict[Step, frozenset[Capacity]]] = {
    "new": {
        Step.EDIT: frozenset({Capacity.OFFICE}),
        Step.ACCEPT: frozenset({Capacity.LEAD_HEAD}),
    },
    "accepted": {
        Step.EDIT: frozenset({Capacity.OFFICE}),
        Step.ASSIGN: frozenset({Capacity.LEAD_HEAD}),
        Step.REPORT_PROGRESS: frozenset({Capacity.LEAD_HEAD, Capacity.LEAD_STAFF}),
        Step.SUBMIT_COMPLETION: frozenset({Capacity.LEAD_HEAD, Capacity.LEAD_STAFF}),
        Step.CONTRIBUTE: frozenset({Capacity.COORDINATOR}),
    },
    "submitted": {
        Step.EDIT: frozenset({Capacity.OFFICE}),
        Step.HEAD_APPROVE: frozenset({Capacity.LEAD_HEAD}),
        Step.HEAD_RETURN: frozenset({Capacity.LEAD_HEAD}),
        Step.CONTRIBUTE: frozenset({Capacity.COORDINATOR}),
    },
    "approved": {
        Step.EDIT: frozenset({Capacity.OFFICE}),
        Step.OFFICE_ACCEPT: frozenset({Capacity.OFFICE}),
        Step.OFFICE_RETURN: frozenset({Capacity.OFFICE}),
        Step.CONTRIBUTE: frozenset({Capacity.COORDINATOR}),
    },
    "done": {
        Step.REOPEN: frozenset({Capacity.OFFICE}),
    },
}


def may_take_step(state: str, capacities: set[Capacity] | frozenset[Capacity], step: Step,
                  has_assignee: bool = False) -> bool:
    """Pure: may someone with these capacities take `step` on a task in `state`?

    Once the head has handed the task to a staff member, the other staff of the unit no longer
    report on it (the head still may)."""
    allowed = WORKFLOW.get(str(getattr(state, "value", state)), {}).get(step, frozenset())
    effective = set(capacities)
    if has_assignee and Capacity.ASSIGNEE not in effective:
        effective.discard(Capacity.LEAD_STAFF)
    if Capacity.ASSIGNEE in effective:
        effective.add(Capacity.LEAD_STAFF)
    return bool(allowed & effective)


def allowed_steps(state: str, capacities, has_assignee: bool = False) -> set[Step]:
    return {step for step in Step if may_take_step(state, capacities, step, has_assignee)}


def task_capacities(user: User, task) -> frozenset[Capacity]:
    """What `user` is to `task`, from the user's grants and the task's units."""
    lead = task.lead_unit
    capacities = set()
    if can(user, Ability.ASSIGN_TASKS, lead):
        capacities.add(Capacity.OFFICE)
    if can(user, Ability.LEAD_TASKS, lead):
        capacities.add(Capacity.LEAD_HEAD)
    if any(g.role is R.DEPARTMENT_STAFF and lead.is_within(g.unit) for g in user.grants):
        capacities.add(Capacity.LEAD_STAFF)
    if task.assignee_id is not None and task.assignee_id == user.id:
        capacities.add(Capacity.ASSIGNEE)
    if any(can(user, Ability.CONTRIBUTE_TASKS, unit) for unit in task.coordinators):
        capacities.add(Capacity.COORDINATOR)
    return frozenset(capacities)


# Abilities on health data (rosters, samples, coverage, health reports): a grant on a health
# authority (Sở Y tế) reaches the whole territory it serves, not just the department's own subtree.
HEALTH_TERRITORY: frozenset[Ability] = frozenset({
    # rosters
    Ability.ROSTER_VIEW, Ability.ROSTER_REVIEW, Ability.ROSTER_EXPORT,
    # campaigns, sampling, lab results, doses, coverage
    Ability.VIEW_CAMPAIGNS, Ability.MANAGE_CAMPAIGNS, Ability.VIEW_COVERAGE, Ability.VIEW_COVERAGE_PEOPLE,
    Ability.PRODUCE_HEALTH_REPORT,  # reports domain
    Ability.SEE_FULL_IDENTITY,  # security: the health department sees whole identities of its territory
})


def needs_second_factor(user: User) -> bool:
    """Does this account sign in with a one-time code as well as its password?"""
    return any(g.role in SECOND_FACTOR_ROLES for g in user.grants)


def roles_for(ability: Ability) -> frozenset[Role]:
    return POLICY[ability]


def grant_reach(grant, ability: Ability) -> Unit:
    """The unit whose subtree a grant covers for this ability."""
    if ability in HEALTH_TERRITORY and grant.unit.health_authority:
        return grant.unit.territory()
    return grant.unit


def can(user: User | None, ability: Ability, unit: Unit | None = None) -> bool:
    """May `user` use `ability`, on `unit` when given (the unit must lie within a grant)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    allowed = POLICY[ability]
    for grant in user.grants:
        if grant.role in allowed and (unit is None or unit.is_within(grant_reach(grant, ability))):
            return True
    return False


def can_in_request(user: User | None, ability: Ability, unit: Unit | None = None) -> bool:
    """can(), answered once per request for each (user, ability, unit): a page that lists a
    thousand numbers or a hundred people asks the same question for each of them, and the answer
    cannot change within the request. Outside a request it is can() itself."""
    if not has_request_context():
        return can(user, ability, unit)
    cache = g.setdefault("_can_cache", {})
    key = (getattr(user, "id", None), ability, getattr(unit, "id", None), getattr(unit, "path", None))
    if key not in cache:
        cache[key] = can(user, ability, unit)
    return cache[key]


def can_review_roster(user: User | None, commune: Unit) -> bool:
    """Rosters are reviewed by the district above the commune; the health department reviews
    only where there is no district (the two-level structure since 2025)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    from portal.units.models import UnitKind

    has_district = any(u.kind is UnitKind.DISTRICT for u in commune.ancestors())
    for grant in user.grants:
        if grant.role not in POLICY[Ability.ROSTER_REVIEW]:
            continue
        reach = grant_reach(grant, Ability.ROSTER_REVIEW)
        if not commune.is_within(reach):
            continue
        if has_district and reach is not grant.unit:
            continue  # a health authority's territory-wide reach stops where a district reviews
        return True
    return False


def scope_paths(user: User, ability: Ability) -> list[str]:
    """Tree paths of the user's grants that carry `ability` (minimal set)."""
    paths = sorted({grant_reach(g, ability).path for g in user.grants if g.role in POLICY[ability]})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    return minimal


def visible_units(user: User, ability: Ability):
    """A SELECT of the ids of every unit the user reaches with `ability`."""
    paths = scope_paths(user, ability)
    if not paths:
        return select(Unit.id).where(false())
    return select(Unit.id).where(or_(*(Unit.path.startswith(p, autoescape=True) for p in paths)))


def scoped(stmt, user: User, ability: Ability, unit_column):
    """Narrow a SELECT to rows whose unit the user reaches with `ability`."""
    return stmt.where(unit_column.in_(visible_units(user, ability)))


def get_scoped_or_404(model, object_id, user: User, ability: Ability, unit_column=None, options=()):
    """Fetch one row by id, or 404 when it is missing or outside the user's units. `options`:
    loader options (a related row the caller reads anyway, in the same statement)."""
    unit_column = unit_column if unit_column is not None else model.unit_id
    stmt = scoped(select(model).options(*options).where(model.id == object_id), user, ability, unit_column)
    row = db.session.scalars(stmt).first()
    if row is None:
        abort(404)
    return row


def require(ability: Ability):
    """Route gate: login required, then the ability on at least one unit (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not can(current_user, ability):
                current_app.logger.warning(
                    "access denied: user=%s ability=%s path=%s", current_user.id, ability.value, request.path
                )
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = ability
        return wrapped

    return decorator


def public(view):
    """Mark a route as open to anonymous visitors (login page, health check)."""
    view.access_rule = "public"
    return view
