"""Alembic environment: migrate the app's database to the SQLModel metadata."""

from alembic import context
from flask import current_app

import models
from models.db import current_db

config = context.config
target_metadata = models.metadata
NOT_OURS = {"apscheduler_jobs"}  # APScheduler creates and owns its job table


def include_object(obj, name, type_, reflected, compare_to):
    """Leave tables other libraries own out of autogenerate."""
    return not (type_ == "table" and name in NOT_OURS)


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(
        url=current_db().engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations over a live connection (batch mode so SQLite can alter tables)."""
    options = current_app.extensions["migrate"].configure_args
    with current_db().engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys on, SQLite
            # runs ON DELETE CASCADE for that DROP and empties every table that refers to it. Off while
            # migrating, then checked once at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection, target_metadata=target_metadata, include_object=include_object, **options
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"migrations left rows whose foreign keys point nowhere: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
