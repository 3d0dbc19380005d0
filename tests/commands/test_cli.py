"""The operator commands of DESIGN.md §4, run through Flask's CLI runner."""

from __future__ import annotations

import json

from sqlmodel import func, select

from accounts.users import authenticate
from models import ApiKey, AuditEvent, Bill, Biller, Cadence, CadenceStep, CannedReply, Customer, Label, User


def test_biller_create_json_prints_id_and_a_working_key(app, client):
    result = app.test_cli_runner().invoke(
        args=["biller", "create", "--name", "Kolkata Gas", "--vpa", "kgas@axis", "--json"]
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert set(created) == {"id", "api_key"}
    response = client.get("/api/v1/customers/none", headers={"Authorization": f"Bearer {created['api_key']}"})
    assert response.status_code == 404  # authenticated, and simply nothing there


def test_biller_gets_the_default_cadence(app, session):
    app.test_cli_runner().invoke(args=["biller", "create", "--name", "Pune Water", "--vpa", "punewater@sbi"])
    cadence = session.exec(select(Cadence)).one()
    steps = session.exec(
        select(CadenceStep).where(CadenceStep.cadence_id == cadence.id).order_by(CadenceStep.position)
    ).all()
    assert cadence.is_default
    assert [step.day_offset for step in steps] == [-3, 0, 3, 7]
    assert {tuple(step.channels) for step in steps} == {("whatsapp", "sms", "email")}
    assert {step.send_at.isoformat() for step in steps} == {"10:00:00"}


def test_biller_create_refuses_a_bad_vpa_and_writes_nothing(app, session):
    result = app.test_cli_runner().invoke(args=["biller", "create", "--name", "X", "--vpa", "not a vpa"])
    assert result.exit_code != 0
    assert "--vpa: is not a UPI virtual payment address" in result.output
    assert session.exec(select(func.count()).select_from(Biller)).one() == 0


def test_api_key_is_stored_only_as_a_hash(app, session):
    result = app.test_cli_runner().invoke(args=["biller", "create", "--name", "X", "--vpa", "xy@sbi", "--json"])
    plain = json.loads(result.output)["api_key"]
    stored = session.exec(select(ApiKey)).one()
    assert plain not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64


def test_user_create_hashes_with_argon2_and_scopes_to_the_biller(app, session, api):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "Desk@Biller.example",
            "--password",
            "long-enough-pw",
            "--role",
            "support",
            "--biller",
            str(api.biller.id),
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User)).one()
    assert user.password_hash.startswith("$argon2id$")
    assert (user.email, user.role, user.biller_id) == ("desk@biller.example", "support", api.biller.id)
    assert authenticate(session=session, email="desk@biller.example", password="long-enough-pw").id == user.id
    assert authenticate(session=session, email="desk@biller.example", password="wrong-password") is None


def test_user_create_refuses_a_support_user_without_a_biller(app, session):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "--email", "a@b.example", "--password", "long-enough-pw", "--role", "support"]
    )
    assert result.exit_code != 0
    assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_demo_is_idempotent_and_prints_links_and_logins(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output.count("/p/") == 3
    assert "/console/login" in first.output
    assert "API key" in first.output and "API key" not in second.output
    assert session.exec(select(func.count()).select_from(Bill)).one() == 3
    assert set(session.exec(select(Customer.language)).all()) == {"en", "hi", "bn"}
    assert session.exec(select(func.count()).select_from(User)).one() == 3
    assert sorted(session.exec(select(CannedReply.language)).all()) == ["bn", "en", "hi"]  # once, however often run
    assert session.exec(select(func.count()).select_from(Label)).one() == 3


def test_bills_import_reports_bad_lines_and_fails(app, session, api, tmp_path):
    csv_file = tmp_path / "bills.csv"
    csv_file.write_text(
        "reference,customer_reference,customer_name,amount,due_date\n"
        "E-1,CA-1,Asha,100,2026-12-10\nE-2,CA-2,Ravi,-5,2026-12-10\n"
    )
    runner = app.test_cli_runner()
    strict = runner.invoke(args=["bills", "import", str(csv_file), "--biller", str(api.biller.id)])
    assert strict.exit_code != 0
    assert "line 3: amount" in strict.output
    assert session.exec(select(func.count()).select_from(Bill)).one() == 0

    partial = runner.invoke(args=["bills", "import", str(csv_file), "--biller", str(api.biller.id), "--partial"])
    assert partial.exit_code == 0
    assert "Imported 1 of 2" in partial.output
    assert session.exec(select(Bill.reference)).all() == ["E-1"]
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "bills.import")).one()  # the refused one: none
    assert (audited.actor, audited.detail) == ("cli", {"imported": 1, "rejected": 1})


def test_bills_import_for_unknown_biller_is_a_usage_error(app, tmp_path):
    csv_file = tmp_path / "bills.csv"
    csv_file.write_text("reference\n")
    result = app.test_cli_runner().invoke(args=["bills", "import", str(csv_file), "--biller", "424242"])
    assert result.exit_code == 2
    assert "no biller" in result.output


def test_demo_runs_from_a_bare_cli_without_an_app_context(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert result.output.count("/p/") == 3


def test_worker_once_exits(app):
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
