"""Customer endpoints: upsert by reference, read by reference."""

from __future__ import annotations

from flask import g, jsonify

from api import route
from api.auth import current_biller
from api.errors import parse_json_body
from api.retry import commit_as_retry_would
from billing.customers import customer_public, get_customer
from billing.schemas import CustomerIn, CustomerPublic
from models.db import get_session, utcnow
from workflows import api_key
from workflows.customers import upsert_customer


@route(
    "POST",
    "/customers",
    summary="Create or update a customer by reference",
    request=CustomerIn,
    response=CustomerPublic,
    status=201,
    other_statuses={200: "Updated: the customer already existed"},
)
def put_customer():
    """Create the customer (201) or update the fields sent (200)."""
    data = parse_json_body(CustomerIn)
    session = get_session()
    customer, created = commit_as_retry_would(
        lambda: upsert_customer(
            session=session, actor=api_key(g.api_key_id), now=utcnow(), biller=current_biller(), data=data
        )
    )
    body = customer_public(session=session, customer=customer).model_dump(mode="json")
    return jsonify(body), 201 if created else 200


@route("GET", "/customers/<reference>", summary="Read a customer", response=CustomerPublic)
def read_customer(reference: str):
    """The customer with this reference, including opted-out channels."""
    session = get_session()
    customer = get_customer(session=session, biller_id=current_biller().id, reference=reference)
    return jsonify(customer_public(session=session, customer=customer).model_dump(mode="json"))
