"""Receipts a customer can keep: the paid page's figures, the printable page, the PDF with shaped Indic text."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from billing.bills import current_link
from models import OutboundMessage
from models.db import utcnow
from tests.builders import make_bill
from workflows import SYSTEM
from workflows.payments import record_payment


def pay(session, bill, amount, reference):
    record_payment(
        session=session, actor=SYSTEM, now=utcnow(), bill=bill, amount_paise=amount, reference=reference, source="api"
    )
    session.commit()


def test_paid_page_shows_amount_total_paid_balance_and_receipt_number(client, session, api):
    bill = make_bill(session, api.biller, amount=124550, amount_exactness="EXACT_AND_BELOW")
    token = current_link(session=session, bill_id=bill.id).token
    pay(session, bill, 50000, "UTR-PART-1")
    part = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Part payment received" in part and "₹745.50" in part  # the balance, and the rest still payable
    pay(session, bill, 74550, "UTR-REST-2")
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Paid — thank you" in html
    assert re.search(r'id="bill-amount">₹1,245.50<', html) and re.search(r'id="total-paid">₹1,245.50<', html)
    assert re.search(r'id="balance">₹0.00<', html)
    assert re.search(r'id="receipt-number">RCPT-\d{8}-\d{6}<', html)
    assert f"/p/{token}/receipt.pdf" in html


def test_receipt_message_states_the_balance_and_links_the_receipt(client, session, api):
    bill = make_bill(session, api.biller, amount=124550, amount_exactness="EXACT_AND_BELOW")
    pay(session, bill, 24550, "UTR-MSG-1")
    message = session.exec(select(OutboundMessage).where(OutboundMessage.template_key == "receipt")).first()
    body = message.body or str(message.content_variables)
    assert "₹1,000.00" in body and "/receipt" in body


def test_no_receipt_before_anything_is_paid(client, session, api):
    token = current_link(session=session, bill_id=make_bill(session, api.biller).id).token
    assert client.get(f"/p/{token}/receipt").status_code == 404
    assert client.get(f"/p/{token}/receipt.pdf").status_code == 404
    assert client.get("/p/NoSuchToken12/receipt").status_code == 404


def test_printable_receipt_lists_every_payment(client, session, api):
    bill = make_bill(session, api.biller, amount=124550, amount_exactness="ANY")
    token = current_link(session=session, bill_id=bill.id).token
    pay(session, bill, 20000, "UTR-A")
    pay(session, bill, 30000, "UTR-B")
    html = client.get(f"/p/{token}/receipt").get_data(as_text=True)
    assert "UTR-A" in html and "UTR-B" in html
    assert re.search(r'id="total-paid">₹500.00<', html) and re.search(r'id="balance">₹745.50<', html)


def _fonts_and_shaped_clusters(pdf: bytes) -> tuple[set[str], set[str]]:
    """The fonts a PDF embeds, and the multi-character clusters its glyphs stand for (shaped conjuncts)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts, clusters = set(), set()
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        fonts.add(str(font["/BaseFont"]).split("+")[-1])
        cmap = font["/ToUnicode"].get_object().get_data().decode()
        for _glyph, text in re.findall(r"<([0-9A-F]+)> <([0-9A-F]+)>", cmap):
            if len(text) > 4:  # one glyph standing for several characters: HarfBuzz formed a conjunct
                clusters.add(bytes.fromhex(text).decode("utf-16-be"))
    return fonts, clusters


def test_hindi_receipt_pdf_has_shaped_devanagari(client, session, api):
    customer = {"reference": "CA-HI-1", "name": "क्षितिज श्रीवास्तव", "language": "hi"}
    bill = make_bill(session, api.biller, customer=customer)
    pay(session, bill, bill.amount_paise, "UTR-HI")
    response = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    # Text extraction cannot undo the reordering of pre-base vowel signs (ि), so words without one are read back.
    assert "श्रीवास्तव" in text and "रसीद" in text and "भुगतान" in text
    fonts, clusters = _fonts_and_shaped_clusters(response.data)
    assert "NotoSansDevanagari" in fonts
    assert {"क्षि", "श्री", "क्ष"} & clusters  # conjunct glyphs, not loose letters and halants


def test_bengali_receipt_pdf_has_shaped_bengali(client, session, api):
    customer = {"reference": "CA-BN-1", "name": "শ্রীক্ষেত্র দত্ত", "language": "bn"}
    bill = make_bill(session, api.biller, customer=customer)
    pay(session, bill, bill.amount_paise, "UTR-BN")
    response = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}/receipt.pdf")
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "দত্ত" in text and "বাকি" in text and "গ্রাহক" in text
    fonts, clusters = _fonts_and_shaped_clusters(response.data)
    assert "NotoSansBengali" in fonts
    assert any(len(cluster) > 1 and "্" in cluster for cluster in clusters)  # a conjunct through the hasanta


def test_a_chosen_language_is_remembered(client, session, api):
    token = current_link(session=session, bill_id=make_bill(session, api.biller).id).token
    first = client.get(f"/p/{token}?lang=bn")
    assert 'lang="bn"' in first.get_data(as_text=True)
    assert "lang=bn" in first.headers["Set-Cookie"]
    again = client.get(f"/p/{token}")
    assert '<html lang="bn">' in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "font"),
    [
        ("முருகன் செல்வம்", "NotoSansTamil"),
        ("వెంకట రమణ", "NotoSansTelugu"),
        ("ಮಂಜುನಾಥ ಗೌಡ", "NotoSansKannada"),
        ("അനിൽ കുമാർ", "NotoSansMalayalam"),
        ("ભાવેશ પટેલ", "NotoSansGujarati"),
        ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "NotoSansGurmukhi"),
        ("ସୁବ୍ରତ ଦାସ", "NotoSansOriya"),
        ("ᱥᱟᱱᱛᱟᱲ ᱢᱩᱨᱢᱩ", "NotoSansOlChiki"),
        ("ꯇꯣꯝꯕ ꯁꯤꯡꯍ", "NotoSansMeeteiMayek"),
        ("محمد عارف", "NotoNaskhArabic"),
    ],
)
def test_a_name_in_any_script_of_india_is_printed_in_its_own_font(client, session, api, name, font):
    """An English receipt for a customer whose name is in another script: the name falls back to that script's
    font rather than printing as blanks."""
    customer = {"reference": f"CA-{font}", "name": name, "language": "en"}
    bill = make_bill(session, api.biller, customer=customer)
    pay(session, bill, bill.amount_paise, "UTR-SCRIPT")
    response = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}/receipt.pdf")
    fonts, _clusters = _fonts_and_shaped_clusters(response.data)
    assert font in fonts
    printed = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Receipt" in printed and "UTR-SCRIPT" in printed
