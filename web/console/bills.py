"""The bills list: filter by status, due window and overdue, search, a page at a time, and a streamed CSV export
(the same listing functions the API uses)."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, request, stream_with_context, url_for
from sqlmodel import select

from billing import reports
from billing.billers import biller_today
from billing.csv_files import spreadsheet_cell
from billing.listing import BillFilter, iter_bills, list_bills
from billing.text import text_problem
from errors import InvalidInput
from models import Customer
from models.db import get_session, utcnow
from models.vocab import BillStatus
from support.labels import app_label, channel_label, failure_label, status_label
from web.console.base import biller_admin_only, bp, managed_biller, render

PAGE = 50
EXPORT_COLUMNS = ("reference", "customer_reference", "customer_name", "status", "amount", "amount_due", "due_date")


def _filter(today: date) -> tuple[BillFilter, dict, list[str]]:
    """The filter the query string asks for, the values to show back in the form, and problems with them."""
    args, problems = request.args, []
    values = {name: (args.get(name) or "").strip()[:100] for name in ("q", "status", "due_from", "due_to", "overdue")}
    days = {}
    for name in ("due_from", "due_to"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            problems.append(f"{name.replace('_', ' ')} must look like 2026-12-10")
            days[name] = None
    if values["status"] not in {s.value for s in BillStatus}:
        values["status"] = ""
    if text_problem(values["q"]):
        problems.append(f"search {text_problem(values['q'])}")
        values["q"] = ""
    where = BillFilter(
        status=values["status"] or None,
        due_from=days["due_from"],
        due_to=days["due_to"],
        search=values["q"] or None,
        overdue_before=today if values["overdue"] in ("1", "yes") else None,
    )
    return where, values, problems


@bp.get("/bills", endpoint="list_bills")
@biller_admin_only
def list_bills_page():
    """The biller's bills with what happened to each: last message and its delivery, link opened, app chosen."""
    session = get_session()
    biller = managed_biller()
    today = biller_today(biller, utcnow())
    where, values, problems = _filter(today)
    try:
        bills, next_cursor = list_bills(
            session=session, biller_id=biller.id, where=where, limit=PAGE, cursor=request.args.get("cursor")
        )
    except InvalidInput:
        bills, next_cursor = [], None
        problems.append("that page link is not valid any more: start again from the first page")
    customers = {
        c.id: c for c in session.exec(select(Customer).where(Customer.id.in_([b.customer_id for b in bills]))).all()
    }
    activity = reports.bill_activity(session=session, bill_ids=[bill.id for bill in bills])
    next_page = url_for("console.list_bills", **{**values, "cursor": next_cursor}) if next_cursor else None
    return render(
        "bills.html",
        biller=biller,
        bills=bills,
        customers=customers,
        activity=activity,
        today=today,
        values=values,
        problems=problems,
        statuses=[s.value for s in BillStatus],
        next_page=next_page,
        export=url_for("console.export_bills", **values),
        labels={"channel": channel_label, "status": status_label, "failure": failure_label, "app": app_label},
    ), 422 if problems else 200


@bp.get("/bills.csv")
@biller_admin_only
def export_bills():
    """Every bill the filter matches as CSV, streamed in batches (no size limit, constant memory)."""
    session = get_session()
    biller = managed_biller()
    where, _, _ = _filter(biller_today(biller, utcnow()))

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        names: dict[int, tuple[str, str]] = {}
        for bill in iter_bills(session=session, biller_id=biller.id, where=where):
            if bill.customer_id not in names:
                customer = session.get(Customer, bill.customer_id)
                names[bill.customer_id] = (customer.reference, customer.name)
            reference, name = names[bill.customer_id]
            writer.writerow(
                (
                    spreadsheet_cell(bill.reference),
                    spreadsheet_cell(reference),
                    spreadsheet_cell(name),
                    bill.status,
                    f"{bill.amount_paise / 100:.2f}",
                    f"{bill.amount_due_paise / 100:.2f}",
                    bill.due_date.isoformat(),
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=bills-{biller.id}.csv"},
    )
