"""One unit of work per request: operations flush, the request commits once.

- **Operations never commit.** They add and change rows in ``db.session`` (and ``flush()`` when
  they need an id). Audit events, outbox messages and search-index outbox rows join the same
  session, so they are saved exactly when the change they belong to is.
- **The request commits once**, after the view has answered (``_end_request``): any response
  below 500 (a page, a redirect, a 400 form page, a 404 after an audited refusal) commits what
  the request did, including the audit events written by the pages it read; a 500 rolls
  everything back. A failed commit rolls back and becomes a 500.
- **A failed operation is rolled back in one place**: every operation that changes data is
  decorated with :func:`operation`, which runs it inside a SAVEPOINT. If it raises, the savepoint
  is rolled back (the operation's rows are gone and the objects it touched are expired, so they
  reload as they were) and the exception goes on to the view, which shows the message. Work the
  request did before the operation (the audit event of the page it read) is kept and committed.
- **Commands and background loops commit at their own boundaries**: a ``flask ...`` command
  calls ``db.session.commit()`` when its work is done; a sender or follower loop commits each
  item it finishes. Each such commit says why in a comment.

SQLite needs care: the standard library driver (pysqlite) opens a transaction only just before
an INSERT, UPDATE or DELETE, so a SAVEPOINT sent while no transaction is open starts one, and its
RELEASE then commits it, outside the request's unit of work. :func:`savepoint` therefore opens
the transaction itself first, with ``BEGIN IMMEDIATE``: the operation is about to write, and
taking the write lock now (waiting up to the busy timeout) means a read inside the operation can
never be followed by a write that fails because another connection wrote in between.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, Response
from sqlalchemy.orm import Session

from signpost.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def init_app(app: Flask) -> None:
    """Commit each request's work once at its end, or roll it back on a server error.

    Registered before the other after-request hooks, so it runs after all of them (Flask runs
    them last-registered first) and anything they record is part of the commit.
    """
    app.after_request(_end_request)
    app.teardown_request(_discard_on_error)


def _end_request(response: Response) -> Response:
    session = db.session()
    if response.status_code >= 500:
        session.rollback()
        return response
    try:
        session.commit()
    except Exception:
        # Leave the session usable for the error page, then let Flask answer with a 500.
        session.rollback()
        raise
    return response


def _discard_on_error(error: BaseException | None) -> None:
    """An exception that escaped every handler: nothing the request did may be saved."""
    if error is not None:
        db.session.rollback()


@contextmanager
def savepoint(session: Session | None = None) -> Iterator[Session]:
    """Run a block inside a SAVEPOINT: kept (and flushed) if it finishes, undone if it raises.

    The enclosing transaction is not committed either way; the request (or the command) that
    owns it does that.
    """
    session = session or db.session()
    _open_transaction(session)
    with session.begin_nested():
        yield session


def operation(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a function as an operation that changes data: it runs in its own :func:`savepoint`.

    When it raises (a domain error with a message for the user, a permission refusal, a database
    error), everything it changed is rolled back before the exception reaches the caller, so a
    view can show the message and the rest of the request's work is still committed.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with savepoint():
            return func(*args, **kwargs)

    return run


def _open_transaction(session: Session) -> None:
    """Make sure a real database transaction is open before a SAVEPOINT (see the module notes)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return  # psycopg and the others begin a transaction with the first statement
    driver_connection = connection.connection.driver_connection
    if not getattr(driver_connection, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
