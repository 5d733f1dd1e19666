"""The messaging outbox: queue email and text messages in a transaction; a sender delivers them."""

from signpost.messaging.models import Channel, MessageStatus, OutboxMessage
from signpost.messaging.operations import InvalidMessage, queue_email, queue_sms

__all__ = [
    "Channel",
    "InvalidMessage",
    "MessageStatus",
    "OutboxMessage",
    "queue_email",
    "queue_sms",
]
