"""Run by test_search_sync in a subprocess: apply the outbox slowly so the test can kill it.

Usage: python -m tests.search_crash_worker DB_URL INDEX_DIR MODE   (MODE: seed | apply)
"""

from __future__ import annotations

import sys
import time

from signpost import create_app
from signpost.extensions import db


def main(db_url: str, index_dir: str, mode: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SEARCH_INDEX_DIR": index_dir,
            "SEARCH_APPLY_INLINE": False,
        }
    )
    with app.app_context():
        if mode == "seed":
            from directory.models import Organization, Service

            db.create_all()
            org = Organization(name="Crash test trust")
            for n in range(60):
                db.session.add(
                    Service(organization=org, name=f"Crash club {n}", description="A club.")
                )
            db.session.commit()
            return
        from search_index import sync

        sync.BATCH = 5
        original = sync.write_services

        def slow_write(writer, session, ids):  # noqa: ANN001, ANN202
            written = original(writer, session, ids)
            print("batch", flush=True)
            time.sleep(0.3)
            return written

        sync.write_services = slow_write
        sync.apply_pending(app, wait=True)
        print("finished", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
