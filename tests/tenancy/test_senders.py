"""A biller's own senders, set from the CLI and the console; a number serves one biller only."""

from __future__ import annotations

from sqlmodel import select

from models import BillerSender
from tests.tenancy.conftest import OWN_SMS_OF_B
from tests.web.test_console import csrf, login

SERVICE_SID = "MG" + "a" * 32


def test_cli_sets_replaces_and_removes_a_billers_own_sender(app, session, api):
    cli = app.test_cli_runner()
    biller = str(api.biller.id)
    result = cli.invoke(args=["biller", "sender", "--biller", biller, "--channel", "sms", "--number", "12345"])
    assert result.exit_code != 0 and "--number: " in result.output  # not a phone number: refused
    result = cli.invoke(args=["biller", "sender", "--biller", biller, "--channel", "sms", "--number", OWN_SMS_OF_B])
    assert result.exit_code == 0, result.output
    own_sms = ["biller", "sender", "--biller", biller, "--channel", "sms", "--number", OWN_SMS_OF_B]
    result = cli.invoke(args=[*own_sms, "--messaging-service-sid", SERVICE_SID])
    assert result.exit_code == 0, result.output
    [sender] = session.exec(select(BillerSender)).all()
    assert (sender.channel, sender.address, sender.messaging_service_sid) == ("sms", OWN_SMS_OF_B, SERVICE_SID)
    result = cli.invoke(args=["biller", "sender", "--biller", biller, "--channel", "sms", "--remove"])
    assert result.exit_code == 0 and "shared sms sender" in result.output
    session.expire_all()
    assert session.exec(select(BillerSender)).all() == []


def test_a_number_cannot_be_two_billers_sender(app, session, api, other_api):
    cli = app.test_cli_runner()
    args = ["biller", "sender", "--channel", "whatsapp", "--number", OWN_SMS_OF_B, "--biller"]
    assert cli.invoke(args=[*args, str(api.biller.id)]).exit_code == 0
    result = cli.invoke(args=[*args, str(other_api.biller.id)])
    assert result.exit_code != 0 and "another biller's sender" in result.output
    assert [s.biller_id for s in session.exec(select(BillerSender)).all()] == [api.biller.id]


def test_biller_admin_sets_its_own_sender_in_the_console(client, session, api, other_api):
    from accounts.users import create_user
    from models.vocab import Role

    create_user(
        session=session,
        email="boss@a.example",
        password="correct horse battery",
        role=Role.BILLER_ADMIN,
        biller_id=api.biller.id,
    )
    session.commit()
    login(client, "boss@a.example")
    form = {"csrf_token": csrf(client, "/console/settings/senders"), "channel": "sms", "address": "not a number"}
    response = client.post("/console/settings/senders", data=form, follow_redirects=True)
    assert "address: " in response.get_data(as_text=True)
    form["address"] = OWN_SMS_OF_B
    response = client.post("/console/settings/senders", data=form, follow_redirects=True)
    assert response.status_code == 200 and OWN_SMS_OF_B in response.get_data(as_text=True)
    [sender] = session.exec(select(BillerSender)).all()
    assert (sender.biller_id, sender.address) == (api.biller.id, OWN_SMS_OF_B)
    form["address"] = ""
    client.post("/console/settings/senders", data=form)
    session.expire_all()
    assert session.exec(select(BillerSender)).all() == []
