"""The writes of a bulk import, once every row is validated: customers upserted, bills and their links inserted.

PostgreSQL: the customers go through a staging table filled by COPY and two set-based statements (update the
known ones, insert the new ones); bills and links are COPied straight into their tables under ids drawn from
the bills' sequence beforehand. SQLite: Core executemany, which is already its fastest path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlmodel import Session

from billing.schemas import CustomerIn
from models import Bill, Customer, PaymentLink

_CHUNK = 500  # bound parameters per IN (...) query, well inside every backend's limit
# Autovacuum analyzes a table only after a delay, so the planning pass right after a large import planned on stale
# statistics (20,000 new bills: 24 s instead of 1.3 s). A PostgreSQL import this large refreshes them itself.
ANALYZE_AFTER_ROWS = 1000
CUSTOMER_COLUMNS = tuple(name for name in CustomerIn.model_fields if name != "reference")  # all text columns


def write_import(
    session: Session, biller_id: int, bill_rows: list[dict], link_rows: list[dict], customers: list[CustomerIn]
) -> None:
    """Upsert the customers (later rows win), then insert every bill with its payment link."""
    latest: dict[str, CustomerIn] = {customer.reference: customer for customer in customers}
    now = bill_rows[0]["created_at"]
    if session.get_bind().dialect.name == "postgresql":
        ids = _upsert_customers_copy(session, biller_id, latest, now)
    else:
        ids = _upsert_customers(session, biller_id, latest, now)
    for row, customer in zip(bill_rows, customers, strict=True):
        row["customer_id"] = ids[customer.reference]
    if session.get_bind().dialect.name == "postgresql":
        _copy_bills(session, bill_rows, link_rows)
        if len(bill_rows) >= ANALYZE_AFTER_ROWS:
            session.execute(text("ANALYZE customers, bills, payment_links"))
        return
    # Core inserts, not the ORM's bulk path: its per-row bookkeeping doubled the time the lock is held.
    connection = session.connection()
    bills = Bill.__table__
    bill_ids = connection.execute(insert(bills).returning(bills.c.id, sort_by_parameter_order=True), bill_rows)
    connection.execute(
        insert(PaymentLink.__table__),
        [
            {**link, "bill_id": bill_id, "open_count": 0}
            for link, bill_id in zip(link_rows, bill_ids.scalars(), strict=True)
        ],
    )


def complete_rows(table: Table, rows: list[dict]) -> tuple[list[str], Iterator[tuple]]:
    """Every column but the generated id, with the model's defaults where a row leaves one out (COPY applies
    none of SQLAlchemy's client-side defaults)."""
    names = [column.name for column in table.columns if not (column.primary_key and column.name not in rows[0])]
    defaults = {}
    for column in table.columns:
        if column.name in names and column.name not in rows[0] and column.default is not None:
            default = column.default
            defaults[column.name] = default.arg({}) if default.is_callable else default.arg
    return names, (tuple(row[name] if name in row else defaults.get(name) for name in names) for row in rows)


def copy_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """COPY rows into a table through psycopg's copy support."""
    names, values = complete_rows(table, rows)
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def _copy_bills(session: Session, bill_rows: list[dict], link_rows: list[dict]) -> None:
    bill_ids = session.execute(
        text("SELECT nextval(pg_get_serial_sequence('bills', 'id')) FROM generate_series(1, :n)"),
        {"n": len(bill_rows)},
    ).scalars()
    for row, link, bill_id in zip(bill_rows, link_rows, bill_ids, strict=True):
        row["id"] = link["bill_id"] = bill_id
        link["open_count"] = 0
    copy_rows(session, Bill.__table__, bill_rows)
    copy_rows(session, PaymentLink.__table__, link_rows)


STAGE_CUSTOMERS = """
    CREATE TEMPORARY TABLE import_customers (reference text PRIMARY KEY, {columns}, fields text) ON COMMIT DROP
"""
UPDATE_KNOWN = """
    UPDATE customers AS c SET {assignments}, updated_at = :now
    FROM import_customers AS s WHERE c.biller_id = :biller_id AND c.reference = s.reference
"""
INSERT_NEW = """
    INSERT INTO customers (biller_id, reference, {columns}, created_at, updated_at)
    SELECT :biller_id, s.reference, {values}, :now, :now
    FROM import_customers AS s
    ON CONFLICT (biller_id, reference) DO NOTHING
"""


def _upsert_customers_copy(
    session: Session, biller_id: int, latest: dict[str, CustomerIn], now: datetime
) -> dict[str, int]:
    """PostgreSQL: COPY the file's customers into a staging table, then one UPDATE and one INSERT."""
    session.execute(text("DROP TABLE IF EXISTS import_customers"))
    session.execute(text(STAGE_CUSTOMERS.format(columns=", ".join(f"{name} text" for name in CUSTOMER_COLUMNS))))
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY import_customers (reference, {', '.join(CUSTOMER_COLUMNS)}, fields) FROM STDIN") as copy:
        for reference, customer in latest.items():
            values = customer.model_dump(mode="json")
            given = "," + ",".join(sorted(customer.model_fields_set - {"reference"})) + ","
            copy.write_row((reference, *(values[name] for name in CUSTOMER_COLUMNS), given))
    # A known customer takes only the values its row gave (an empty cell leaves what is stored).
    assignments = ", ".join(
        f"{name} = CASE WHEN position(',{name},' IN s.fields) > 0 THEN s.{name} ELSE c.{name} END"
        for name in CUSTOMER_COLUMNS
    )
    params = {"biller_id": biller_id, "now": now}
    session.execute(text(UPDATE_KNOWN.format(assignments=assignments)), params)
    columns = ", ".join(CUSTOMER_COLUMNS)
    values = ", ".join(f"s.{name}" for name in CUSTOMER_COLUMNS)
    session.execute(text(INSERT_NEW.format(columns=columns, values=values)), params)
    found = session.execute(
        text(
            "SELECT c.reference, c.id FROM customers AS c JOIN import_customers AS s ON s.reference = c.reference "
            "WHERE c.biller_id = :biller_id"
        ),
        params,
    )
    return dict(found.all())


def _upsert_customers(session: Session, biller_id: int, latest: dict[str, CustomerIn], now: datetime) -> dict[str, int]:
    """Insert new customers and update known ones from the file. Returns reference → id."""
    ids: dict[str, int] = {}
    for chunk in chunks(list(latest)):
        ids.update(
            session.execute(
                select(Customer.reference, Customer.id).where(
                    Customer.biller_id == biller_id, Customer.reference.in_(chunk)
                )
            ).all()
        )
    updates = [
        {"customer_id": ids[ref], **customer.model_dump(mode="json", include=customer.model_fields_set - {"reference"})}
        for ref, customer in latest.items()
        if ref in ids
    ]
    new_rows = [
        {"biller_id": biller_id, **customer.model_dump(mode="json"), "created_at": now, "updated_at": now}
        for ref, customer in latest.items()
        if ref not in ids
    ]
    for fields, group in _group_by_fields(updates).items():
        # Bind names must differ from column names in an UPDATE's SET clause.
        stmt = update(Customer).where(Customer.id == bindparam("b_customer_id"))
        stmt = stmt.values({**{name: bindparam(f"b_{name}") for name in fields}, "updated_at": now})
        session.connection().execute(stmt, [{f"b_{key}": value for key, value in row.items()} for row in group])
    if new_rows:
        customers = Customer.__table__
        inserted = (
            session.connection()
            .execute(insert(customers).returning(customers.c.reference, customers.c.id), new_rows)
            .all()
        )
        ids.update(dict(inserted))
    return ids


def _group_by_fields(rows: list[dict]) -> dict[tuple[str, ...], list[dict]]:
    # executemany needs the same parameters in every row; rows setting different fields go apart.
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        fields = tuple(sorted(key for key in row if key != "customer_id"))
        if fields:
            groups.setdefault(fields, []).append(row)
    return groups


def chunks(items: list[str], *, whole: bool = False) -> Iterator[list[str]]:
    """Items in runs of at most _CHUNK (whole: all at once, for PostgreSQL's one-parameter IN of an array)."""
    if whole:
        yield items
        return
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
