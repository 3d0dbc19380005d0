"""Reading the CSV files billers upload (bills to import, bills to notify): one way to decode and split them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 (with or without the BOM spreadsheets add) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("The file is not UTF-8 text; save it as 'CSV UTF-8'") from exc


def open_csv(text: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header's column names (trimmed, lower case, spaces as underscores) and a reader of the rows below it.

    The delimiter is the one the header uses most: a comma, a semicolon (spreadsheets in many locales) or a tab.
    The reader's `line_num` is the line a row ended on; reading a malformed row raises csv.Error.
    """
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ValueError("The file is empty")
    return [name.strip().lower().replace(" ", "_") for name in header], reader


def spreadsheet_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV injection advice: a leading quote)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
