"""The index outbox: one row per change that the search index still has to apply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from signpost.extensions import Model
from signpost.types import UTCDateTime, utcnow

OP_UPSERT = "upsert"
OP_DELETE = "delete"


class IndexOutbox(Model):
    """A service that changed, written in the same transaction as the change.

    The index applies rows in `seq` order after commit and records the last `seq` it applied
    inside the index itself, so a crash at any point loses nothing.
    """

    __tablename__ = "index_outbox"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    service_id: Mapped[str] = mapped_column(String(36), index=True)
    op: Mapped[str] = mapped_column(String(10), default=OP_UPSERT)  # "upsert" | "delete"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
