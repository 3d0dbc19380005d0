"""`flask db upgrade` builds, from empty, exactly the schema the models describe."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

import models
from app import create_app
from models import Biller, Label
from models.db import current_db, make_engine
from tests.builders import make_biller


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


# SQLite cannot reflect an expression index (labels' lower(name)), so there alembic skips comparing it;
# test_upgrade_makes_label_names_unique_ignoring_case_and_bbps_ids_one_billers checks that index by what it does.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
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


def test_upgrade_makes_label_names_unique_ignoring_case_and_bbps_ids_one_billers(empty_database_url):
    app = create_app({"app_env": "test", "database_url": empty_database_url})
    engine = app.extensions["database"].engine
    with app.app_context():
        upgrade()
        session = current_db().new_session()
        first = make_biller(session, name="A")
        make_biller(session, name="B")  # many billers have no id: NULLs never clash
        first.bbps_biller_id = "MAHA00000MAH01"
        session.add(Label(biller_id=first.id, name="Refund"))
        session.commit()
        clashes = (
            (Biller(name="C", upi_vpa="c@ybl", payee_name="C", bbps_biller_id="MAHA00000MAH01"), "bbps_biller_id"),
            (Label(biller_id=first.id, name="refund"), "uq_labels_biller_name_lower"),
        )
        for clash, constraint in clashes:
            session.add(clash)
            with pytest.raises(IntegrityError, match=constraint):
                session.commit()
            session.rollback()
        session.close()
    engine.dispose()


def test_upgrade_keeps_rows_that_already_clash(empty_database_url):
    """Billers sharing an id before the upgrade: the earliest keeps it. Labels differing only in case: the later
    one is renamed, so no conversation loses its label."""
    app = create_app({"app_env": "test", "database_url": empty_database_url})
    engine = app.extensions["database"].engine
    with app.app_context():
        upgrade(revision="3a48ba97d3b5")
        session = current_db().new_session()
        first, second = make_biller(session, name="A"), make_biller(session, name="B")
        for biller in (first, second):
            session.execute(
                text("UPDATE billers SET bbps_biller_id = 'MAHA00000MAH01' WHERE id = :id"), {"id": biller.id}
            )
        for name in ("Refund", "refund", "Meter reading"):
            session.execute(
                text("INSERT INTO labels (biller_id, name, created_at) VALUES (:b, :n, CURRENT_TIMESTAMP)"),
                {"b": first.id, "n": name},
            )
        session.commit()
        session.close()
        upgrade()
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT id, bbps_biller_id FROM billers ORDER BY id")).all()
        labels = connection.execute(text("SELECT id, name FROM labels ORDER BY id")).all()
    engine.dispose()
    assert [bbps for _, bbps in ids] == ["MAHA00000MAH01", None]
    assert [name for _, name in labels] == ["Refund", f"refund #{labels[1].id}", "Meter reading"]
