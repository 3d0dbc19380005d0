"""A receipt as a PDF, with Hindi, Bengali and every other script of India shaped correctly (fpdf2 + HarfBuzz, Noto
fonts shipped under the OFL).

Devanagari and Bengali need a shaping engine: without one, conjuncts (क्ष, শ্র) and vowel signs come out as
loose pieces. fpdf2 shapes through uharfbuzz when `set_text_shaping(True)`; each script falls back to its
own Noto font, so a Hindi name on an English receipt renders as well as the other way round.
"""

from __future__ import annotations

from functools import cache
from itertools import chain
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from billing.money import format_day, format_inr
from billing.receipts import Receipt, receipt_number

FONTS = Path(__file__).with_name("fonts")
# Latin, then every script of India's scheduled languages a customer's or biller's name may be written in:
# Devanagari, Bengali–Assamese, Gurmukhi, Gujarati, Odia, Tamil, Telugu, Kannada, Malayalam, Ol Chiki (Santali),
# Meetei Mayek (Manipuri) and Arabic (Urdu, Kashmiri, Sindhi).
_FAMILIES = {
    "noto": "NotoSans-Regular.ttf",
    "noto-deva": "NotoSansDevanagari-Regular.ttf",
    "noto-beng": "NotoSansBengali-Regular.ttf",
    "noto-guru": "NotoSansGurmukhi-Regular.ttf",
    "noto-gujr": "NotoSansGujarati-Regular.ttf",
    "noto-orya": "NotoSansOriya-Regular.ttf",
    "noto-taml": "NotoSansTamil-Regular.ttf",
    "noto-telu": "NotoSansTelugu-Regular.ttf",
    "noto-knda": "NotoSansKannada-Regular.ttf",
    "noto-mlym": "NotoSansMalayalam-Regular.ttf",
    "noto-olck": "NotoSansOlChiki-Regular.ttf",
    "noto-mtei": "NotoSansMeeteiMayek-Regular.ttf",
    "noto-arab": "NotoNaskhArabic-Regular.ttf",
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


@cache
def _coverage(family: str) -> frozenset[int]:
    """The code points a shipped font has glyphs for (read once per process)."""
    with TTFont(_font_files()[family], lazy=True) as font:
        return frozenset(font.getBestCmap())


def _families_for(text: str, first: str) -> list[str]:
    """The page language's font, then each other font that has a character of `text` the ones before it lack.

    Only these are added to the PDF: every added font is embedded, used or not (thirteen would triple the file)."""
    order = [first, *(family for family in _FAMILIES if family != first)]
    needed = [first]
    for code in {ord(character) for character in text if not character.isspace()}:
        family = next((family for family in order if code in _coverage(family)), None)
        if family is not None and family not in needed:
            needed.append(family)
    return needed


def render_receipt_pdf(receipt: Receipt, *, language: str, labels: dict[str, str]) -> bytes:
    """The receipt as PDF bytes; `labels` are the page's words already translated into `language`."""
    title = f"{labels['receipt']} {receipt.number}"
    details = [
        (labels["customer"], receipt.customer_name),
        (labels["consumer_number"], receipt.consumer_number),
        (labels["bill_number"], receipt.bill_reference),
    ]
    if receipt.bill_period:
        details.append((labels["period"], receipt.bill_period))
    details += [
        (labels["due_date"], format_day(receipt.due_date, language)),
        (labels["bill_amount"], format_inr(receipt.bill_amount_paise, language)),
    ]
    if receipt.bbps_biller_id:
        details.append((labels["bbps_biller_id"], receipt.bbps_biller_id))
    payments = [
        (
            f"{format_day(payment.paid_at.date(), language)} · {receipt_number(payment)}",
            f"{format_inr(payment.amount_paise, language)} · {labels['reference']} {payment.reference}",
        )
        for payment in receipt.payments
    ]
    totals = [
        (labels["total_paid"], format_inr(receipt.total_paid_paise, language)),
        (labels["balance"], format_inr(receipt.balance_paise, language)),
    ]
    every_text = " ".join([receipt.biller_name, title, labels["payments"], *chain(*details, *payments, *totals)])

    pdf = FPDF(unit="mm", format=(148, 210))  # A5 (the "A5" name warns about a past fix)
    pdf.set_title(title)
    pdf.set_creator("ClickPay Assistant")
    first, *fallbacks = _families_for(every_text, _FIRST_FONT.get(language, "noto"))
    for family in (first, *fallbacks):
        pdf.add_font(family, fname=str(_font_files()[family]))
    pdf.set_font(first, size=11)
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_text_shaping(True)
    pdf.add_page()

    pdf.set_font_size(16)
    pdf.cell(0, 10, receipt.biller_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(10)
    _table(pdf, details)
    pdf.ln(3)
    pdf.set_font_size(11)
    pdf.cell(0, 8, labels["payments"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    _table(pdf, payments)
    pdf.ln(3)
    pdf.set_font_size(11)
    _table(pdf, totals)
    return bytes(pdf.output())


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    with pdf.table(col_widths=(2, 3), first_row_as_headings=False, borders_layout="HORIZONTAL_LINES") as table:
        for label, value in rows:
            table.row((label, value))
