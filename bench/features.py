"""Which features of the other issues this branch has, and how the benchmarks drive them.

Each attribute is None when the feature is missing; the figures that need it are then
reported as "not measured: feature missing" rather than replaced by something else."""
from __future__ import annotations

import importlib.util
from types import SimpleNamespace


def has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def detect() -> SimpleNamespace:
    f = SimpleNamespace(sampling=None, coverage=None, directives=None, roster_import=None, search=None, reports=None)
    if has("portal.sampling.routes"):
        from bench import drive_sampling
        f.sampling = drive_sampling
    if has("portal.coverage.services"):
        from bench import drive_coverage
        f.coverage = drive_coverage
    if has("portal.directives.routes"):
        from bench import drive_directives
        f.directives = drive_directives
    if has("portal.rosters.imports"):
        f.roster_import = True
        f.search = True
    if has("portal.reports.services"):
        f.reports = True
    names = [k for k, v in vars(f).items() if v]
    f.summary = ", ".join(names) or "none of rosters/campaigns/directives/reports yet"
    return f
