"""Statements written in the layouts HDFC and SBI publish for their net-banking downloads, and the bills they pay."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from billing.bills import current_link
from tests.bot.conftest import app_overrides as bot_app_overrides
from tests.bot.conftest import post_twilio, twilio_params
from tests.builders import make_bill

app_overrides = bot_app_overrides  # the bot answers over Twilio, so a customer can tell it a UTR

ASHA_PHONE = "+919810000001"
RAVI_PHONE = "+919810000002"


@pytest.fixture
def bills(session, api):
    """Biller A's open bills: Asha's ₹1,245.50, Ravi's ₹377.25, Mira's ₹999.00, Dev's ₹999.00."""
    people = {
        "asha": ("ELEC-1", 124550, "C-ASHA", "Asha Verma", ASHA_PHONE),
        "ravi": ("ELEC-2", 37725, "C-RAVI", "Ravi Kumar", RAVI_PHONE),
        "mira": ("ELEC-3", 99900, "C-MIRA", "Mira Nair", "+919810000003"),
        "dev": ("ELEC-4", 99900, "C-DEV", "Dev Anand", "+919810000004"),
    }
    return {
        key: make_bill(
            session,
            api.biller,
            reference=reference,
            amount=amount,
            customer={"reference": customer, "name": name, "phone": phone, "language": "en"},
        )
        for key, (reference, amount, customer, name, phone) in people.items()
    }


def choose_app(client, session, bill) -> str:
    """The `tr` the payment page issues when the customer picks an app."""
    token = current_link(session=session, bill_id=bill.id).token
    location = client.get(f"/p/{token}/pay", query_string={"app": "gpay", "platform": "desktop"}).headers["Location"]
    return dict(parse_qsl(urlsplit(location).query))["tr"]


def tell_bot(client, phone: str, text: str) -> None:
    """The customer writes to the bot over SMS, signed as Twilio signs it."""
    response = post_twilio(client, twilio_params(phone, text))
    assert response.status_code == 200, response.get_data(as_text=True)


def hdfc_statement(*rows: tuple[str, str, str, str, str]) -> str:
    """HDFC Bank's statement download: bank and account preamble, a row of asterisks under the header, a summary.

    Each row is (date dd/mm/yy, narration, Chq./Ref.No., withdrawal, deposit).
    """
    lines = [
        "HDFC BANK Ltd.,,,,,,",
        "Page No .: 1,,,,,,Statement of account",
        "M/S. ASANSOL POWER DISTRIBUTION,,,,,,",
        "Account No :50200012345678,,,,,,",
        "Statement From : 01/11/2026 To : 25/11/2026,,,,,,",
        "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance",
        "********,********,********,********,********,********,********",
    ]
    balance = 10_00_000
    for day, narration, reference, withdrawal, deposit in rows:
        lines.append(f'{day},"{narration}",{reference},{day},"{withdrawal}","{deposit}","{balance:,}.00"')
    lines += [
        ",,,,,,",
        "STATEMENT SUMMARY  :-,,,,,,",
        "Opening Balance,Dr Count,Cr Count,Debits,Credits,Closing Bal,",
        '"10,00,000.00",1,3,"5,000.00","2,622.75","9,97,622.75",',
        "Generated On: 25/11/2026 18:10:02,,,,,,",
    ]
    return "\n".join(lines) + "\n"


def sbi_statement(*rows: tuple[str, str, str, str, str]) -> str:
    """State Bank of India's account statement: key-value preamble, then Txn Date / Value Date / Description …

    Each row is (date "25 Nov 2026", description, Ref No./Cheque No., debit, credit).
    """
    lines = [
        "Account Name       :,Mr. BHOPAL WATER WORKS",
        "Address            :,MP NAGAR ZONE 1 BHOPAL",
        "Account Number     :,00000031234567890",
        "Account Description:,CURRENT ACCOUNT",
        "Branch             :,MP NAGAR BHOPAL",
        "IFS Code           :,SBIN0001234",
        'Balance as on 1 Nov 2026:,"5,00,000.00"',
        "",
        "Start Date         :,1 Nov 2026",
        "End Date           :,25 Nov 2026",
        "Txn Date,Value Date,Description,Ref No./Cheque No.,Debit,Credit,Balance",
    ]
    for day, description, reference, debit, credit in rows:
        lines.append(f'{day},{day},"{description}",{reference},"{debit}","{credit}","5,00,000.00"')
    lines.append("**This is a computer generated statement and does not require a signature.")
    return "\n".join(lines) + "\n"


def upload(client, api, text: str):
    return client.post(
        "/api/v1/reconciliation/statements", data=text.encode(), content_type="text/csv", headers=api.headers
    )
