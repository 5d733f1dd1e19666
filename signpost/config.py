"""Settings: what each one means, its default, and how a value from outside is checked.

Values are layered: the defaults below, then ``instance/config.py``, then environment variables
(``FLASK_<NAME>``, plus ``DATABASE_URL``), then the ``test_config`` passed to ``create_app``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """A setting is missing or cannot be understood; start-up stops with this message."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: type
    help: str
    check: Callable[[Any], bool] | None = None
    check_message: str = ""
    allow_empty: bool = False  # an empty string is a meaningful value (e.g. "no map tiles")


def _positive(value: Any) -> bool:
    return value > 0


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        DEFAULT_SECRET_KEY,
        str,
        "Signs session cookies and tokens. Must be set to a long random value in production.",
    ),
    Setting(
        "SQLALCHEMY_DATABASE_URI",
        None,
        str,
        "Database URL. Default: a SQLite file in the instance folder. `DATABASE_URL` sets it too.",
    ),
    Setting(
        "SEARCH_INDEX_DIR",
        None,
        str,
        "Folder for the Whoosh search index. Default: `instance/search-index`.",
    ),
    Setting(
        "SEARCH_APPLY_INLINE",
        True,
        bool,
        "Apply search index changes straight after each commit. Turn off on nodes where "
        "`flask search follow` does it instead.",
    ),
    Setting("SITE_NAME", "Signpost", str, "The service's name, shown in page titles and headers."),
    Setting(
        "PHONE_LINE_NUMBER", "01632 960 123", str, "The phone line's number shown on public pages."
    ),
    Setting("TIMEZONE", "Europe/London", str, "Local time zone for opening hours and follow-ups."),
    Setting(
        "REVIEW_INTERVAL_DAYS",
        365,
        int,
        "How long after a person checks a listing it falls due for review again.",
        _positive,
        "must be a whole number of days above zero",
    ),
    Setting("SQLITE_WAL", True, bool, "Use write-ahead logging for SQLite (readers never wait)."),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        str,
        "Where rate-limit counters live: `memory://` or `redis://host:6379`.",
    ),
    # Staff accounts and sign-in (signpost/accounts).
    Setting(
        "SESSION_IDLE_MINUTES",
        30,
        int,
        "A staff session ends after this many minutes without a request.",
        _positive,
        "must be a whole number of minutes above zero",
    ),
    Setting(
        "LOCKOUT_THRESHOLD",
        5,
        int,
        "Failed sign-in attempts in a row before an account is locked for a while.",
        _positive,
        "must be a whole number above zero",
    ),
    Setting(
        "LOCKOUT_MINUTES",
        15,
        int,
        "How long an account stays locked after too many failures.",
        _positive,
        "must be a whole number of minutes above zero",
    ),
    Setting(
        "SIGN_IN_LIMIT_PER_ACCOUNT",
        "10 per 5 minutes",
        str,
        "Throttle on sign-in attempts for one email address (Flask-Limiter syntax).",
    ),
    Setting(
        "SIGN_IN_LIMIT_PER_ADDRESS",
        "30 per 5 minutes",
        str,
        "Throttle on sign-in, code and reset attempts from one network address.",
    ),
    Setting(
        "PASSWORD_RESET_MINUTES",
        60,
        int,
        "How long a password-reset link stays valid.",
        _positive,
        "must be a whole number of minutes above zero",
    ),
    Setting(
        "INVITATION_HOURS",
        72,
        int,
        "How long an invitation link stays valid.",
        _positive,
        "must be a whole number of hours above zero",
    ),
    Setting(
        "ARGON2_TIME_COST",
        3,
        int,
        "argon2id passes over memory when hashing a password.",
        _positive,
        "must be a whole number above zero",
    ),
    Setting(
        "ARGON2_MEMORY_COST",
        65536,
        int,
        "argon2id memory per password hash, in KiB.",
        lambda v: v >= 8,
        "must be at least 8 (KiB)",
    ),
    Setting(
        "ARGON2_PARALLELISM",
        4,
        int,
        "argon2id lanes per password hash.",
        _positive,
        "must be a whole number above zero",
    ),
    Setting(
        "MAP_TILE_URL",
        "",
        str,
        "Map tile URL template, e.g. `https://tiles.example.org/{z}/{x}/{y}.png`. Empty: no map "
        "tiles, results are shown as a list only.",
        allow_empty=True,
    ),
    Setting(
        "MAP_TILE_ATTRIBUTION",
        "",
        str,
        "Credit shown on maps for the tile server (required by most tile licences).",
        allow_empty=True,
    ),
    Setting(
        "DEFAULT_CHANNEL",
        "web",
        str,
        "Channel counted for searches when none is set by `?channel=`: `web`, `champion`, "
        "`access_point` or `popup` (set `access_point` on a library's kiosk).",
        lambda v: v in {"web", "champion", "access_point", "popup"},
        "must be one of web, champion, access_point, popup",
    ),
    Setting(
        "AUDIT_RETENTION_DAYS",
        2190,
        int,
        "How long audit events are kept before `flask audit prune` deletes them (default six "
        "years; your information governance lead decides).",
        _positive,
        "must be a whole number of days above zero",
    ),
    Setting(
        "MESSAGE_TRANSPORT",
        "log",
        str,
        "How queued messages are delivered: `log` (a file; development), `smtp` or `notify`.",
        lambda v: v in {"log", "smtp", "notify"},
        "must be one of log, smtp, notify",
    ),
    Setting(
        "MESSAGE_LOG_PATH",
        None,
        str,
        "File the `log` transport appends to. Default: `instance/messages.log`.",
    ),
    Setting(
        "MESSAGE_LOG_BODIES",
        False,
        bool,
        "Write message text (and full recipient) to the message log. Development only: it "
        "puts personal details in a file.",
    ),
    Setting(
        "MESSAGE_MAX_ATTEMPTS",
        8,
        int,
        "Delivery attempts before a message is marked dead.",
        _positive,
        "must be a whole number above zero",
    ),
    Setting(
        "MESSAGE_RETRY_BASE_SECONDS",
        60,
        int,
        "Wait after the first failed attempt; doubles after each further failure (max 6 hours).",
        _positive,
        "must be a whole number of seconds above zero",
    ),
    Setting("SMTP_HOST", "localhost", str, "Mail server for the `smtp` transport."),
    Setting(
        "SMTP_PORT",
        25,
        int,
        "Mail server port (587 with STARTTLS is usual).",
        _positive,
        "must be a port number",
    ),
    Setting("SMTP_USERNAME", "", str, "Mail server user name; empty for none.", allow_empty=True),
    Setting("SMTP_PASSWORD", "", str, "Mail server password; empty for none.", allow_empty=True),
    Setting("SMTP_STARTTLS", False, bool, "Upgrade the mail server connection with STARTTLS."),
    Setting("SMTP_FROM", "signpost@localhost", str, "The From address of every email."),
    Setting(
        "NOTIFY_API_KEY",
        "",
        str,
        "GOV.UK Notify API key for the `notify` transport.",
        allow_empty=True,
    ),
    Setting(
        "NOTIFY_EMAIL_TEMPLATE_ID",
        "",
        str,
        "Notify email template with ((subject)) and ((body)) fields.",
        allow_empty=True,
    ),
    Setting(
        "NOTIFY_SMS_TEMPLATE_ID",
        "",
        str,
        "Notify text message template with a ((body)) field.",
        allow_empty=True,
    ),
    Setting(
        "NOTIFY_BASE_URL",
        "https://api.notifications.service.gov.uk",
        str,
        "GOV.UK Notify API address (change only for testing).",
    ),
    Setting(
        "PREFERRED_URL_SCHEME",
        "http",
        str,
        "Scheme for absolute links in messages (`https` in production).",
    ),
    # Social prescribing (prescribing/).
    Setting(
        "PRESCRIBING_REQUIRED_MEASURES",
        "swemwbs",
        str,
        "Baseline wellbeing measures a guided conversation must record: any of `swemwbs`, "
        "`ons4`, `profile`, comma-separated; empty for none.",
        allow_empty=True,
    ),
    Setting(
        "PRESCRIBING_CONTACT_ATTEMPTS",
        3,
        int,
        "Unsuccessful contact attempts needed before a referral can close as unable to contact.",
        _positive,
        "must be a whole number above zero",
    ),
    Setting(
        "PRESCRIBING_CONTACT_DAYS",
        14,
        int,
        "The attempts must span at least this many days before unable to contact.",
        lambda v: v >= 0,
        "must be a whole number of days, zero or more",
    ),
    Setting(
        "PRESCRIBING_SELF_REFERRAL_LIMIT",
        "5 per hour",
        str,
        "Throttle on the public ask-for-help form from one network address (Flask-Limiter syntax).",
    ),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def default_config(app: Flask) -> dict[str, Any]:
    """Defaults, with the paths that depend on the instance folder filled in."""
    values = {s.name: s.default for s in SETTINGS}
    values["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
        app.instance_path, "signpost.db"
    )
    values["SEARCH_INDEX_DIR"] = os.path.join(app.instance_path, "search-index")
    values["MESSAGE_LOG_PATH"] = os.path.join(app.instance_path, "messages.log")
    values["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    return values


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _coerce(setting: Setting, value: Any) -> Any:
    if isinstance(value, setting.kind) and not (setting.kind is int and isinstance(value, bool)):
        return value
    if setting.kind is bool and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
    if setting.kind is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    kind_words = {str: "text", int: "a whole number", bool: "true or false"}[setting.kind]
    raise ConfigError(f"Setting {setting.name} must be {kind_words}; got {value!r}.")


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Layer defaults, instance/config.py, environment and test_config, then check the result."""
    app.config.from_mapping(default_config(app))
    try:
        app.config.from_pyfile("config.py", silent=True)
    except Exception as exc:  # a syntax error or bad import in the operator's file
        raise ConfigError(f"instance/config.py could not be read: {exc}") from exc
    app.config.from_prefixed_env("FLASK")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.from_mapping(test_config)
    check_config(app)


def check_config(app: Flask) -> None:
    """Coerce and validate every known setting; refuse an unsafe production start."""
    for setting in SETTINGS:
        value = app.config.get(setting.name)
        if setting.allow_empty and value == "":
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ConfigError(f"Setting {setting.name} is missing or empty: {setting.help}")
        value = _coerce(setting, value)
        if setting.check and not setting.check(value):
            raise ConfigError(f"Setting {setting.name} {setting.check_message}; got {value!r}.")
        app.config[setting.name] = value
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise ConfigError(
            "Setting SECRET_KEY still has the development default. Set FLASK_SECRET_KEY (or "
            "SECRET_KEY in instance/config.py) to a long random value, or run with --debug locally."
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        os.makedirs(app.instance_path, exist_ok=True)
