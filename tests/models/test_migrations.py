"""`flask db upgrade` builds, from empty, exactly the schema the models describe."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

import models
from app import create_app
from models.db import make_engine


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database of the same kind the suite runs on."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield database_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    app = create_app({"app_env": "test", "database_url": empty_database_url})
    engine = app.extensions["database"].engine
    with app.app_context():
        upgrade()
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), models.metadata
        )
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_leaves_only_alembics_table(empty_database_url):
    app = create_app({"app_env": "test", "database_url": empty_database_url})
    engine = app.extensions["database"].engine
    with app.app_context():
        upgrade()
        downgrade(revision="base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
