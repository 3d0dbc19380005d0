"""A 2,000-line bank statement matched against 50,000 bills: milliseconds per line, matched lines included.

Run: .venv/bin/python -m bench.statement_matching [--database-url URL] [--bills 50000] [--lines 2000]
(the database is emptied and recreated). One line in three carries a UTR that a customer claimed for a bill
(a certain match: the payment is recorded and its receipt queued); the rest are credits nobody claimed, with
amounts that may or may not equal a bill's. Issue #16 measured ~80 ms a line under load before lookups were
made per batch of lines (reconciliation/matching.py).
"""

from __future__ import annotations

import argparse
import random
import time

from accounts.audit import record_audit
from app import create_app
from bench.bulk_import import csv_rows
from bench.serve import fresh_schema
from billing.importer import import_bills_csv
from models.db import current_db, utcnow
from tests.builders import make_biller
from workflows.reconciliation import reconcile_statement

HEADER = "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance"


def statement(lines: int, bills: int, claims: int) -> bytes:
    """An HDFC-style statement: a third of the credits carry a claimed UTR."""
    random.seed(1)
    rows = [HEADER]
    for n in range(lines):
        amount = (1000 + random.randrange(bills * 2)) / 100
        utr = f"5{random.randrange(claims):011d}" if n % 3 == 0 else f"4{n:011d}"
        rows.append(f"25/11/26,UPI-CUSTOMER {n}-x@okaxis-UTIB0000001-{utr}-NA,{utr},25/11/26,,{amount:.2f},1000.00")
    return ("\n".join(rows) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/scratch")
    parser.add_argument("--bills", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=2_000)
    args = parser.parse_args()
    app = create_app({"app_env": "test", "database_url": args.database_url, "log_level": "WARNING"})
    fresh_schema(app.extensions["settings"].database_url)
    claims = 5_000
    with app.app_context():
        session = current_db().new_session()
        biller = make_biller(session)
        settings = app.extensions["settings"]
        import_bills_csv(session=session, biller=biller, data=csv_rows(args.bills), partial=False, settings=settings)
        for n in range(claims):  # what the bot writes when a customer says "I paid, UTR …"
            detail = {"utr": f"5{n:011d}"}
            record_audit(
                session=session, biller_id=biller.id, actor="customer", action="payment.claimed",
                subject_type="bill", subject_id=n + 1, detail=detail,
            )  # fmt: skip
        session.commit()
        data = statement(args.lines, args.bills, claims)
        started = time.perf_counter()
        report = reconcile_statement(session=session, biller=biller, data=data, actor="bench", now=utcnow())
        session.commit()
        elapsed = time.perf_counter() - started
        session.close()
    counts = ", ".join(f"{report[key]} {key}" for key in ("matched", "suggested", "unmatched"))
    database = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"{args.lines:,} lines against {args.bills:,} bills on {database}: {counts}")
    print(f"{elapsed:.1f} s, {1000 * elapsed / args.lines:.1f} ms a line")


if __name__ == "__main__":
    main()
