"""A receipt as a PDF, with Hindi and Bengali shaped correctly (fpdf2 + HarfBuzz, Noto fonts shipped under the OFL).

Devanagari and Bengali need a shaping engine: without one, conjuncts (क्ष, শ্র) and vowel signs come out as
loose pieces. fpdf2 shapes through uharfbuzz when `set_text_shaping(True)`; each script falls back to its
own Noto font, so a Hindi name on an English receipt renders as well as the other way round.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fpdf import FPDF

from billing.money import format_day, format_inr
from billing.receipts import Receipt, receipt_number

FONTS = Path(__file__).with_name("fonts")
_FAMILIES = {
    "noto": "NotoSans-Regular.ttf",
    "noto-deva": "NotoSansDevanagari-Regular.ttf",
    "noto-beng": "NotoSansBengali-Regular.ttf",
}
# The page's language font first, so its digits and punctuation match the words around them.
_FIRST_FONT = {"hi": "noto-deva", "bn": "noto-beng"}


@cache
def _font_files() -> dict[str, Path]:
    """The shipped fonts, checked once: a missing file is an install fault worth failing loudly on."""
    found = {family: FONTS / name for family, name in _FAMILIES.items()}
    missing = [str(path) for path in found.values() if not path.exists()]
    if missing:
        raise FileNotFoundError(f"receipt fonts missing: {', '.join(missing)}")
    return found


def render_receipt_pdf(receipt: Receipt, *, language: str, labels: dict[str, str]) -> bytes:
    """The receipt as PDF bytes; `labels` are the page's words already translated into `language`."""
    pdf = FPDF(unit="mm", format=(148, 210))  # A5 (the "A5" name warns about a past fix)
    pdf.set_title(f"{labels['receipt']} {receipt.number}")
    pdf.set_creator("ClickPay Assistant")
    for family, path in _font_files().items():
        pdf.add_font(family, fname=str(path))
    first = _FIRST_FONT.get(language, "noto")
    pdf.set_font(first, size=11)
    pdf.set_fallback_fonts([family for family in _FAMILIES if family != first], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.add_page()

    pdf.set_font_size(16)
    pdf.cell(0, 10, receipt.biller_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(12)
    pdf.cell(0, 8, f"{labels['receipt']} {receipt.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(10)
    rows = [
        (labels["customer"], receipt.customer_name),
        (labels["consumer_number"], receipt.consumer_number),
        (labels["bill_number"], receipt.bill_reference),
    ]
    if receipt.bill_period:
        rows.append((labels["period"], receipt.bill_period))
    rows += [
        (labels["due_date"], format_day(receipt.due_date, language)),
        (labels["bill_amount"], format_inr(receipt.bill_amount_paise, language)),
    ]
    if receipt.bbps_biller_id:
        rows.append((labels["bbps_biller_id"], receipt.bbps_biller_id))
    _table(pdf, rows)
    pdf.ln(3)
    pdf.set_font_size(11)
    pdf.cell(0, 8, labels["payments"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    _table(
        pdf,
        [
            (
                f"{format_day(payment.paid_at.date(), language)} · {receipt_number(payment)}",
                f"{format_inr(payment.amount_paise, language)} · {labels['reference']} {payment.reference}",
            )
            for payment in receipt.payments
        ],
    )
    pdf.ln(3)
    pdf.set_font_size(11)
    _table(
        pdf,
        [
            (labels["total_paid"], format_inr(receipt.total_paid_paise, language)),
            (labels["balance"], format_inr(receipt.balance_paise, language)),
        ],
    )
    return bytes(pdf.output())


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    with pdf.table(col_widths=(2, 3), first_row_as_headings=False, borders_layout="HORIZONTAL_LINES") as table:
        for label, value in rows:
            table.row((label, value))
