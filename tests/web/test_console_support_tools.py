"""Canned replies and labels: biller admins keep them, support uses them in conversations and the inbox, and no
biller ever sees or changes another's (each id of another biller is 404; admins work through the switcher)."""

from __future__ import annotations

import html as html_lib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from accounts.users import create_user
from billing.bills import current_link
from models import AuditEvent, CannedReply, Conversation, ConversationLabel, Label, User
from models.db import utcnow
from models.vocab import Role
from tests.builders import make_bill
from tests.web.test_console import PASSWORD, csrf, login
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture
from web.i18n import select_locale

PAGE = "/console/canned-replies"
REPLY_FORM = {"title": "Raced", "language": "en", "body": "Pay here: {link}"}
LABEL_FORM = {"name": "raced"}


@pytest.fixture
def desk(session, api, other_api, users):  # noqa: F811
    """A waiting conversation of each biller; biller B has a canned reply and a label of its own."""
    found = {}
    for key, biller, name, phone in (
        ("a", api.biller, "Asha Verma", "+919810000071"),
        ("b", other_api.biller, "Bina Roy", "+919810000072"),
    ):
        bill = make_bill(
            session, biller, amount=124550, customer={"reference": f"C-{key}", "name": name, "phone": phone}
        )
        conversation = Conversation(
            biller_id=biller.id,
            customer_id=bill.customer_id,
            channel="sms",
            address=phone,
            needs_attention="handover",
            attention_since=utcnow(),
        )
        session.add(conversation)
        found[key] = {"bill": bill, "conversation": conversation}
    theirs = CannedReply(biller_id=other_api.biller.id, language="en", title="B only", body="Bhopal's words")
    their_label = Label(biller_id=other_api.biller.id, name="b-label")
    session.add_all([theirs, their_label])
    session.commit()
    found["their_reply"], found["their_label"] = theirs.id, their_label.id
    return found


def add_reply(client, title: str, body: str, language: str = "en", page: str = PAGE):
    return client.post(
        page, data={"csrf_token": csrf(client, page), "title": title, "language": language, "body": body}
    )


def test_biller_admin_adds_edits_and_deletes_canned_replies(client, session, api, desk):
    login(client, "boss@a.example")
    assert add_reply(client, "Pay link", "नमस्ते {name}, भुगतान करें: {link}", "hi").status_code == 302
    reply = session.exec(select(CannedReply).where(CannedReply.biller_id == api.biller.id)).one()
    assert (reply.title, reply.language) == ("Pay link", "hi")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Pay link" in page and "B only" not in page and "हिन्दी" in page
    edit = f"{PAGE}/{reply.id}"
    assert "नमस्ते {name}" in client.get(edit).get_data(as_text=True)
    form = {"csrf_token": csrf(client, edit), "title": "Pay link", "language": "hi", "body": "{name}: {amount}"}
    assert client.post(edit, data=form).status_code == 302
    session.expire_all()
    assert session.get(CannedReply, reply.id).body == "{name}: {amount}"
    reply_id = reply.id
    assert client.post(f"{edit}/delete", data={"csrf_token": csrf(client, PAGE)}).status_code == 302
    session.expire_all()
    assert session.get(CannedReply, reply_id) is None
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("canned_reply.%"))).all()
    assert sorted(actions) == ["canned_reply.create", "canned_reply.delete", "canned_reply.update"]


def test_bad_canned_replies_are_refused_naming_the_field_and_nothing_is_saved(client, session, api, desk):
    login(client, "boss@a.example")
    unknown = add_reply(client, "Oops", "Hello {nmae}")
    assert unknown.status_code == 422 and "unknown placeholders nmae" in html_lib.unescape(
        unknown.get_data(as_text=True)
    )
    assert add_reply(client, "Greeting", "Hello {name}").status_code == 302
    again = add_reply(client, "Greeting", "Hi again")
    assert again.status_code == 422 and "already used by another reply in this language" in again.get_data(as_text=True)
    assert add_reply(client, "Greeting", "নমস্কার {name}", "bn").status_code == 302  # same title, other language
    assert add_reply(client, "Odd", "x", "fr").status_code == 422
    assert add_reply(client, "Control", "bad \x1b[31m").status_code == 422
    titles = session.exec(select(CannedReply.title).where(CannedReply.biller_id == api.biller.id)).all()
    assert sorted(titles) == ["Greeting", "Greeting"]


def test_support_inserts_a_canned_reply_filled_in_for_the_customer(client, session, api, desk):
    login(client, "boss@a.example")
    add_reply(client, "Pay link", "Hello {name}, {amount} is due on {bill}: {link}")
    reply = session.exec(select(CannedReply).where(CannedReply.biller_id == api.biller.id)).one()
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    login(client, "desk@a.example")
    assert client.get(PAGE).status_code == 403  # support uses replies, the biller admin keeps them
    conversation = f"/console/conversations/{desk['a']['conversation'].id}"
    page = client.get(conversation).get_data(as_text=True)
    assert 'id="canned-form"' in page and "Pay link" in page and "B only" not in page
    filled = html_lib.unescape(client.get(conversation, query_string={"canned": reply.id}).get_data(as_text=True))
    bill = desk["a"]["bill"]
    link = current_link(session=session, bill_id=bill.id).token
    assert f"Hello Asha Verma, ₹1,245.50 is due on {bill.reference}: https://pay.example.test/p/{link}" in filled
    # the filled text is only a proposal in the reply box: nothing was sent
    assert "Hello Asha Verma" in filled.split('id="body"', 1)[1].split("</textarea>", 1)[0]


def test_a_canned_reply_is_never_another_billers(client, session, desk):
    login(client, "desk@a.example")
    conversation = f"/console/conversations/{desk['a']['conversation'].id}"
    assert client.get(conversation, query_string={"canned": desk["their_reply"]}).status_code == 404
    assert client.get(conversation, query_string={"canned": 2**40}).status_code == 404
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    login(client, "boss@a.example")
    edit = f"{PAGE}/{desk['their_reply']}"
    assert client.get(edit).status_code == 404
    form = {"csrf_token": csrf(client, PAGE), "title": "Taken", "language": "en", "body": "mine now"}
    assert client.post(edit, data=form).status_code == 404
    assert client.post(f"{edit}/delete", data={"csrf_token": csrf(client, PAGE)}).status_code == 404
    session.expire_all()
    assert session.get(CannedReply, desk["their_reply"]).body == "Bhopal's words"


def test_labels_on_conversations_and_the_inbox_filter(client, session, api, desk):
    login(client, "boss@a.example")
    for name in ("refund", "meter reading"):
        assert (
            client.post(
                "/console/labels", data={"csrf_token": csrf(client, "/console/labels"), "name": name}
            ).status_code
            == 302
        )
    duplicate = client.post("/console/labels", data={"csrf_token": csrf(client, "/console/labels"), "name": "Refund"})
    assert duplicate.status_code == 422
    refund = session.exec(select(Label).where(Label.biller_id == api.biller.id, Label.name == "refund")).one()
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    login(client, "desk@a.example")
    conversation_id = desk["a"]["conversation"].id
    page = f"/console/conversations/{conversation_id}"
    added = client.post(f"{page}/labels", data={"csrf_token": csrf(client, page), "label": refund.id})
    assert added.status_code == 302
    assert '<span class="badge label">refund</span>' in client.get(page).get_data(as_text=True)
    other = make_bill(
        session, api.biller, customer={"reference": "C-c", "name": "Chandan Sen", "phone": "+919810000073"}
    )
    session.add(
        Conversation(
            biller_id=api.biller.id,
            customer_id=other.customer_id,
            channel="sms",
            address="+919810000073",
            needs_attention="handover",
            attention_since=utcnow(),
        )
    )
    session.commit()
    everyone = client.get("/console/").get_data(as_text=True)
    assert "Asha Verma" in everyone and "Chandan Sen" in everyone and "b-label" not in everyone
    labelled = client.get("/console/", query_string={"label": refund.id}).get_data(as_text=True)
    assert "Asha Verma" in labelled and "Chandan Sen" not in labelled
    mine_and_labelled = client.get("/console/", query_string={"label": refund.id, "show": "mine"}).get_data(
        as_text=True
    )
    assert "Asha Verma" not in mine_and_labelled  # nobody took it yet
    client.post(f"{page}/assign", data={"csrf_token": csrf(client, page)})
    mine_and_labelled = client.get("/console/", query_string={"label": refund.id, "show": "mine"}).get_data(
        as_text=True
    )
    assert "Asha Verma" in mine_and_labelled and "Chandan Sen" not in mine_and_labelled
    removed = client.post(f"{page}/labels/{refund.id}/remove", data={"csrf_token": csrf(client, page)})
    assert removed.status_code == 302
    assert session.exec(select(ConversationLabel)).all() == []
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.subject_type == "conversation")).all()
    assert "conversation.label" in actions and "conversation.unlabel" in actions


def test_labels_never_cross_billers(client, session, api, desk):
    login(client, "desk@a.example")
    page = f"/console/conversations/{desk['a']['conversation'].id}"
    theirs = desk["their_label"]
    assert client.post(f"{page}/labels", data={"csrf_token": csrf(client, page), "label": theirs}).status_code == 404
    assert client.post(f"{page}/labels", data={"csrf_token": csrf(client, page), "label": 2**40}).status_code == 404
    their_page = f"/console/conversations/{desk['b']['conversation'].id}"
    mine = Label(biller_id=api.biller.id, name="mine")
    session.add(mine)
    session.commit()
    assert (
        client.post(f"{their_page}/labels", data={"csrf_token": csrf(client, page), "label": mine.id}).status_code
        == 404
    )
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    login(client, "boss@a.example")
    assert (
        client.post(
            f"/console/labels/{theirs}/delete", data={"csrf_token": csrf(client, "/console/labels")}
        ).status_code
        == 404
    )
    assert "b-label" not in client.get("/console/labels").get_data(as_text=True)
    assert (
        client.get("/console/", query_string={"label": theirs}).status_code == 200
    )  # an unknown label filters nothing
    session.expire_all()
    assert session.get(Label, theirs) is not None and session.exec(select(ConversationLabel)).all() == []


@pytest.mark.parametrize(
    "path",
    [
        PAGE,
        f"{PAGE}/1",
        f"{PAGE}/1/delete",
        "/console/labels",
        "/console/labels/1/delete",
        "/console/conversations/1/labels",
        "/console/conversations/1/labels/1/remove",
    ],
)
def test_every_new_form_needs_its_csrf_token(client, session, api, desk, path):
    login(client, "boss@a.example")
    reply = CannedReply(biller_id=api.biller.id, language="en", title="t", body="b")
    session.add_all([reply, Label(biller_id=api.biller.id, name="l")])
    session.commit()
    path = path.replace("/1", f"/{reply.id}", 1) if "canned" in path else path
    response = client.post(path, data={"title": "x", "language": "en", "body": "y", "name": "z", "label": 1})
    assert response.status_code == 400
    session.expire_all()
    assert sorted(session.exec(select(CannedReply.title)).all()) == ["B only", "t"]
    assert len(session.exec(select(Label)).all()) == 2 and session.exec(select(ConversationLabel)).all() == []


def test_admin_works_on_the_biller_chosen_in_the_switcher(client, session, api, other_api, desk):
    create_user(session=session, email="root@example.com", password=PASSWORD, role=Role.ADMIN, biller_id=None)
    session.commit()
    login(client, "root@example.com")
    theirs = client.get(PAGE, query_string={"biller": other_api.biller.id}).get_data(as_text=True)
    assert "B only" in theirs and "Bhopal Water" in theirs
    page = f"{PAGE}?biller={api.biller.id}"
    assert add_reply(client, "From admin", "Hello {name}", page=page).status_code == 302
    session.expire_all()
    assert session.exec(select(CannedReply.biller_id).where(CannedReply.title == "From admin")).one() == api.biller.id
    root = session.exec(select(User.id).where(User.email == "root@example.com")).one()
    assert (
        session.exec(select(AuditEvent.actor).where(AuditEvent.action == "canned_reply.create")).one() == f"user:{root}"
    )


def test_a_deleted_label_leaves_every_conversation(client, session, api, desk):
    label = Label(biller_id=api.biller.id, name="refund")
    session.add(label)
    session.commit()
    session.add(ConversationLabel(conversation_id=desk["a"]["conversation"].id, label_id=label.id))
    session.commit()
    label_id = label.id
    login(client, "boss@a.example")
    response = client.post(f"/console/labels/{label_id}/delete", data={"csrf_token": csrf(client, "/console/labels")})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Label, label_id) is None and session.exec(select(ConversationLabel)).all() == []
    audited = select(AuditEvent.action).where(AuditEvent.subject_type == "label", AuditEvent.subject_id == label_id)
    assert session.exec(audited).all() == ["label.delete"]


def test_the_console_speaks_english_to_a_hindi_browser(app):
    """Most console texts are not translated: a Hindi browser gets all of the console in English, not a mix;
    the payment page still answers in Hindi. (Asked of the locale selector in a fresh request: the test client
    shares the fixtures' app context, where Flask-Babel keeps the first request's locale.)"""
    hindi = {"Accept-Language": "hi-IN,hi;q=0.9"}
    with app.test_request_context("/console/labels", headers=hindi):
        assert select_locale() == "en"
    with app.test_request_context("/p/anything", headers=hindi):
        assert select_locale() == "hi"


@pytest.mark.parametrize(
    ("page", "field", "form", "cases"),
    [
        (PAGE, "title", REPLY_FORM, (str,)),
        ("/console/labels", "name", LABEL_FORM, (str,)),
        ("/console/labels", "name", LABEL_FORM, (str, str.upper, str.title, str.swapcase)),  # one label, any case
    ],
)
def test_the_same_reply_or_label_added_eight_times_at_once_is_saved_once(app, session, desk, page, field, form, cases):
    """Eight admins' clicks at the same instant: one is saved, the others are told it exists — never a 500.

    Each thread signs in and reads its form on its own (the test's app context would share one CSRF token)."""
    clients = [app.test_client() for _ in range(8)]
    start = threading.Barrier(len(clients))

    def add(n):
        login(clients[n], "boss@a.example")
        token = csrf(clients[n], page)
        start.wait()
        return clients[n].post(page, data={**form, field: cases[n % len(cases)](form[field]), "csrf_token": token})

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        statuses = sorted(response.status_code for response in pool.map(add, range(len(clients))))

    assert statuses == [302] + [422] * 7
    model = CannedReply if field == "title" else Label
    session.expire_all()
    saved = [getattr(row, field) for row in session.exec(select(model)).all()]
    assert [value.casefold() for value in saved].count(form[field].casefold()) == 1
