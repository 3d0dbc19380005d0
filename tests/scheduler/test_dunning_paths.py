"""On PostgreSQL the pass decides plain bills in SQL: it must queue exactly what the row-by-row path queues."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import Bill, CustomerChannel, OutboundMessage
from models.db import current_db
from scheduler.cadences import CadenceIn, CadenceStepIn, save_cadence
from scheduler.dunning import SQL_BATCH_SIZE, common_groups, run_dunning_pass
from scheduler.dunning_sql import COMMON_PATH, batch_parameters, batch_settings
from tests.builders import make_bill

IST = ZoneInfo("Asia/Kolkata")
DUE = "2026-12-10"
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=IST)
PHONE, EMAIL = "+919810000001", "asha@example.com"

# customer fields, channels opted out of, and whether the phone is marked invalid
VARIANTS = {
    "plain": ({"phone": PHONE, "email": EMAIL}, [], False),
    "prefers sms": ({"phone": PHONE, "email": EMAIL, "preferred_channel": "sms"}, [], False),
    "prefers email": ({"phone": PHONE, "email": EMAIL, "preferred_channel": "email"}, [], False),
    "opted out of whatsapp": ({"phone": PHONE, "email": EMAIL}, ["whatsapp"], False),
    "opted out of all": ({"phone": PHONE, "email": EMAIL}, ["whatsapp", "sms", "email"], False),
    "invalid phone": ({"phone": PHONE, "email": EMAIL}, [], True),
    "email only": ({"email": EMAIL}, [], False),
    "phone only, prefers email": ({"phone": PHONE, "preferred_channel": "email"}, [], False),
}


def queue_first_reminder(session, bill: Bill) -> None:
    """The bill's first reminder in the outbox already, as a pass that died after queueing it left it."""
    session.add(
        OutboundMessage(
            biller_id=bill.biller_id,
            customer_id=bill.customer_id,
            bill_id=bill.id,
            channel="whatsapp",
            recipient=PHONE,
            idempotency_key=f"reminder:bill:{bill.id}:step:0:whatsapp",
        )
    )
    session.commit()


def outcome(session, bill_ids: dict[str, int]) -> dict[str, tuple]:
    """Per variant: what was queued (channel, recipient, fallbacks, template, step) and where the bill stands."""
    session.expire_all()
    found = {}
    for variant, bill_id in bill_ids.items():
        messages = session.exec(select(OutboundMessage).where(OutboundMessage.bill_id == bill_id)).all()
        bill = session.get(Bill, bill_id)
        found[variant] = (
            sorted(
                (m.channel, m.recipient, tuple(m.fallback_channels), m.template_key, m.cadence_step, m.status)
                for m in messages
            ),
            (bill.next_step, bill.next_reminder_at, bill.reminders_sent),
        )
    return found


@pytest.mark.parametrize(
    ("connections", "sql_batch_size"),
    [(1, 25000), (3, 2)],
    ids=["one statement", "batches of two on three connections"],
)
def test_sql_and_row_paths_queue_the_same_reminders(app, session, api, connections, sql_batch_size):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the SQL path is PostgreSQL's; SQLite always runs the row path")
    steps = [CadenceStepIn(day_offset=0, send_at=time(10, 0), channels=["whatsapp", "sms", "email", "telegram"])]
    save_cadence(session=session, biller_id=api.biller.id, data=CadenceIn(name="all", steps=steps, default=True))
    session.commit()
    sets = {}
    for label in ("rows", "sql"):
        sets[label] = {}
        for variant, (fields, opted_out, invalid) in VARIANTS.items():
            customer = {"reference": f"C-{label}-{len(sets[label])}", "name": "Asha Verma", **fields}
            bill = make_bill(session, api.biller, due_date=DUE, customer=customer)
            for channel in opted_out:
                session.add(CustomerChannel(customer_id=bill.customer_id, channel=channel, opted_out_at=NOW))
            if invalid:
                session.execute(
                    text("UPDATE customers SET phone_invalid_at = :at WHERE id = :id"),
                    {"at": NOW, "id": bill.customer_id},
                )
            sets[label][variant] = bill.id
    session.commit()
    sql_ids = list(sets["sql"].values())
    due_at = {bill.id: bill.next_reminder_at for bill in session.exec(select(Bill).where(Bill.id.in_(sql_ids)))}
    # Hold the second set back while the row path runs on the first, then make it due again as it was.
    session.execute(
        text("UPDATE bills SET paused_until = :later WHERE id = ANY(:ids)"),
        {"later": NOW.replace(year=2027), "ids": sql_ids},
    )
    session.commit()
    with app.app_context():
        by_rows = run_dunning_pass(session_factory=current_db().new_session, now=NOW, common_path=False)
    for bill_id, at in due_at.items():
        session.execute(
            text("UPDATE bills SET paused_until = NULL, next_reminder_at = :at WHERE id = :id"),
            {"at": at, "id": bill_id},
        )
    session.commit()
    with app.app_context():
        by_sql = run_dunning_pass(
            session_factory=current_db().new_session, now=NOW, connections=connections, sql_batch_size=sql_batch_size
        )

    assert {r.bill_id for r in by_rows} <= set(sets["rows"].values())
    assert {r.bill_id for r in by_sql} <= set(sql_ids)
    rows, sql = outcome(session, sets["rows"]), outcome(session, sets["sql"])
    assert sql == rows
    assert len(by_sql) == len(by_rows) == 7  # every variant but the one opted out of everything
    # What each path says it queued: per variant, the step, the channel and the step's moment.
    variant_of = {bill_id: variant for label in sets for variant, bill_id in sets[label].items()}
    said_by_rows = sorted((variant_of[r.bill_id], r.step, r.channel, r.at) for r in by_rows)
    assert sorted((variant_of[r.bill_id], r.step, r.channel, r.at) for r in by_sql) == said_by_rows
    assert rows["prefers email"][0][0][:3] == ("email", EMAIL, ("whatsapp", "sms"))
    assert rows["opted out of all"] == ([], (1, None, 0))


def test_each_group_reports_its_own_step_and_moment(app, session, api):
    steps = [
        CadenceStepIn(day_offset=-2, send_at=time(10, 0), channels=["whatsapp"]),
        CadenceStepIn(day_offset=0, send_at=time(10, 0), channels=["sms"]),
    ]
    save_cadence(session=session, biller_id=api.biller.id, data=CadenceIn(name="two", steps=steps, default=True))
    session.commit()
    # Three groups at NOW (10 December, noon): the second step of a bill due today (the missed first is skipped),
    # and the first steps of bills due tomorrow and the day after, planned a day apart.
    bills = {due: make_bill(session, api.biller, due_date=due).id for due in ("2026-12-10", "2026-12-11", "2026-12-12")}
    with app.app_context():
        queued = run_dunning_pass(session_factory=current_db().new_session, now=NOW)

    said = {r.bill_id: (r.step, r.channel, r.at) for r in queued}
    assert said == {
        bills["2026-12-10"]: (1, "sms", datetime(2026, 12, 10, 10, 0, tzinfo=IST)),
        bills["2026-12-11"]: (0, "whatsapp", datetime(2026, 12, 9, 10, 0, tzinfo=IST)),
        bills["2026-12-12"]: (0, "whatsapp", datetime(2026, 12, 10, 10, 0, tzinfo=IST)),
    }
    messages = session.exec(select(OutboundMessage).where(OutboundMessage.bill_id.in_(bills.values()))).all()
    assert {m.bill_id: (m.cadence_step, m.channel) for m in messages} == {b: s[:2] for b, s in said.items()}


def test_a_reminder_already_in_the_outbox_is_not_queued_again(app, session, api, caplog):
    steps = [CadenceStepIn(day_offset=0, send_at=time(10, 0), channels=["whatsapp"])]
    save_cadence(session=session, biller_id=api.biller.id, data=CadenceIn(name="one", steps=steps, default=True))
    session.commit()
    bills = [
        make_bill(session, api.biller, due_date=DUE, customer={"reference": f"C-{n}", "name": "Asha", "phone": PHONE})
        for n in range(3)
    ]
    before = bills[1]
    queue_first_reminder(session, before)
    with app.app_context(), caplog.at_level("INFO", logger="scheduler.dunning"):
        queued = run_dunning_pass(session_factory=current_db().new_session, now=NOW)

    assert sorted(r.bill_id for r in queued) == [bills[0].id, bills[2].id]
    if session.get_bind().dialect.name == "postgresql":  # the SQL batch ran again without it, not the row path
        assert "the batch runs again without it" in caplog.text
    messages = session.exec(select(OutboundMessage).where(OutboundMessage.bill_id.in_([b.id for b in bills]))).all()
    assert sorted(m.bill_id for m in messages) == sorted(b.id for b in bills)
    session.expire_all()
    assert {(b.next_step, b.reminders_sent) for b in (session.get(Bill, bill.id) for bill in bills)} == {(1, 1)}


def test_batches_on_several_connections_queue_each_bill_once(app, session, api):
    """Four connections take batches of five from 120 due bills in three groups: every bill gets one reminder."""
    steps = [CadenceStepIn(day_offset=0, send_at=time(10, 0), channels=["whatsapp", "sms"])]
    save_cadence(session=session, biller_id=api.biller.id, data=CadenceIn(name="one", steps=steps, default=True))
    session.commit()
    bills = [
        make_bill(
            session,
            api.biller,
            due_date=due,
            customer={"reference": f"C-{n % 30}", "name": "Asha", "phone": f"+9198100{n % 30:05d}"},
        ).id
        for n, due in enumerate(["2026-12-08", "2026-12-09", "2026-12-10"] * 40)
    ]
    before = session.get(Bill, bills[7])  # one reminder queued before: its batch runs again without it
    queue_first_reminder(session, before)
    with app.app_context():
        queued = run_dunning_pass(session_factory=current_db().new_session, now=NOW, connections=4, sql_batch_size=5)

    assert sorted(r.bill_id for r in queued) == sorted(set(bills) - {before.id})
    messages = session.exec(select(OutboundMessage).where(OutboundMessage.bill_id.in_(bills))).all()
    assert sorted(m.bill_id for m in messages) == sorted(bills)
    session.expire_all()
    assert {(b.next_step, b.reminders_sent) for b in (session.get(Bill, bill_id) for bill_id in bills)} == {(1, 1)}


@pytest.mark.parametrize("common_path", [True, False], ids=["sql path", "row path"])
@pytest.mark.parametrize(
    ("biller_order", "step_channels", "channel", "fallbacks"),
    [
        ("null", "[]", "whatsapp", ["sms"]),  # the biller's order unreadable: the default order
        ('"sms"', "[]", "whatsapp", ["sms"]),
        ('["pigeon", 7]', "[]", "whatsapp", ["sms"]),
        ('["sms", "whatsapp"]', "null", "sms", ["whatsapp"]),  # the step's unreadable: the biller's order
        ('["whatsapp"]', '[42, "sms", "pigeon"]', "sms", []),  # what the step names that is a channel
        ('["whatsapp"]', '["sms", "sms", "whatsapp"]', "sms", ["whatsapp"]),  # named twice: once, not a fallback
    ],
)
def test_stored_channel_lists_of_anything_else_queue_by_what_they_name(
    app, session, api, common_path, biller_order, step_channels, channel, fallbacks
):
    """Channel lists are JSON columns a script can set to anything: the pass uses what they name, never fails."""
    steps = [CadenceStepIn(day_offset=0, send_at=time(10, 0), channels=["email"])]  # set to step_channels below
    save_cadence(session=session, biller_id=api.biller.id, data=CadenceIn(name="one", steps=steps, default=True))
    bill = make_bill(session, api.biller, due_date=DUE, customer={"reference": "C-1", "name": "Asha", "phone": PHONE})
    session.execute(
        text("UPDATE billers SET channel_order = :order WHERE id = :id"), {"order": biller_order, "id": api.biller.id}
    )
    session.execute(
        text("UPDATE cadence_steps SET channels = :channels WHERE cadence_id = :id"),
        {"channels": step_channels, "id": bill.cadence_id},
    )
    session.commit()
    with app.app_context():
        queued = run_dunning_pass(session_factory=current_db().new_session, now=NOW, common_path=common_path)

    assert [(r.bill_id, r.channel) for r in queued] == [(bill.id, channel)]
    message = session.exec(select(OutboundMessage).where(OutboundMessage.bill_id == bill.id)).one()
    assert (message.channel, message.recipient, message.fallback_channels) == (channel, PHONE, fallbacks)


def test_a_batch_over_many_groups_runs_each_part_of_its_statement_once(app, session, api, other_api):
    """Bills of many groups (two billers, eight due dates) in one batch: each part of the statement runs
    once, none once per bill. The planner takes such a batch for a bill or two (it multiplies the four group
    columns' selectivities) and ran the queued bills' lookup and the bills' update once per bill: 25,000 bills in
    40 groups took 75 s."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the SQL path is PostgreSQL's; SQLite always runs the row path")
    dues = [f"2026-12-{day:02d}" for day in range(6, 14)]
    bills = [
        make_bill(session, biller, due_date=due, customer={"reference": f"C-{n}", "name": "Asha", "phone": PHONE})
        for biller in (api.biller, other_api.biller)
        for n, due in enumerate(dues * 6)
    ]
    session.execute(text("ANALYZE bills"))
    with app.app_context():
        groups = common_groups(session, NOW)
    sendable, params = batch_parameters(groups, NOW, SQL_BATCH_SIZE)
    assert len(sendable) >= 12
    batch_settings(session)
    plan = session.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {COMMON_PATH.text}"), params).scalar()
    session.rollback()

    nodes, parts = [plan[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        parts.append((node["Node Type"], node.get("Relation Name") or node.get("CTE Name"), node["Actual Loops"]))
        nodes += node.get("Plans", [])
    assert [part for part in parts if part[2] != 1] == []
    inserted = [part for part in parts if part[0] == "ModifyTable" and part[1] == "outbound_messages"]
    assert len(inserted) == 1
    assert ("ModifyTable", "bills", 1) in parts
    assert len(bills) == 96
