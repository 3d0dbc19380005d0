"""One dunning pass over 1,000,000 open bills of which 50,000 are due, on PostgreSQL.

Run: .venv/bin/python -m bench.dunning [--database-url URL] [--bills 1000000] [--due 50000] [--runs 3] [--statements]
       [--connections N]
The ceiling is a plain INSERT … SELECT of the same due rows into the outbox (one statement: PostgreSQL runs an
INSERT on one core); the pass runs as production does, DUNNING_CONNECTIONS batches at once unless --connections
says otherwise (--connections 1: the pass on one core, like its ceiling). Prints the ratio
(ceiling ÷ pass, goal ≥ 0.5) and how much the process's peak RSS grew during the pass (goal < 100 MB),
per run (the due bills are made due again between runs) and min/median/max. --statements also prints, per run,
every statement of the pass that took 5 ms or more (commits are not statements: the rest of the pass is
commits, Python and waiting for a core).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, event, text

from app import create_app
from bench.serve import fresh_schema
from models.db import current_db, make_engine
from scheduler.dunning import run_dunning_pass
from tests.builders import make_biller

NOW = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 11:30 in Kolkata: the due-date reminders are due


def seed(app, bills: int, due: int) -> None:
    """Bills generated inside PostgreSQL (20 per customer); `due` of them have next_reminder_at in the past."""
    with app.app_context():
        session = current_db().new_session()
        biller = make_biller(session)
        cadence_id = session.execute(text("SELECT id FROM cadences WHERE biller_id = :b"), {"b": biller.id}).scalar()
        customers = bills // 20
        session.execute(
            text("""
            INSERT INTO customers (biller_id, reference, name, phone, email, language, created_at, updated_at)
            SELECT :b, 'C' || n, 'Customer ' || n, '+9198' || lpad(n::text, 8, '0'), NULL, 'en', now(), now()
            FROM generate_series(1, :n) AS n"""),
            {"b": biller.id, "n": customers},
        )
        session.execute(
            text("""
            INSERT INTO bills (biller_id, customer_id, reference, due_date, amount_paise, amount_due_paise,
                               amount_exactness, status, cadence_id, next_reminder_at, next_step, reminders_sent,
                               created_at, updated_at)
            SELECT :b, c.min_id + (n % :customers), 'B' || n, DATE '2026-12-10', 100000, 100000, 'EXACT', 'open', :cad,
                   CASE WHEN n <= :due THEN TIMESTAMPTZ '2026-12-10 04:30:00+00'
                        ELSE TIMESTAMPTZ '2026-12-24 04:30:00+00' END, 1, 0, now(), now()
            FROM generate_series(1, :n) AS n, (SELECT min(id) AS min_id FROM customers) AS c"""),
            {"b": biller.id, "customers": customers, "cad": cadence_id, "due": due, "n": bills},
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.close()


def ceiling(app) -> float:
    """A bare INSERT … SELECT of the due rows into the outbox, rolled back."""
    with app.app_context():
        session = current_db().new_session()
        started = time.perf_counter()
        session.execute(
            text("""
            INSERT INTO outbound_messages (biller_id, customer_id, bill_id, channel, recipient, template_key,
                language, idempotency_key, fallback_channels, status, attempts, next_attempt_at, created_at,
                updated_at)
            SELECT b.biller_id, b.customer_id, b.id, 'whatsapp', c.phone, 'reminder_due_today', c.language,
                   'ceiling:' || b.id, '["sms"]', 'queued', 0, now(), now(), now()
            FROM bills b JOIN customers c ON c.id = b.customer_id
            WHERE b.next_reminder_at <= :now AND b.status IN ('open', 'partially_paid')"""),
            {"now": NOW},
        )
        elapsed = time.perf_counter() - started
        session.rollback()
        session.close()
        return elapsed


def make_due_again(app, due: int) -> None:
    """Undo a pass: the first `due` bills due again at their second step, the outbox empty."""
    with app.app_context():
        session = current_db().new_session()
        session.execute(text("DELETE FROM outbound_messages"))
        session.execute(
            text("""
            UPDATE bills SET next_reminder_at = TIMESTAMPTZ '2026-12-10 04:30:00+00', next_step = 1,
                             reminders_sent = 0
            WHERE reference IN (SELECT 'B' || n FROM generate_series(1, :due) AS n)"""),
            {"due": due},
        )
        session.commit()
        session.close()
    engine = make_engine(app.extensions["settings"].database_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE bills"))
        connection.execute(text("VACUUM ANALYZE outbound_messages"))
        # The set-up's writes (the seed's 1,000,000 rows, the last run's undoing) flushed now: a checkpoint they
        # set off would otherwise land in whichever statement ran next (2.5 s, not 1.7 s, for the first pass).
        connection.execute(text("CHECKPOINT"))
    engine.dispose()


@contextmanager
def statement_times(engine: Engine) -> Iterator[list[tuple[float, str]]]:
    """(seconds, opening words) of every statement the engine runs meanwhile, timed from send to answer."""
    times: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["statement_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        times.append((time.perf_counter() - conn.info.pop("statement_started"), " ".join(statement.split())[:80]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield times
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def one_run(app, due: int, connections: int, statements: list | None = None) -> tuple[float, float, float]:
    """(ceiling seconds, pass seconds, peak RSS growth in MB); the pass's statement times go into `statements`."""
    insert_select = ceiling(app)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with app.app_context(), statement_times(current_db().engine) as times:
        queued = run_dunning_pass(session_factory=current_db().new_session, now=NOW, connections=connections)
    elapsed = time.perf_counter() - started
    if statements is not None:
        statements += times
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert len(queued) == due, f"queued {len(queued)}, expected {due}"
    return insert_select, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/scratch")
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help="print the pass's statements of 5 ms or more")
    parser.add_argument("--connections", type=int, help="batches at once (default: DUNNING_CONNECTIONS's default)")
    args = parser.parse_args()
    app = create_app({"app_env": "test", "database_url": args.database_url, "log_level": "WARNING"})
    connections = args.connections or app.extensions["settings"].dunning_connections
    fresh_schema(app.extensions["settings"].database_url)
    started = time.perf_counter()
    seed(app, args.bills, args.due)
    print(f"seeded {args.bills:,} bills ({args.due:,} due) in {time.perf_counter() - started:.1f}s")
    print(f"the pass runs {connections} batch(es) at once")
    ratios = []
    for run in range(1, args.runs + 1):
        make_due_again(app, args.due)  # also vacuums and checkpoints, so every run starts alike
        statements: list[tuple[float, str]] = []
        insert_select, elapsed, peak = one_run(app, args.due, connections, statements)
        ratios.append(insert_select / elapsed)
        print(
            f"run {run}: INSERT … SELECT {insert_select:6.2f}s, pass {elapsed:6.2f}s ({args.due:,} queued), "
            f"ratio {ratios[-1]:.2f} (goal >= 0.5), peak RSS growth {peak:.0f} MB (goal < 100)"
        )
        if args.statements:
            total = sum(seconds for seconds, _ in statements)
            print(f"  statements {total:.2f}s of the pass (on {connections} connection(s)), those of 5 ms or more:")
            for seconds, opening in statements:
                if seconds >= 0.005:
                    print(f"  {seconds * 1000:7.0f} ms  {opening}")
    print(
        f"{args.bills:,} open bills / {args.due:,} due, ceiling ÷ pass: min {min(ratios):.2f} "
        f"median {statistics.median(ratios):.2f} max {max(ratios):.2f} (goal >= 0.5)"
    )


if __name__ == "__main__":
    main()
