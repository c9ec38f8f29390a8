"""Imports every model module so that the metadata (and Alembic) sees every table."""
from portal.audit import AuditEvent  # noqa: F401
from portal.auth.models import Grant, User  # noqa: F401
from portal.units.models import Unit  # noqa: F401
from portal.campaigns.models import Campaign  # noqa: F401
from portal.rosters.models import ImportBatch, ImportRow, Person, Roster  # noqa: F401
from portal.directives.models import Attachment, Directive, Task, TaskEvent  # noqa: F401
from portal.campaigns.models import CampaignLab, LabRoute, Round, Site, ZoneTarget  # noqa: F401
from portal.sampling.models import Dose, Sample, Tube  # noqa: F401
from portal.coverage.models import CoverageCounter, PersonStatus  # noqa: F401
from portal.reports.models import IssuedReport, ReportJob, ReportRegister  # noqa: F401
from portal.coverage import events as _coverage_events  # noqa: F401,E402  (Person deletes take samples along)
