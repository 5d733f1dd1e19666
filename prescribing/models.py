"""Social prescribing records: the person, their referral and everything done for them.

Everything here is personal data: read and change it only through `prescribing.operations`,
which checks need-to-know permissions and writes the audit trail. The vocabularies (sources,
outcomes, goal results...) are in `prescribing.vocabulary`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from prescribing.vocabulary import (
    CloseOutcome,
    ContactMethod,
    ContactOutcome,
    ContactPreference,
    GoalStatus,
    MeasureKind,
    MeasureStage,
    OnwardKind,
    ReferralSource,
    SuggestionStatus,
    Urgency,
)
from prescribing.workflow import FollowUpKind, ReferralState
from signpost.extensions import db
from signpost.types import UTCDateTime, utcnow, value_enum


class Person(db.Model):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_match", "family_name", "date_of_birth"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    postcode: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_contact: Mapped[ContactPreference] = mapped_column(
        value_enum(ContactPreference, "contact_preference", 20, check=True),
        default=ContactPreference.PHONE,
    )
    contact_notes: Mapped[str | None] = mapped_column(Text)  # e.g. best times to call
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referrals: Mapped[list[Referral]] = relationship(
        back_populates="person", foreign_keys="Referral.person_id"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Referral(db.Model):
    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_state_received", "state", "received_at"),
        # The worklists' questions ("open referrals in my team / mine, urgent first, oldest
        # first"): the page's ids and the count come from these indexes without reading rows.
        Index("ix_referral_team_queue", "team_id", "state", "urgency", "received_at"),
        Index(
            "ix_referral_coordinator_queue",
            "coordinator_id",
            "state",
            "urgency",
            "received_at",
            "team_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    source: Mapped[ReferralSource] = mapped_column(value_enum(ReferralSource, "referral_source"))
    referring_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("referring_organisation.id"), index=True
    )
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    referrer_name: Mapped[str | None] = mapped_column(String(200))  # for referrers without accounts
    referrer_email: Mapped[str | None] = mapped_column(String(254))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    what_person_wants: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[Urgency] = mapped_column(
        value_enum(Urgency, "urgency"), default=Urgency.ROUTINE
    )
    risks: Mapped[str | None] = mapped_column(Text)
    person_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[ReferralState] = mapped_column(
        value_enum(ReferralState, "referral_state"), default=ReferralState.RECEIVED
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[CloseOutcome | None] = mapped_column(value_enum(CloseOutcome, "close_outcome"))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    safeguarding_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    possible_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Who keyed the referral in (a referrer, a call handler, a coordinator; None for self-referral).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # First interaction with the person: when SNOMED CT 871731000000106 applies (once per episode).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="referrals", foreign_keys=[person_id])
    reasons: Mapped[list[ReferralReason]] = relationship(cascade="all, delete-orphan")
    state_changes: Mapped[list[StateChange]] = relationship(
        cascade="all, delete-orphan", order_by="StateChange.at"
    )
    contact_attempts: Mapped[list[ContactAttempt]] = relationship(
        cascade="all, delete-orphan", order_by="ContactAttempt.at"
    )
    conversations: Mapped[list[Conversation]] = relationship(
        cascade="all, delete-orphan", order_by="Conversation.held_on"
    )
    goals: Mapped[list[Goal]] = relationship(cascade="all, delete-orphan")
    measures: Mapped[list[Measure]] = relationship(
        cascade="all, delete-orphan", order_by="Measure.taken_on"
    )
    suggested_services: Mapped[list[SuggestedService]] = relationship(cascade="all, delete-orphan")
    onward_referrals: Mapped[list[OnwardReferral]] = relationship(cascade="all, delete-orphan")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        cascade="all, delete-orphan", order_by="FollowUp.due_on"
    )


class ReferralReason(db.Model):
    """One coded reason for the referral (the codes are in `prescribing.reasons`)."""

    __tablename__ = "referral_reason"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class StateChange(db.Model):
    __tablename__ = "referral_state_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[ReferralState | None] = mapped_column(
        value_enum(ReferralState, "from_state")
    )
    to_state: Mapped[ReferralState] = mapped_column(value_enum(ReferralState, "to_state"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)


class ContactAttempt(db.Model):
    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[ContactMethod] = mapped_column(
        value_enum(ContactMethod, "contact_method", 20, check=True)
    )
    outcome: Mapped[ContactOutcome] = mapped_column(
        value_enum(ContactOutcome, "contact_outcome", 30, check=True)
    )
    successful: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Conversation(db.Model):
    """The guided conversation: what matters to the person, their needs and goals."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    who_was_there: Mapped[str | None] = mapped_column(Text)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    share_with: Mapped[str | None] = mapped_column(Text)
    what_matters: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)  # life-area names
    notes: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Goal(db.Model):
    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)  # in the person's own words
    status: Mapped[GoalStatus] = mapped_column(
        value_enum(GoalStatus, "goal_status", 20, check=True), default=GoalStatus.OPEN
    )
    reviewed_on: Mapped[date | None] = mapped_column(Date)


class Measure(db.Model):
    """One completed wellbeing measure. `answers` holds the item answers as given."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MeasureKind] = mapped_column(value_enum(MeasureKind, "measure_kind"))
    stage: Mapped[MeasureStage] = mapped_column(value_enum(MeasureStage, "measure_stage"))
    taken_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw_score: Mapped[int | None] = mapped_column(Integer)  # SWEMWBS raw total
    metric_score: Mapped[float | None] = mapped_column(Float)  # SWEMWBS metric score
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class SuggestedService(db.Model):
    """A directory service suggested to the person (signposting), and what came of it."""

    __tablename__ = "suggested_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"), index=True)
    status: Mapped[SuggestionStatus] = mapped_column(
        value_enum(SuggestionStatus, "suggestion_status", check=True),
        default=SuggestionStatus.SUGGESTED,
    )
    not_taken_up_reason: Mapped[str | None] = mapped_column(Text)
    accompanied_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    buddy: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OnwardReferral(db.Model):
    __tablename__ = "onward_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OnwardKind] = mapped_column(value_enum(OnwardKind, "onward_kind"))
    notes: Mapped[str | None] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class FollowUp(db.Model):
    """A scheduled three-week check or six-week review; `cycle` counts repeat cycles from 1.

    `team_id` is a copy of the referral's team (kept in step by `_keep_follow_up_teams` below),
    so the team's due and overdue lists are read from an index without joining every open
    follow-up in the service to its referral.
    """

    __tablename__ = "follow_up"
    # The reminders job asks "not reminded, not done, due by today"; led by reminder_sent_at so
    # the planner never prefers it to the team indexes for the worklists.
    __table_args__ = (
        Index("ix_follow_up_reminders", "reminder_sent_at", "done_on", "due_on"),
        Index(
            "ix_follow_up_team_due", "team_id", "done_on", "due_on", "window_closes", "referral_id"
        ),
        Index(
            "ix_follow_up_team_closes",
            "team_id",
            "done_on",
            "window_closes",
            "due_on",
            "referral_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))  # the referral's team
    kind: Mapped[FollowUpKind] = mapped_column(value_enum(FollowUpKind, "follow_up_kind"))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    due_on: Mapped[date] = mapped_column(Date)
    window_opens: Mapped[date] = mapped_column(Date)
    window_closes: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    other_support_needed: Mapped[bool | None] = mapped_column(Boolean)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Read-only way back to the referral, for worklists that list follow-ups.
    referral: Mapped[Referral] = relationship(viewonly=True)


@event.listens_for(Session, "before_flush")
def _keep_follow_up_teams(session: Session, flush_context: Any, instances: Any) -> None:
    """Copy each referral's team onto its follow-ups whenever either side changes.

    Covers assignment and reassignment (the referral's team changes), follow-ups planned on a
    referral, and follow-ups added on their own with only a `referral_id`.
    """
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Referral):
            state = inspect(obj)
            if (
                state.pending
                or state.attrs.team_id.history.has_changes()
                or state.attrs.follow_ups.history.has_changes()
            ):
                for follow_up in obj.follow_ups:
                    if follow_up.team_id != obj.team_id:
                        follow_up.team_id = obj.team_id
        elif isinstance(obj, FollowUp) and obj.team_id is None and obj.referral_id is not None:
            referral = session.get(Referral, obj.referral_id)
            if referral is not None:
                obj.team_id = referral.team_id
