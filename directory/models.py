"""The community asset directory, shaped on Open Referral UK 3.0.

Table and column names follow the standard where it has one. What Signpost adds (moderation,
review dates, delivery modes, referral route, import provenance) is marked "ours" and stays out
of the ORUK API unless the profile has a field for it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.vocabulary import (
    AccessibilityFeature,
    DeliveryMode,
    ModerationState,
    ReferralRoute,
    ServiceStatus,
)
from signpost.extensions import db
from signpost.types import UTCDateTime, new_id, utcnow, value_enum

ID = String(36)


class TimestampedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When any field last changed (ORUK last_modified); not the same as assured_date.
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SourcedMixin:
    """Ours: where an imported record came from, so a re-import updates instead of duplicating."""

    source: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(200))


class Organization(SourcedMixin, TimestampedMixin, db.Model):
    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_organization_source"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    legal_status: Mapped[str | None] = mapped_column(String(100))
    registration_number: Mapped[str | None] = mapped_column(String(50))  # charity number etc.
    uri: Mapped[str | None] = mapped_column(String(500))

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")
    phones: Mapped[list[Phone]] = relationship(back_populates="organization")


service_taxonomy_term = db.Table(
    "service_taxonomy_term",
    db.Column("service_id", ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    db.Column(
        "taxonomy_term_id",
        ID,
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Service(SourcedMixin, TimestampedMixin, db.Model):
    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_service_source"),
        # The public listing (ORUK /api/services): approved services in (name, id) order, with
        # status and ages in the index too, so counting and paging never read the table.
        Index(
            "ix_service_public_listing",
            "moderation_state",
            "name",
            "id",
            "status",
            "minimum_age",
            "maximum_age",
        ),
        # Is this service public? Answered from the index for each member of a large set of
        # ids (the ORUK API's day, time and taxonomy filters), without reading the table.
        Index("ix_service_id_public", "id", "moderation_state", "status"),
        # How many public services suit these ages: counted from this narrow index alone.
        Index("ix_service_public_ages", "moderation_state", "status", "minimum_age", "maximum_age"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(300), default="")  # ours: the one-line summary
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ServiceStatus] = mapped_column(
        value_enum(ServiceStatus, "service_status"), default=ServiceStatus.ACTIVE
    )
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)  # how to get it, in words
    fees_description: Mapped[str | None] = mapped_column(Text)
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)  # ours: the "free only" filter
    accreditations: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    alert: Mapped[str | None] = mapped_column(Text)
    referral_route: Mapped[ReferralRoute] = mapped_column(
        value_enum(ReferralRoute, "referral_route"), default=ReferralRoute.SELF_REFER
    )
    # When a person last confirmed the record is right (ORUK assured_date), and who.
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(255))
    review_due: Mapped[date | None] = mapped_column(Date, index=True)  # ours
    moderation_state: Mapped[ModerationState] = mapped_column(
        value_enum(ModerationState, "moderation_state"), default=ModerationState.APPROVED
    )

    organization: Mapped[Organization] = relationship(back_populates="services")
    delivery_modes: Mapped[list[ServiceDeliveryMode]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        order_by="(Schedule.weekday, Schedule.opens_at)",
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    cost_options: Mapped[list[CostOption]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    languages: Mapped[list[Language]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    fundings: Mapped[list[Funding]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    taxonomy_terms: Mapped[list[TaxonomyTerm]] = relationship(secondary=service_taxonomy_term)

    @property
    def is_public(self) -> bool:
        return self.moderation_state == ModerationState.APPROVED and self.status in (
            ServiceStatus.ACTIVE,
            ServiceStatus.TEMPORARILY_CLOSED,
        )

    @property
    def modes(self) -> set[DeliveryMode]:
        return {m.mode for m in self.delivery_modes}

    @property
    def locations(self) -> list[Location]:
        return [sal.location for sal in self.service_at_locations]


class ServiceDeliveryMode(db.Model):
    """Ours: how a service is delivered (in person, phone, online, home visit)."""

    __tablename__ = "service_delivery_mode"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[DeliveryMode] = mapped_column(
        value_enum(DeliveryMode, "delivery_mode"), primary_key=True
    )
    service: Mapped[Service] = relationship(back_populates="delivery_modes")


class Location(SourcedMixin, TimestampedMixin, db.Model):
    __tablename__ = "location"
    __table_args__ = (
        Index("ix_location_lat_lon", "latitude", "longitude"),
        UniqueConstraint("source", "source_id", name="uq_location_source"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), index=True)
    location_type: Mapped[str] = mapped_column(String(20), default="physical")
    name: Mapped[str | None] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(db.Float)
    longitude: Mapped[float | None] = mapped_column(db.Float)
    external_identifier: Mapped[str | None] = mapped_column(String(100))  # e.g. a UPRN
    external_identifier_type: Mapped[str | None] = mapped_column(String(50))

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    accessibility: Mapped[list[Accessibility]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(back_populates="location")

    @property
    def address(self) -> Address | None:
        return self.addresses[0] if self.addresses else None

    @property
    def postcode(self) -> str | None:
        return self.address.postal_code if self.address else None


class Address(db.Model):
    __tablename__ = "address"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255), default="")
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str | None] = mapped_column(String(100))
    state_province: Mapped[str] = mapped_column(String(100), default="")  # ORUK: the county
    postal_code: Mapped[str] = mapped_column(String(10), default="", index=True)
    country: Mapped[str] = mapped_column(String(2), default="GB")
    address_type: Mapped[str] = mapped_column(String(20), default="physical")

    location: Mapped[Location] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        parts = [self.address_1, self.address_2, self.city, self.postal_code]
        return ", ".join(p for p in parts if p)


class ServiceAtLocation(db.Model):
    __tablename__ = "service_at_location"
    __table_args__ = (
        UniqueConstraint("service_id", "location_id", name="uq_sal_service_location"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship()


class Schedule(db.Model):
    """One weekly opening span: a weekday (0 = Monday) from opens_at to closes_at.

    A span that closes at or before it opens runs past midnight into the next day.
    """

    __tablename__ = "schedule"
    # "Which services are open on this day / at this time" (the ORUK API's day and time filters)
    # answered from the index alone.
    __table_args__ = (
        Index("ix_schedule_day_times", "weekday", "service_id", "opens_at", "closes_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)  # e.g. "term time only", "first Tuesday"
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/London")

    service: Mapped[Service] = relationship(back_populates="schedules")

    WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

    @property
    def weekday_name(self) -> str:
        return self.WEEKDAYS[self.weekday]

    @property
    def byday(self) -> str:
        return self.BYDAY[self.weekday]

    @property
    def crosses_midnight(self) -> bool:
        return self.closes_at <= self.opens_at


class ServiceArea(db.Model):
    """A place a phone, online or home-visit service covers: an outcode, a local authority, or all."""

    __tablename__ = "service_area"
    __table_args__ = (Index("ix_service_area_type_code", "area_type", "code"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str | None] = mapped_column(Text)
    # ours: "outcode" (PE30), "local_authority" (a GSS code such as E07000146), or "national".
    area_type: Mapped[str] = mapped_column(String(20), default="outcode")
    code: Mapped[str] = mapped_column(String(20), default="")
    uri: Mapped[str | None] = mapped_column(String(500))

    service: Mapped[Service] = relationship(back_populates="service_areas")


class CostOption(db.Model):
    __tablename__ = "cost_option"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    amount_description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="cost_options")


class Language(db.Model):
    __tablename__ = "language"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(10))  # ISO 639
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="languages")


class Accessibility(db.Model):
    __tablename__ = "accessibility"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    feature: Mapped[AccessibilityFeature | None] = mapped_column(
        value_enum(AccessibilityFeature, "accessibility_feature")
    )  # ours: the filterable code
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))

    location: Mapped[Location] = relationship(back_populates="accessibility")


class Contact(db.Model):
    __tablename__ = "contact"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))

    service: Mapped[Service | None] = relationship(back_populates="contacts")
    phones: Mapped[list[Phone]] = relationship(back_populates="contact")


class Phone(db.Model):
    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), index=True)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(50))
    extension: Mapped[str | None] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(20))  # voice, text, textphone, fax
    description: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization | None] = relationship(back_populates="phones")
    service: Mapped[Service | None] = relationship(back_populates="phones")
    location: Mapped[Location | None] = relationship(back_populates="phones")
    contact: Mapped[Contact | None] = relationship(back_populates="phones")


class Funding(db.Model):
    __tablename__ = "funding"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="fundings")


class Taxonomy(db.Model):
    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(50))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy")


class TaxonomyTerm(db.Model):
    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code", name="uq_taxonomy_term_code"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    taxonomy_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy_term.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    term_uri: Mapped[str | None] = mapped_column(String(500))
    # ours: a URL-friendly name for browse pages, e.g. "lunch-clubs"
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)

    taxonomy: Mapped[Taxonomy | None] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[TaxonomyTerm]] = relationship(
        back_populates="parent", order_by="TaxonomyTerm.name"
    )

    def ancestors(self) -> list[TaxonomyTerm]:
        """Parent first, then its parent, up to the root."""
        chain: list[TaxonomyTerm] = []
        node = self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class ChangeRecord(db.Model):
    """ORUK 'metadata': one changed field of one record, who changed it and when."""

    __tablename__ = "metadata"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(ID, index=True)
    resource_type: Mapped[str] = mapped_column(String(50))
    last_action_date: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_action_type: Mapped[str] = mapped_column(String(20))  # create, update, delete
    field_name: Mapped[str] = mapped_column(String(100), default="")
    previous_value: Mapped[str] = mapped_column(Text, default="")
    replacement_value: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(255), default="")
