"""Use cases: one function per business action, the only thing a route, bot handler, command or job calls.

Every workflow takes `*, session, actor, now`: the session it works in (it flushes; its caller commits), who
acts (an `Actor`, written to the audit log as "user:7", "api_key:3", "customer", "cli", "system"…) and the
instant, read once at the edge. Below the workflows, the domain packages import only downward; the layers
are written as import-linter contracts in .importlinter and checked by `make lint`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who does something: a console user, an API key, the customer (through the bot), a command or the system."""

    kind: str
    id: int | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind

    @classmethod
    def parse(cls, name: str) -> Actor:
        """The actor an audit name stands for ("api_key:3" → Actor("api_key", 3)), e.g. as a job's params keep it."""
        kind, _, number = name.partition(":")
        return cls(kind, int(number)) if number.isdigit() else cls(name)

    @property
    def user_id(self) -> int | None:
        """The console user's id when a person at the console acts, else None."""
        return self.id if self.kind == "user" else None


CUSTOMER = Actor("customer")
SYSTEM = Actor("system")


def user(user_id: int) -> Actor:
    """A signed-in console user."""
    return Actor("user", user_id)


def api_key(key_id: int) -> Actor:
    """A biller's system calling the API with one of its keys."""
    return Actor("api_key", key_id)
