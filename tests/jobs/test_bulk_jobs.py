"""Large imports and bulk notifications answer 202 and run as jobs whose report equals the synchronous answer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event
from sqlmodel import func, select

from jobs.runner import JobRunner
from jobs.store import queue_job
from models import Bill, OutboundMessage, PaymentLink
from models.jobs import Job
from tests.builders import bill_payload
from tests.jobs.conftest import answer_in_background, answer_synchronously, import_csv

NOW = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)


def post_import(client, api, data: bytes, *, partial: bool = False):
    url = "/api/v1/bills/import" + ("?partial=true" if partial else "")
    return client.post(url, data=data, content_type="text/csv", headers=api.headers)


def count(session, model, **where) -> int:
    session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.exec(query).one()


def test_large_import_is_queued_and_its_report_equals_the_synchronous_answer(app, client, api, other_api, session):
    data = import_csv(40, bad_lines=(3, 17))
    answer_synchronously(app)
    synchronous = post_import(client, other_api, data, partial=True)
    assert synchronous.status_code == 200
    answer_in_background(app)

    response = post_import(client, api, data, partial=True)

    assert response.status_code == 202
    location = response.headers["Location"]
    assert location == f"/api/v1/jobs/{response.json['id']}"
    queued = client.get(location, headers=api.headers).json
    assert queued["kind"] == "bills.import"
    assert queued["status"] == "queued"
    assert queued["progress"] == {"done": 0, "total": 40}
    assert queued["report"] is None
    assert count(session, Bill, biller_id=api.biller.id) == 0

    assert JobRunner(app).run(once=True) == 1

    finished = client.get(location, headers=api.headers).json
    assert finished["status"] == "succeeded"
    assert finished["progress"] == {"done": 40, "total": 40}
    assert finished["report"] == synchronous.json
    assert finished["report"]["imported"] == 38
    assert count(session, Bill, biller_id=api.biller.id) == 38


def test_refused_large_import_fails_with_the_422_body_and_imports_nothing(app, client, api, session):
    data = import_csv(30, bad_lines=(5,))
    answer_synchronously(app)
    synchronous = post_import(client, api, data)
    assert synchronous.status_code == 422
    answer_in_background(app)

    location = post_import(client, api, data).headers["Location"]
    JobRunner(app).run(once=True)

    job = client.get(location, headers=api.headers).json
    assert job["status"] == "failed"
    assert job["report"] == synchronous.json
    assert job["report"]["error"]["code"] == "invalid_rows"
    assert count(session, Bill) == 0
    assert count(session, PaymentLink) == 0


def test_small_import_is_still_answered_at_once(client, api):
    response = post_import(client, api, import_csv(3))
    assert response.status_code == 200
    assert response.json["imported"] == 3


def test_another_billers_job_is_not_found(app, client, api, other_api):
    location = post_import(client, api, import_csv(10)).headers["Location"]
    JobRunner(app).run(once=True)

    refused = client.get(location, headers=other_api.headers)
    assert refused.status_code == 404
    assert refused.json["error"]["field"] == "id"
    assert client.get("/api/v1/jobs/999999", headers=api.headers).status_code == 404
    assert client.get(location).status_code == 401


def test_bulk_notify_finds_every_bill_in_one_query(app, client, api):
    references = [f"N-{n}" for n in range(4)]
    for reference in references:
        client.post("/api/v1/bills", json=bill_payload(reference=reference), headers=api.headers)
    answer_synchronously(app)
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_):
        statements.append(statement)

    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        csv_text = "reference\n" + "\n".join([*references, "N-404"]) + "\n"
        response = client.post("/api/v1/bills/notify", data=csv_text, content_type="text/csv", headers=api.headers)
    finally:
        event.remove(engine, "before_cursor_execute", remember)

    assert response.status_code == 200
    assert response.json["queued"] == 4
    assert [r["status"] for r in response.json["results"]] == ["queued"] * 4 + ["refused"]
    lookups = [s for s in statements if "FROM bills" in s and "reference" in s.split("WHERE", 1)[-1]]
    assert len(lookups) == 1


def test_large_bulk_notify_runs_as_a_job_with_the_same_results(app, client, api, session):
    references = [f"N-{n}" for n in range(6)]
    for reference in references:
        client.post("/api/v1/bills", json=bill_payload(reference=reference), headers=api.headers)
    csv_text = "reference\n" + "\n".join([*references, "N-404"]) + "\n"
    answer_synchronously(app)
    synchronous = client.post("/api/v1/bills/notify", data=csv_text, content_type="text/csv", headers=api.headers)
    answer_in_background(app)

    response = client.post("/api/v1/bills/notify", data=csv_text, content_type="text/csv", headers=api.headers)
    assert response.status_code == 202
    JobRunner(app).run(once=True)

    job = client.get(response.headers["Location"], headers=api.headers).json
    assert (job["kind"], job["status"]) == ("bills.notify", "succeeded")
    assert job["report"] == synchronous.json
    assert count(session, OutboundMessage) == 12


def test_bulk_notify_job_without_a_reference_column_fails_naming_the_file(app, client, api):
    csv_text = "bill\n" + "\n".join(f"N-{n}" for n in range(10)) + "\n"
    response = client.post("/api/v1/bills/notify", data=csv_text, content_type="text/csv", headers=api.headers)
    JobRunner(app).run(once=True)

    job = client.get(response.headers["Location"], headers=api.headers).json
    assert job["status"] == "failed"
    assert job["report"] == {"error": {"code": "invalid", "message": "needs a 'reference' column", "field": "file"}}


def test_openapi_describes_the_202_answers_and_the_jobs_route(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/bills/import", "/bills/notify"):
        accepted = document["paths"][path]["post"]["responses"]["202"]
        assert "Location" in accepted["headers"]
        assert accepted["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/JobPublic"
    assert "200" in document["paths"]["/jobs/{id}"]["get"]["responses"]
    assert document["components"]["schemas"]["JobPublic"]["properties"]["status"]["enum"] == [
        "queued",
        "running",
        "succeeded",
        "failed",
    ]


def test_a_job_that_keeps_raising_is_retried_then_failed_without_stopping_the_runner(app, client, api, session):
    poison = queue_job(session=session, biller_id=api.biller.id, kind="bills.unknown", payload=b"x", params={}, now=NOW)
    session.commit()
    location = post_import(client, api, import_csv(10)).headers["Location"]

    JobRunner(app).run(once=True)

    session.expire_all()
    failed = session.get(Job, poison.id)
    assert failed.status == "failed"
    assert failed.attempts == app.extensions["settings"].job_max_attempts + 1
    assert failed.report["error"]["code"] == "job_failed"
    assert client.get(location, headers=api.headers).json["status"] == "succeeded"
