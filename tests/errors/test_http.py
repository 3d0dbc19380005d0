"""A domain refusal answers a machine client in JSON and a person with a page (errors/http.py)."""

from __future__ import annotations

import pytest

from errors import Conflict


@pytest.fixture
def refusing_app(app):
    def refuse():
        raise Conflict("This bill is already paid", field="bill")

    app.add_url_rule("/console/refuse", "refuse_page", refuse)
    app.add_url_rule("/api/v1/refuse", "refuse_api", refuse)
    return app


def test_a_domain_error_on_a_page_renders_html_with_its_status(refusing_app):
    response = refusing_app.test_client().get("/console/refuse")
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "This bill is already paid" in response.get_data(as_text=True)


def test_a_domain_error_on_the_api_stays_json(refusing_app):
    response = refusing_app.test_client().get("/api/v1/refuse")
    assert response.status_code == 409
    assert response.json == {"error": {"code": "conflict", "message": "This bill is already paid", "field": "bill"}}
