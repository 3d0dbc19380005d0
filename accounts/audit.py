"""The audit trail: who did what to which record."""

from __future__ import annotations

from sqlmodel import Session

from models import AuditEvent


def record_audit(
    *,
    session: Session,
    biller_id: int | None,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append an audit event; detail must hold no personal data (ids and counts, not phones)."""
    event = AuditEvent(
        biller_id=biller_id,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )
    session.add(event)
    return event
