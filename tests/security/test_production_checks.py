"""Production refuses to start with the default SECRET_KEY, debug on, or the demo accounts."""
import pytest

from portal import create_app
from portal.config import DEFAULT_SECRET_KEY
from portal.security import UnsafeProductionConfig
from tests.conftest import make_config

STRONG = "k" * 40


def _production(uri, **overrides):
    return make_config(uri, PORTAL_ENV="production", TESTING=False, **{"SECRET_KEY": STRONG, **overrides})


def test_default_secret_key_is_refused(databases):
    uri = databases.create(with_demo=False)
    with pytest.raises(UnsafeProductionConfig, match="SECRET_KEY"):
        create_app(_production(uri, SECRET_KEY=DEFAULT_SECRET_KEY))
    with pytest.raises(UnsafeProductionConfig, match="SECRET_KEY"):
        create_app(_production(uri, SECRET_KEY="short"))
    databases.drop(uri)


def test_debug_is_refused(databases):
    uri = databases.create(with_demo=False)
    with pytest.raises(UnsafeProductionConfig, match="Debug"):
        create_app(_production(uri, DEBUG=True))
    databases.drop(uri)


def test_demo_accounts_are_refused(databases):
    uri = databases.create(with_demo=True)
    with pytest.raises(UnsafeProductionConfig, match="admin"):
        create_app(_production(uri))
    databases.drop(uri)


def test_demo_accounts_with_changed_passwords_are_accepted(databases):
    from sqlalchemy import select

    from portal.auth import services
    from portal.auth.models import User
    from portal.extensions import db

    uri = databases.create(with_demo=True)
    app = create_app(make_config(uri))
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.password_hash = services.hash_password("mot-mat-khau-rieng-" + user.username)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    production = create_app(_production(uri))
    assert production.config["PORTAL_ENV"] == "production"
    with production.app_context():
        db.engine.dispose()
    databases.drop(uri)


def test_a_clean_production_start(databases):
    uri = databases.create(with_demo=False)
    app = create_app(_production(uri))
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()
    databases.drop(uri)


def test_an_unmigrated_database_does_not_block_the_migration(tmp_path):
    app = create_app(_production(f"sqlite:///{tmp_path / 'fresh.db'}"))
    assert app.config["PORTAL_ENV"] == "production"


def test_the_demo_loader_refuses_production(databases):
    uri = databases.create(with_demo=False)
    app = create_app(_production(uri))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "PORTAL_ENV=production" in result.output
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()
    databases.drop(uri)


def test_behind_a_proxy_the_visitor_address_and_https_are_seen(databases):
    from flask import request

    from portal.extensions import db
    from portal.permissions import public

    uri = databases.create(with_demo=False)
    app = create_app(make_config(uri, PROXY_COUNT=1))

    @public
    def where():
        return f"{request.remote_addr} {request.scheme}"

    app.add_url_rule("/_where", "where", where)
    response = app.test_client().get("/_where", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "203.0.113.9 https"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    with app.app_context():
        db.engine.dispose()
    databases.drop(uri)
