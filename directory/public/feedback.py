"""Tell us: reports of wrong information and suggestions of new services, kept for editors.

Models and operations together because both are small; the moderation screens (a later issue)
read these same records.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models import Service
from signpost.extensions import db
from signpost.types import UTCDateTime, new_id, utcnow
from signpost.unit_of_work import operation

ID = String(36)


class FeedbackError(ValueError):
    """The report or suggestion cannot be stored as given (the message says why)."""


class ProblemReport(db.Model):
    """Someone told us a listing is wrong."""

    __tablename__ = "problem_report"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="SET NULL"), index=True
    )
    service_name: Mapped[str] = mapped_column(String(255), default="")  # kept if the service goes
    problem: Mapped[str] = mapped_column(Text)
    reply_email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)  # new, done
    channel: Mapped[str] = mapped_column(String(20), default="web")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    service: Mapped[Service | None] = relationship()


class ServiceSuggestion(db.Model):
    """Someone suggested a service we do not list yet."""

    __tablename__ = "service_suggestion"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255))
    organisation: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    where: Mapped[str | None] = mapped_column(String(255))
    how_to_contact: Mapped[str | None] = mapped_column(Text)
    reply_email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _clean(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


@operation
def report_problem(
    service: Service, problem: str, *, reply_email: str | None = None, channel: str = "web"
) -> ProblemReport:
    """Store a report that a listing is wrong, for an editor to check."""
    problem = _clean(problem, 5000)
    if not problem:
        raise FeedbackError("Tell us what is wrong with this page.")
    report = ProblemReport(
        service=service,
        service_name=service.name,
        problem=problem,
        reply_email=_clean(reply_email, 255) or None,
        channel=channel,
    )
    db.session.add(report)
    return report


@operation
def suggest_service(
    *,
    name: str,
    description: str,
    organisation: str | None = None,
    where: str | None = None,
    how_to_contact: str | None = None,
    reply_email: str | None = None,
    channel: str = "web",
) -> ServiceSuggestion:
    """Store a suggestion of a new service, for an editor to follow up."""
    name, description = _clean(name, 255), _clean(description, 5000)
    if not name:
        raise FeedbackError("Enter the name of the service.")
    if not description:
        raise FeedbackError("Tell us what the service does.")
    suggestion = ServiceSuggestion(
        name=name,
        description=description,
        organisation=_clean(organisation, 255) or None,
        where=_clean(where, 255) or None,
        how_to_contact=_clean(how_to_contact, 2000) or None,
        reply_email=_clean(reply_email, 255) or None,
        channel=channel,
    )
    db.session.add(suggestion)
    return suggestion


def recent_feedback(limit: int = 100) -> tuple[list[ProblemReport], list[ServiceSuggestion]]:
    """Newest reports and suggestions first, for the staff list."""
    reports = db.session.scalars(
        select(ProblemReport).order_by(ProblemReport.created_at.desc()).limit(limit)
    ).all()
    suggestions = db.session.scalars(
        select(ServiceSuggestion).order_by(ServiceSuggestion.created_at.desc()).limit(limit)
    ).all()
    return list(reports), list(suggestions)
