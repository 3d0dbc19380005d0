"""Bearer API keys: every /api/v1 request acts for exactly one biller."""

from __future__ import annotations

from flask import g, request

from billing.billers import authenticate_api_key, note_api_key_use
from errors.http import ApiError
from models import Biller
from models.db import get_session, utcnow


def authenticate_request() -> None:
    """Find the biller behind the request's API key, or refuse with 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiError(401, "unauthorized", "Send your API key as 'Authorization: Bearer <key>'")
    session = get_session()
    api_key = authenticate_api_key(session=session, presented=presented.strip())
    if api_key is None:
        raise ApiError(401, "unauthorized", "The API key is not valid or has been revoked")
    if note_api_key_use(session=session, api_key=api_key, now=utcnow()):
        session.commit()  # before the route runs: a refused request still counts as the key's use
    g.api_key_id = api_key.id
    g.biller = session.get(Biller, api_key.biller_id)


def current_biller() -> Biller:
    """The biller the authenticated API key belongs to."""
    return g.biller
