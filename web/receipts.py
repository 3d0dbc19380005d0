"""Receipts a customer can keep: GET /p/<token>/receipt (printable page) and /p/<token>/receipt.pdf."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template
from flask_babel import gettext as _

from billing.checkout_rows import load_checkout_rows
from billing.links import is_token_shaped
from billing.receipt_pdf import render_receipt_pdf
from billing.receipts import Receipt, build_receipt, payments_of
from models.db import get_session
from web.i18n import page_language, remember_language
from web.pay import count_miss
from web.security import INLINE_CSS

bp = Blueprint("receipts", __name__, template_folder="templates")
bp.after_request(remember_language)


def _receipt_or_404(token: str) -> Receipt:
    """The link's receipt; 404 for an unknown link (counted as a miss) or while nothing is paid."""
    rows = load_checkout_rows(session=get_session(), token=token) if is_token_shaped(token) else None
    if rows is None:
        count_miss()
        abort(404)
    _link, bill, biller, customer = rows
    g.customer_language = customer.language
    receipt = build_receipt(
        bill=bill, biller=biller, customer=customer, payments=payments_of(session=get_session(), bill_id=bill.id)
    )
    if receipt is None:
        abort(404)
    return receipt


def receipt_labels() -> dict[str, str]:
    """The receipt's words in the page's language (the PDF has no templates of its own)."""
    return {
        "receipt": _("Receipt"),
        "customer": _("Customer"),
        "consumer_number": _("Consumer number"),
        "bill_number": _("Bill number"),
        "period": _("Period"),
        "due_date": _("Due date"),
        "bill_amount": _("Bill amount"),
        "bbps_biller_id": _("Bharat Connect biller ID"),
        "payments": _("Payments"),
        "reference": _("Reference"),
        "total_paid": _("Total paid"),
        "balance": _("Balance"),
    }


@bp.get("/p/<token>/receipt")
def receipt_page(token: str):
    """The receipt as a page to print or save."""
    receipt = _receipt_or_404(token)
    html = render_template("pay/receipt.html", r=receipt, labels=receipt_labels(), token=token, inline_css=INLINE_CSS)
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/p/<token>/receipt.pdf")
def receipt_pdf(token: str):
    """The receipt as a PDF, Hindi and Bengali shaped correctly."""
    receipt = _receipt_or_404(token)
    pdf = render_receipt_pdf(receipt, language=page_language(), labels=receipt_labels())
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{receipt.number}.pdf"',
            "Cache-Control": "no-store",
        },
    )
