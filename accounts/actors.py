"""Who did it, in words: audit actors ('user:2', 'api_key:5') shown as an email or a key's name."""

from __future__ import annotations

from sqlmodel import Session, select

from models import ApiKey, User

PLAIN_ACTORS = {
    "cli": "command line",
    "customer": "the customer",
    "payment_webhook": "payment notice",
    "anonymous": "someone signing in",
    "job": "background job",
}


def actor_names(*, session: Session, actors: set[str]) -> dict[str, str]:
    """A readable name for each actor string; unknown ids stay as they are."""
    ids: dict[str, set[int]] = {"user": set(), "api_key": set()}
    for actor in actors:
        kind, _, number = actor.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    names = {actor: PLAIN_ACTORS.get(actor, actor.replace("_", " ")) for actor in actors}
    if ids["user"]:
        for user_id, email in session.exec(select(User.id, User.email).where(User.id.in_(ids["user"]))).all():
            names[f"user:{user_id}"] = email
    if ids["api_key"]:
        for key_id, name in session.exec(select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(ids["api_key"]))).all():
            names[f"api_key:{key_id}"] = f"API key “{name}”"
    return names
