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

from billing.text import EARLIEST_DATE, LATEST_DATE, scrub_text
from errors import InvalidInput

MAX_STATEMENT_BYTES = 5_000_000
HEADER_SEARCH_ROWS = 40  # banks put the account holder, branch and period above the header
HEADER_MAX_COLUMNS = 100  # a bank's header has a dozen; cells beyond this are not read as column names
MAX_AMOUNT_DIGITS = 13  # rupees before the point: up to ₹99,99,99,99,99,999.99, far inside a 64-bit paise column
# Rupees as banks write them: plain digits, Indian grouping (1,23,456) or international grouping (123,456), then at
# most two decimals. Signs, exponents, underscores and non-ASCII digits are not amounts a bank exports.
AMOUNT = re.compile(r"(?:\d+|\d{1,2}(?:,\d{2})*,\d{3}|\d{1,3}(?:,\d{3})+)(?:\.\d{1,2})?", re.ASCII)
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


def parse_statement(data: bytes, *, latest: date | None = None) -> list[StatementRow]:
    """Every transaction line of the statement (credits and debits), or a StatementError naming line and column.

    Dates must fall between 2000-01-01 and `latest` (the caller's tomorrow; when not given, the end of 2099).
    """
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError("The statement is larger than 5 MB", field="file")
    rows = _read_rows(decode_statement(data))
    header_index, columns = _find_header(rows)
    parsed: list[StatementRow] = []
    seen: Counter[tuple] = Counter()
    for index in range(header_index + 1, len(rows)):
        if parsed and not any(cell.strip() for cell in rows[index]):
            break  # a blank line ends the table: summaries and legends follow it
        row = _parse_row(rows[index], columns, line=index + 1, seen=seen, latest=latest or LATEST_DATE)
        if row is not None:
            parsed.append(row)
    return parsed


def decode_statement(data: bytes) -> str:
    """The statement's text: UTF-16 as Excel's "Unicode text" saves it (with or without a BOM), UTF-8 (with or
    without a BOM), else Windows-1252 as older net-banking exports are. NUL characters are dropped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif len(data) >= 4 and data[1:40:2].count(0) > 10 and not data[0:40:2].count(0):
        encoding = "utf-16-le"  # ASCII text with every other byte NUL
    elif len(data) >= 4 and data[0:40:2].count(0) > 10 and not data[1:40:2].count(0):
        encoding = "utf-16-be"
    else:
        encoding = None
    if encoding:
        text = data.decode(encoding, errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")


def _read_rows(text: str) -> list[list[str]]:
    """The CSV's rows; a quote left open or a field over the csv module's limit is a StatementError naming the line.

    Universal newlines: a statement saved with bare carriage returns (old Mac line ends) reads as lines too.
    """
    reader = csv.reader(io.StringIO(text, newline=None), strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise StatementError(f"line {reader.line_num}: could not be read as CSV ({exc})", field="file") from None
    return rows


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row[:HEADER_MAX_COLUMNS]):
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


def _parse_row(
    row: list[str], columns: dict[str, int], *, line: int, seen: Counter, latest: date
) -> StatementRow | None:
    raw_date = _cell(row, columns, "txn_date")
    amounts = _cell(row, columns, "credit") + _cell(row, columns, "debit")
    if not raw_date or not any(character.isalnum() for character in amounts):
        return None  # separators of asterisks, an opening balance, a legend under the table: no transaction
    txn_date = parse_date(raw_date)
    if txn_date is None:
        raise StatementError(f"line {line}: the date {raw_date[:20]!r} is not a day-first date", field="txn_date")
    if not EARLIEST_DATE <= txn_date <= latest:
        raise StatementError(
            f"line {line}: the date {raw_date[:20]!r} is not between {EARLIEST_DATE:%d/%m/%Y} and {latest:%d/%m/%Y}",
            field="txn_date",
        )
    one_column = columns["credit"] == columns.get("debit")
    credit = parse_amount(_cell(row, columns, "credit"), line=line, column="credit", one_column=one_column)
    debit = parse_amount(_cell(row, columns, "debit"), line=line, column="debit", one_column=one_column)
    if "direction" in columns and one_column:
        is_credit = _cell(row, columns, "direction").upper().startswith("C")
        credit, debit = (credit, 0) if is_credit else (0, debit)
    if not credit and not debit:
        return None
    narration = scrub_text(_cell(row, columns, "narration"))[:500]  # the bank's text: cleaned, not refused
    reference = scrub_text(_cell(row, columns, "reference"))[:64] or None
    key = (txn_date, narration, reference, credit, debit)
    seen[key] += 1  # two identical lines on one day are two transactions, told apart by their order
    digest = hashlib.sha256(repr((*key, seen[key])).encode()).hexdigest()
    return StatementRow(line, txn_date, narration, reference, credit or debit, bool(credit), digest)


def parse_amount(text: str, *, line: int, column: str, one_column: bool = False) -> int:
    """Rupees as written in a statement ("1,23,456.78", "500", "1,000.00 Cr", "", "-") as paise; 0 when empty.

    A "Dr" mark in the credit column (or "Cr" in the debit column) contradicts the column and is refused, unless
    credits and debits share `one_column` (told apart by a Cr/Dr column).
    """
    cleaned = text.replace("₹", "").strip()
    mark = re.search(r"\s*(cr|dr)\.?$", cleaned, flags=re.IGNORECASE)
    if mark:
        cleaned = cleaned[: mark.start()]
        if not one_column and mark.group(1).lower() != column[:1] + "r":
            message = f"line {line}: {text[:20]!r} is marked {mark.group(1)} in the {column} column"
            raise StatementError(message, field=column)
    if cleaned in ("", "-"):
        return 0
    if not AMOUNT.fullmatch(cleaned) or len(cleaned.split(".")[0].replace(",", "")) > MAX_AMOUNT_DIGITS:
        raise StatementError(f"line {line}: {text[:20]!r} is not an amount in rupees", field=column)
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # the pattern above admits only plain digits, so this cannot happen
        raise StatementError(f"line {line}: {text[:20]!r} is not an amount in rupees", field=column) from None
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
