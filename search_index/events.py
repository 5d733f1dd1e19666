"""Session events that keep the search index in step, so callers need do nothing special.

Before each flush, every change to a service or anything shown in its index document appends an
`IndexOutbox` row to the same transaction. After commit, pending rows are applied at once (unless
``SEARCH_APPLY_INLINE`` is off, when ``flask search follow`` applies them).

Bulk ``UPDATE``/``DELETE`` statements bypass the ORM and so bypass these events: write an outbox
row yourself (``queue_service``) or run ``flask search rebuild`` after them.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from directory.models import (
    Accessibility,
    Address,
    CostOption,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceDeliveryMode,
    TaxonomyTerm,
    service_taxonomy_term,
)
from search_index.models import OP_DELETE, OP_UPSERT, IndexOutbox
from signpost.types import new_id

log = logging.getLogger(__name__)

PENDING_KEY = "search_index_outbox_pending"
_SERVICE_CHILDREN = (Schedule, ServiceAtLocation, ServiceArea, ServiceDeliveryMode, CostOption)
_LOCATION_CHILDREN = (Address, Accessibility)
_registered = False


def _service_id(session: Session, service: Service | None, service_id: str | None) -> str | None:
    if service is not None:
        if service.id is None:
            service.id = new_id()  # the column default would only apply at insert
        return service.id
    return service_id


def _location_service_ids(
    session: Session, location: Location | None, location_id: str | None
) -> set[str]:
    if location is not None:
        if location in session.new:
            return set()  # nothing in the database points at it yet
        location_id = location.id
    if not location_id:
        return set()
    return set(
        session.scalars(
            select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location_id)
        )
    )


def _term_service_ids(session: Session, term: TaxonomyTerm) -> set[str]:
    # A term's name is indexed with every service that has it or any term below it.
    ids, frontier = {term.id}, [term.id]
    while frontier:
        frontier = [
            t
            for t in session.scalars(
                select(TaxonomyTerm.id).where(TaxonomyTerm.parent_id.in_(frontier))
            )
            if t not in ids
        ]
        ids.update(frontier)
    col = service_taxonomy_term.c
    return set(session.scalars(select(col.service_id).where(col.taxonomy_term_id.in_(ids))))


def _affected(session: Session, obj: Any, is_new: bool) -> set[str]:
    """Service ids whose index document `obj` appears in."""
    if isinstance(obj, Service):
        sid = _service_id(session, obj, None)
        return {sid} if sid else set()
    if isinstance(obj, _SERVICE_CHILDREN):
        sid = _service_id(session, obj.service, obj.service_id)
        return {sid} if sid else set()
    if isinstance(obj, Location):
        return set() if is_new else _location_service_ids(session, obj, None)
    if isinstance(obj, _LOCATION_CHILDREN):
        return _location_service_ids(session, obj.location, obj.location_id)
    if isinstance(obj, Organization):
        if is_new:
            return set()
        return set(session.scalars(select(Service.id).where(Service.organization_id == obj.id)))
    if isinstance(obj, TaxonomyTerm):
        return set() if is_new else _term_service_ids(session, obj)
    return set()


def _changed(session: Session, obj: Any) -> bool:
    """Whether a dirty object really changed something its services' documents show."""
    if isinstance(obj, Service):
        return session.is_modified(obj)  # includes the taxonomy_terms link
    state = inspect(obj)
    if isinstance(obj, Organization):
        return state.attrs.name.history.has_changes()
    if isinstance(obj, TaxonomyTerm):
        return any(state.attrs[a].history.has_changes() for a in ("name", "parent_id", "parent"))
    return session.is_modified(obj, include_collections=False)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    ops: dict[str, str] = {}
    with session.no_autoflush:
        for obj in list(session.new):
            for sid in _affected(session, obj, is_new=True):
                ops.setdefault(sid, OP_UPSERT)
        for obj in list(session.dirty):
            if _changed(session, obj):
                for sid in _affected(session, obj, is_new=False):
                    ops.setdefault(sid, OP_UPSERT)
        for obj in list(session.deleted):
            if isinstance(obj, Service):
                ops[obj.id] = OP_DELETE
            else:
                for sid in _affected(session, obj, is_new=False):
                    ops.setdefault(sid, OP_UPSERT)
    if not ops:
        return
    for sid, op in ops.items():
        session.add(IndexOutbox(service_id=sid, op=op))
    session.info[PENDING_KEY] = True


def queue_service(session: Session, service_id: str, op: str = OP_UPSERT) -> None:
    """Queue a service for re-indexing by hand (after a bulk SQL statement)."""
    session.add(IndexOutbox(service_id=service_id, op=op))
    session.info[PENDING_KEY] = True


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: the rows are not committed until the real commit
    if not session.info.pop(PENDING_KEY, False) or not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SEARCH_APPLY_INLINE", True):
        return
    from search_index.sync import apply_pending

    try:
        apply_pending(app)
    except Exception:  # the change is committed and queued; `follow` or the next commit retries
        log.exception("Applying search index changes failed; they stay queued in index_outbox.")


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # only a SAVEPOINT: rows queued before it may still be committed
    session.info.pop(PENDING_KEY, None)


def register() -> None:
    """Listen on every SQLAlchemy session (once per process)."""
    global _registered
    if _registered:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _registered = True
