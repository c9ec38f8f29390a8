"""The epidemic response portal: create_app builds the Flask application."""
from pathlib import Path

from flask import Flask

from portal.config import ROOT, Config
from portal.database import PortalFlask


def create_app(config: type[Config] | Config = Config) -> Flask:
    app = PortalFlask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config)
    Path(app.instance_path).mkdir(exist_ok=True)

    from portal import cli, database, errors, security, templating
    from portal.extensions import csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    from portal import models  # noqa: F401  (every table known to Alembic)
    from portal.admin import routes as admin_routes
    from portal.auth import routes as auth_routes
    from portal.campaigns import routes as campaigns_routes
    from portal.coverage import routes as coverage_routes
    from portal.directives import routes as directives_routes
    from portal.main import routes as main_routes
    from portal.reports import routes as reports_routes
    from portal.rosters import routes as rosters_routes
    from portal.sampling import routes as sampling_routes

    for module in (auth_routes, main_routes, admin_routes, rosters_routes, directives_routes, campaigns_routes,
                   sampling_routes, coverage_routes, reports_routes):
        app.register_blueprint(module.bp)

    database.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
