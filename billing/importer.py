"""Bulk CSV import of bills: every bad row reported, nothing half-written, 50,000 rows in seconds."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from pydantic import ValidationError
from sqlalchemy import ARRAY, String, any_, bindparam
from sqlmodel import Session, select

from billing.billers import biller_today
from billing.bills import bill_link_expiry, bill_values, cadence_ids_by_name, check_bill_rules, default_cadence_id
from billing.csv_files import decode_csv, open_csv
from billing.import_staging import Staging, stage_import
from billing.import_writes import chunks, write_import
from billing.links import new_tokens
from billing.schemas import BillIn, csv_columns
from billing.text import text_problem
from config import Settings
from errors import DomainError
from models import Bill, Biller
from models.db import utcnow
from models.vocab import AmountExactness
from scheduler.dunning import PlanCache
from scheduler.plan import step_at

REQUIRED_COLUMNS, OPTIONAL_COLUMNS = csv_columns()  # BillIn's fields, the customer's as customer_<name>
_PROGRESS_EVERY = 1000  # rows between progress reports to a background job

Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass
class RowError:
    """Why one line of the file was refused."""

    line: int
    message: str
    field: str | None = None


@dataclass
class ImportReport:
    """What an import did: how many bills went in and every line that did not."""

    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def from_dict(cls, answer: dict) -> ImportReport:
        """The report back from its JSON form (as a background job stores it)."""
        errors = [RowError(e["line"], e["message"], e["field"]) for e in answer.get("errors", [])]
        return cls(rows=answer.get("rows", 0), imported=answer.get("imported", 0), errors=errors)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "rejected": len(self.errors),
            "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in self.errors],
        }


def import_bills_csv(
    *,
    session: Session,
    biller: Biller,
    data: bytes,
    partial: bool,
    settings: Settings,
    on_progress: Progress | None = None,
    staging: Staging | None = None,
) -> ImportReport:
    """Validate every row, then insert all bills (or, with partial, the good ones) in one transaction.

    on_progress, if given, hears (rows checked, rows in all) as validation goes. With staging (a background
    job on SQLite) the rows are staged in short transactions instead, for billing.import_staging to publish.
    """
    report = ImportReport()
    try:
        text = decode_csv(data)
        rows = list(_read_rows(text, report))
    except ValueError as exc:
        report.errors.append(RowError(line=1, message=str(exc)))
        return report
    cadences = cadence_ids_by_name(session=session, biller_id=biller.id)
    valid = _validate_rows(rows, biller=biller, cadences=cadences, report=report, on_progress=on_progress)
    valid = _drop_existing_references(session, biller.id, valid, report)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not partial:
        return report
    _insert_bills(session, biller, valid, cadences, settings, staging)
    report.imported = len(valid)
    return report


def _read_rows(text: str, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    columns, reader = open_csv(text)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in columns if name and name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        problems = ([f"missing column(s): {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
        )
        raise ValueError("; ".join(problems))
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:  # a field over the size limit, a bare carriage return inside a field
            report.errors.append(RowError(reader.line_num, f"could not be read as CSV: {exc}"))
            return
        if cells is None:
            return
        if not any(cell.strip() for cell in cells):
            continue
        report.rows += 1
        if len(cells) > len(columns):
            report.errors.append(RowError(reader.line_num, f"has {len(cells)} cells, the header has {len(columns)}"))
            continue
        row = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if cell.strip()}
        unfit = [(name, problem) for name, cell in row.items() if (problem := text_problem(cell, single_line=True))]
        if unfit:
            name, problem = unfit[0]
            report.errors.append(RowError(reader.line_num, f"{name}: {problem}", name))
            continue
        yield reader.line_num, row


def _validate_rows(
    rows: list[tuple[int, dict[str, str]]],
    *,
    biller: Biller,
    cadences: dict[str, int],
    report: ImportReport,
    on_progress: Progress | None,
) -> list[tuple[int, BillIn]]:
    valid: list[tuple[int, BillIn]] = []
    first_line_of: dict[str, int] = {}
    for done, (line, cells) in enumerate(rows):
        if on_progress and done % _PROGRESS_EVERY == 0:
            on_progress(done, len(rows))
        try:
            bill = _bill_from_cells(cells)
            check_bill_rules(bill, exactness=bill.amount_exactness or AmountExactness(biller.default_amount_exactness))
        except ValidationError as exc:
            problem = exc.errors(include_url=False)[0]
            column = _column_name(problem["loc"])
            message = problem["msg"].removeprefix("Value error, ")
            report.errors.append(RowError(line, f"{column}: {message}", column))
            continue
        except DomainError as exc:
            report.errors.append(RowError(line, f"{exc.field}: {exc.message}", exc.field))
            continue
        if bill.cadence is not None and bill.cadence not in cadences:
            report.errors.append(RowError(line, "cadence: is not one of this biller's cadences", "cadence"))
            continue
        if bill.reference in first_line_of:
            message = f"reference: repeats line {first_line_of[bill.reference]}"
            report.errors.append(RowError(line, message, "reference"))
            continue
        first_line_of[bill.reference] = line
        valid.append((line, bill))
    return valid


def _bill_from_cells(cells: dict[str, str]) -> BillIn:
    customer = {key.removeprefix("customer_"): value for key, value in cells.items() if key.startswith("customer_")}
    bill = {key: value for key, value in cells.items() if not key.startswith("customer_")}
    bill["customer"] = customer
    return BillIn.model_validate(bill)


def _column_name(loc: tuple) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] == "customer":
        return "customer_" + "_".join(parts[1:]) if len(parts) > 1 else "customer"
    return "_".join(parts) or "row"


def _drop_existing_references(
    session: Session, biller_id: int, valid: list[tuple[int, BillIn]], report: ImportReport
) -> list[tuple[int, BillIn]]:
    references = [bill.reference for _, bill in valid]
    existing: set[str] = set()
    postgresql = session.get_bind().dialect.name == "postgresql"
    for chunk in chunks(references, whole=postgresql):
        # PostgreSQL: one array parameter, not 50,000 placeholders for the driver to parse.
        among = Bill.reference == any_(bindparam("refs", chunk, type_=ARRAY(String))) if postgresql else None
        among = among if among is not None else Bill.reference.in_(chunk)
        existing.update(session.exec(select(Bill.reference).where(Bill.biller_id == biller_id, among)).all())
    for line, bill in valid:
        if bill.reference in existing:
            report.errors.append(RowError(line, "reference: a bill with this reference already exists", "reference"))
    return [(line, bill) for line, bill in valid if bill.reference not in existing]


def _insert_bills(
    session: Session,
    biller: Biller,
    valid: list[tuple[int, BillIn]],
    cadences: dict[str, int],
    settings: Settings,
    staging: Staging | None,
) -> None:
    # Every row is prepared before the first write: on SQLite the write lock is held from the first
    # INSERT or UPDATE until the commit, and every other writer (payments, webhooks) waits that long.
    # PostgreSQL takes them by COPY (billing/import_writes.py).
    default_cadence = default_cadence_id(session=session, biller_id=biller.id)
    now = utcnow()
    today = biller_today(biller, now)
    plans = PlanCache(session)
    bill_rows = []
    for _, bill in valid:
        cadence_id = cadences[bill.cadence] if bill.cadence else default_cadence
        row = bill_values(bill, biller=biller, customer_id=0, cadence_id=cadence_id)
        row["created_at"] = row["updated_at"] = now
        row["next_step"], row["next_reminder_at"] = 0, step_at(plans.plan(SimpleNamespace(**row)), 0)
        bill_rows.append(row)
    if not bill_rows:
        return
    link_rows = [
        {"token": token, "created_at": now, "expires_at": bill_link_expiry(bill, settings=settings, today=today)}
        for (_, bill), token in zip(valid, new_tokens(len(valid)), strict=True)
    ]
    customers = [bill.customer for _, bill in valid]
    if staging is not None:
        stage_import(session, staging, bill_rows, link_rows, customers, [line for line, _ in valid])
        return
    write_import(session, biller.id, bill_rows, link_rows, customers)
