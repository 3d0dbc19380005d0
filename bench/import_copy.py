"""A CSV import of 50,000 bills on PostgreSQL against a plain COPY of the same rows into the same tables.

Run: .venv/bin/python -m bench.import_copy [--database-url URL] [--rows 50000] [--runs 3]
(the database is emptied and recreated). Each run imports the CSV with billing.importer (parse, validate,
upsert customers, insert bills and links, commit), reads back exactly the rows it wrote, empties the
tables and COPies those rows in again, committed. Prints the ratio COPY ÷ import (goal ≥ 0.25) per run and
min/median/max.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import text

import models
from app import create_app
from bench.bulk_import import csv_rows
from bench.serve import fresh_schema
from billing.importer import import_bills_csv
from models.db import current_db
from tests.builders import make_biller

GOAL = 0.25
TABLES = ("customers", "bills", "payment_links")


def run_import(app, biller_id: int, data: bytes) -> float:
    with app.app_context():
        session = current_db().new_session()
        started = time.perf_counter()
        biller = session.get(models.Biller, biller_id)
        report = import_bills_csv(
            session=session, biller=biller, data=data, partial=False, settings=app.extensions["settings"]
        )
        session.commit()
        elapsed = time.perf_counter() - started
        session.close()
        assert report.ok, report.errors[:3]
        return elapsed


def run_copy(app) -> float:
    """Read back what the import wrote, empty the tables, COPY it in again; returns the COPY time."""
    with app.app_context():
        session = current_db().new_session()
        cursor = session.connection().connection.driver_connection.cursor()
        saved = {}
        for table in TABLES:
            with cursor.copy(f"COPY {table} TO STDOUT") as copy:
                saved[table] = b"".join(bytes(block) for block in copy)
        session.execute(text("DELETE FROM payment_links; DELETE FROM bills; DELETE FROM customers"))
        session.commit()
        cursor = session.connection().connection.driver_connection.cursor()
        started = time.perf_counter()
        for table in TABLES:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(saved[table])
        session.commit()
        elapsed = time.perf_counter() - started
        session.execute(text("DELETE FROM payment_links; DELETE FROM bills; DELETE FROM customers"))
        session.commit()
        session.close()
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/scratch")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = create_app({"app_env": "test", "database_url": args.database_url, "log_level": "WARNING"})
    fresh_schema(app.extensions["settings"].database_url)
    with app.app_context():
        session = current_db().new_session()
        biller_id = make_biller(session).id
        session.commit()
        session.close()
    data = csv_rows(args.rows)
    ratios = []
    for run in range(1, args.runs + 1):
        imported = run_import(app, biller_id, data)
        copied = run_copy(app)
        ratios.append(copied / imported)
        print(f"run {run}: import {imported:6.2f}s, COPY of the same rows {copied:6.2f}s, ratio {ratios[-1]:.2f}")
    print(
        f"{args.rows:,} rows, COPY ÷ import: min {min(ratios):.2f} median {statistics.median(ratios):.2f} "
        f"max {max(ratios):.2f} (goal >= {GOAL})"
    )


if __name__ == "__main__":
    main()
