"""The audit log: record who saw or changed what; search it; prune it by policy."""

from signpost.audit.models import AuditEvent
from signpost.audit.operations import AuditLogImmutable, record_event

__all__ = ["AuditEvent", "AuditLogImmutable", "record_event"]
