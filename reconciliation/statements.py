"""Reading a bank statement as Indian banks export it: find the header under the preamble, keep the credits.

Columns are recognised by the names banks give them (HDFC "Narration", "Chq./Ref.No.", "Deposit Amt.";
SBI "Txn Date", "Description", "Ref No./Cheque No.", "Credit"; ICICI "Transaction Remarks", "Deposit Amount
(INR )"…); amounts are rupees with Indian digit grouping (1,23,456.78) and dates are day first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from errors import InvalidInput

MAX_STATEMENT_BYTES = 5_000_000
HEADER_SEARCH_ROWS = 40  # banks put the account holder, branch and period above the header
DATE_FORMATS = (
    "%d/%m/%y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%Y-%m-%d",
)

# Normalised header name → our field. Transaction date beats value date when a statement has both.
COLUMN_NAMES = {
    "txn_date": ("txn date", "transaction date", "tran date", "date", "txn posted date", "post date"),
    "value_date": ("value date", "value dt", "value dat"),  # HDFC's delimited download cuts it short
    "narration": ("narration", "description", "remarks", "transaction remarks", "particulars", "details"),
    "reference": (
        "ref no", "ref no./cheque no", "chq./ref.no", "chq/ref no", "chq/ref number", "chq / ref no", "cheque no",
        "cheque number", "chq no", "chqno", "utr", "utr no", "utr number", "reference no", "transaction id",
    ),
    "credit": (
        "deposit amt", "deposit amount", "deposit", "deposits", "credit", "credit amount", "credit amt",
        "amount (cr)", "cr amount", "cr",
    ),
    "debit": (
        "withdrawal amt", "withdrawal amount", "withdrawal", "withdrawals", "debit", "debit amount", "debit amt",
        "amount (dr)", "dr amount", "dr",
    ),
    "amount": ("amount", "transaction amount", "txn amount"),  # with a Cr/Dr column (ICICI, Axis, Kotak)
    "direction": ("cr/dr", "dr/cr", "dr / cr", "cr / dr", "debit/credit", "type"),
}  # fmt: skip


class StatementError(InvalidInput):
    """A statement we cannot read, naming the line and the column at fault."""

    code = "invalid_statement"


@dataclass(frozen=True)
class StatementRow:
    """One transaction line: a credit (amount_paise > 0) or a debit (ignored by matching)."""

    line: int  # the line number in the file, as the biller sees it in a spreadsheet
    txn_date: date
    narration: str
    reference: str | None
    amount_paise: int
    is_credit: bool
    fingerprint: str  # the same line uploaded again has the same fingerprint


def normalise_header(name: str) -> str:
    """A header cell without case, currency marks or trailing dots: "Deposit Amt. (INR )" → "deposit amt"."""
    name = re.sub(r"\((?:inr|₹|rs\.?)\s*\)|₹|\binr\b", "", name.strip().lower())
    return re.sub(r"\s+", " ", name).strip(" .:")


def parse_statement(data: bytes) -> list[StatementRow]:
    """Every transaction line of the statement (credits and debits), or a StatementError naming line and column."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError("The statement is larger than 5 MB", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # older net-banking exports are Windows-1252
    rows = list(csv.reader(io.StringIO(text)))
    header_index, columns = _find_header(rows)
    parsed: list[StatementRow] = []
    seen: Counter[tuple] = Counter()
    for index in range(header_index + 1, len(rows)):
        if parsed and not any(cell.strip() for cell in rows[index]):
            break  # a blank line ends the table: summaries and legends follow it
        row = _parse_row(rows[index], columns, line=index + 1, seen=seen)
        if row is not None:
            parsed.append(row)
    return parsed


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            name = normalise_header(cell)
            for field, names in COLUMN_NAMES.items():
                if name in names and field not in columns:
                    columns[field] = position
        if "value_date" in columns and "txn_date" not in columns:
            columns["txn_date"] = columns["value_date"]
        if {"amount", "direction"} <= columns.keys() and "credit" not in columns:
            columns["credit"] = columns["debit"] = columns["amount"]  # told apart by the Cr/Dr column
        if {"txn_date", "narration", "credit"} <= columns.keys():
            return index, columns
    raise StatementError(
        "No header row found: a statement needs a date (Txn Date or Value Date), a Narration/Description/Remarks "
        "and a Deposit/Credit column (or Amount with Cr/Dr) within its first 40 lines",
        field="header",
    )


def _cell(row: list[str], columns: dict[str, int], field: str) -> str:
    position = columns.get(field)
    return row[position].strip() if position is not None and position < len(row) else ""


def _parse_row(row: list[str], columns: dict[str, int], *, line: int, seen: Counter) -> StatementRow | None:
    raw_date = _cell(row, columns, "txn_date")
    amounts = _cell(row, columns, "credit") + _cell(row, columns, "debit")
    if not raw_date or not any(character.isalnum() for character in amounts):
        return None  # separators of asterisks, an opening balance, a legend under the table: no transaction
    txn_date = parse_date(raw_date)
    if txn_date is None:
        raise StatementError(f"line {line}: the date {raw_date[:20]!r} is not a day-first date", field="txn_date")
    credit = parse_amount(_cell(row, columns, "credit"), line=line, column="credit")
    debit = parse_amount(_cell(row, columns, "debit"), line=line, column="debit")
    if "direction" in columns and columns["credit"] == columns["debit"]:
        is_credit = _cell(row, columns, "direction").upper().startswith("C")
        credit, debit = (credit, 0) if is_credit else (0, debit)
    if not credit and not debit:
        return None
    narration = _cell(row, columns, "narration")[:500]
    reference = _cell(row, columns, "reference")[:64] or None
    key = (txn_date, narration, reference, credit, debit)
    seen[key] += 1  # two identical lines on one day are two transactions, told apart by their order
    digest = hashlib.sha256(repr((*key, seen[key])).encode()).hexdigest()
    return StatementRow(line, txn_date, narration, reference, credit or debit, bool(credit), digest)


def parse_amount(text: str, *, line: int, column: str) -> int:
    """Rupees as written in a statement ("1,23,456.78", "500", "", "-") as paise; 0 when the cell is empty."""
    cleaned = text.replace(",", "").replace("₹", "").strip()
    cleaned = re.sub(r"\s*(?:cr|dr)\.?$", "", cleaned, flags=re.IGNORECASE)
    if cleaned in ("", "-", "0", "0.00", "0.0"):
        return 0
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise StatementError(f"line {line}: {text[:20]!r} is not an amount in rupees", field=column) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise StatementError(f"line {line}: {text[:20]!r} is not an amount in rupees", field=column)
    return int(value * 100)


def parse_date(text: str) -> date | None:
    """A statement date, day first as Indian banks write it; None when it is not one."""
    text = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
