"""`demo`: an idempotent seed of one biller, three customers and their bills, for trying the product."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from sqlmodel import Session, select

from accounts.users import create_user
from billing.billers import biller_today, create_biller, issue_api_key
from billing.bills import current_link, find_bill
from billing.links import link_url
from billing.schemas import BillIn
from config import current_settings
from models import Biller, CannedReply, Label, User
from models.db import current_db, utcnow
from models.vocab import Role
from workflows import Actor
from workflows.bills import create_bill
from workflows.support_desk import create_label, save_canned_reply

DEMO_BILLER = "Demo Power Distribution Ltd"
DEMO_VPA = "demopower@icici"
DEMO_LOGINS = (
    ("admin@demo.clickpay.local", "demo-admin-password", Role.ADMIN),
    ("billing@demo.clickpay.local", "demo-biller-password", Role.BILLER_ADMIN),
    ("support@demo.clickpay.local", "demo-support-password", Role.SUPPORT),
)
# (bill reference, customer reference, name, phone, email, language, paise, days from today to due date)
DEMO_BILLS = (
    ("ELEC-2026-1001", "CA-100234", "Asha Verma", "+919810000001", "asha@example.com", "en", 124550, -5),
    ("ELEC-2026-1002", "CA-100871", "रवि कुमार", "+919810000002", None, "hi", 89000, 0),
    ("ELEC-2026-1003", "CA-101554", "সৌরভ দাস", "+919810000003", "sourav@example.com", "bn", 215075, 10),
)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed demo data (safe to run again) and print the payment links and console logins."""
    settings = current_settings()
    if settings.is_production:
        raise click.UsageError("demo seeds known passwords and is refused when APP_ENV=production")
    today = biller_today(None, utcnow())  # the demo biller keeps the default zone
    with current_db().session_scope() as session:
        biller, api_key = _demo_biller(session)
        _demo_users(session, biller.id)
        _demo_support_tools(session, biller.id)
        links = [
            (ref, link_url(current_link(session=session, bill_id=bill.id).token, settings=settings))
            for ref, bill in _demo_bills(session, biller, today)
        ]
    click.echo(f"Demo biller: {DEMO_BILLER} (id {biller.id})")
    if api_key:
        click.echo(f"API key (shown once): {api_key}")
    click.echo("Payment links:")
    for reference, url in links:
        click.echo(f"  {reference}: {url}")
    click.echo(f"Console: {settings.public_base_url}/console/login")
    for email, password, role in DEMO_LOGINS:
        click.echo(f"  {role.value}: {email} / {password}")


def _demo_biller(session: Session) -> tuple[Biller, str | None]:
    biller = session.exec(select(Biller).where(Biller.name == DEMO_BILLER)).first()
    if biller:
        return biller, None
    biller = create_biller(session=session, name=DEMO_BILLER, upi_vpa=DEMO_VPA, payee_name="Demo Power")
    return biller, issue_api_key(session=session, biller_id=biller.id, name="demo")


def _demo_users(session: Session, biller_id: int) -> None:
    for email, password, role in DEMO_LOGINS:
        if session.exec(select(User).where(User.email == email)).first() is None:
            create_user(
                session=session,
                email=email,
                password=password,
                role=role,
                biller_id=None if role is Role.ADMIN else biller_id,
            )


# Support's ready answers in each language the demo customers read, and a few labels for conversations.
DEMO_CANNED_REPLIES = (
    ("en", "Payment link", "Hello {name}, you can pay {amount} for bill {bill} here: {link}"),
    ("hi", "भुगतान लिंक", "नमस्ते {name}, बिल {bill} के {amount} यहाँ चुकाएँ: {link}"),
    ("bn", "পেমেন্ট লিংক", "নমস্কার {name}, বিল {bill}-এর {amount} এখানে দিন: {link}"),
)
DEMO_LABELS = ("refund", "meter reading", "wrong bill")


def _demo_support_tools(session: Session, biller_id: int) -> None:
    at = {"session": session, "actor": Actor("cli"), "now": utcnow(), "biller_id": biller_id}
    if session.exec(select(CannedReply.id).where(CannedReply.biller_id == biller_id)).first() is None:
        for language, title, body in DEMO_CANNED_REPLIES:
            save_canned_reply(**at, title=title, language=language, body=body)
    if session.exec(select(Label.id).where(Label.biller_id == biller_id)).first() is None:
        for name in DEMO_LABELS:
            create_label(**at, name=name)


def _demo_bills(session: Session, biller: Biller, today: date):
    for reference, customer_ref, name, phone, email, language, paise, due_in in DEMO_BILLS:
        bill = find_bill(session=session, biller_id=biller.id, reference=reference)
        if bill is None:
            data = BillIn(
                reference=reference,
                customer={
                    "reference": customer_ref,
                    "name": name,
                    "phone": phone,
                    "email": email,
                    "language": language,
                },
                amount=paise,
                due_date=today + timedelta(days=due_in),
                bill_date=today + timedelta(days=due_in - 15),
                period=(today + timedelta(days=due_in - 30)).strftime("%b %Y"),
            )
            bill = create_bill(
                session=session, actor=Actor("cli"), now=utcnow(), biller=biller, data=data, settings=current_settings()
            )
        yield reference, bill
