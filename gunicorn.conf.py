"""gunicorn settings for Signpost, read by ``gunicorn wsgi:app`` run from the project folder.

Options on the command line (``-w``, ``-b``...) or in ``GUNICORN_CMD_ARGS`` still apply; this
file only readies each new worker before it takes requests (see `signpost.warmup`).
"""

from typing import Any


def post_worker_init(worker: Any) -> None:
    from signpost.warmup import warm_up

    warm_up(worker.wsgi)
