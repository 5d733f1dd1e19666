"""Settings are layered, checked, and a bad one stops start-up with its name."""

from __future__ import annotations

import pytest

from signpost import create_app
from signpost.config import SETTINGS, ConfigError


def _config(tmp_path, **kw):
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "ix"),
        **kw,
    }


def test_refuses_default_secret_key_outside_debug_and_testing(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(_config(tmp_path))


def test_default_secret_key_is_allowed_when_testing(tmp_path):
    app = create_app(_config(tmp_path, TESTING=True))
    assert app.config["SECRET_KEY"]


def test_environment_overrides_defaults_and_test_config_overrides_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("FLASK_SITE_NAME", "Living Well Directory")
    monkeypatch.setenv("FLASK_PHONE_LINE_NUMBER", "01632 960 999")
    app = create_app(_config(tmp_path, TESTING=True, PHONE_LINE_NUMBER="01632 960 111"))
    assert app.config["SITE_NAME"] == "Living Well Directory"
    assert app.config["PHONE_LINE_NUMBER"] == "01632 960 111"


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SITE_NAME = 'From the instance file'\n")
    from flask import Flask

    from signpost.config import load_config

    app = Flask(
        "signpost_instance_test", instance_path=str(instance), instance_relative_config=True
    )
    app.testing = True
    load_config(app, None)
    assert app.config["SITE_NAME"] == "From the instance file"


def test_database_url_environment_variable_selects_psycopg_driver(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/signpost")
    from flask import Flask

    from signpost.config import load_config

    app = Flask("signpost_db_url_test", instance_path=str(tmp_path))
    app.testing = True
    load_config(app, {"SEARCH_INDEX_DIR": str(tmp_path)})
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/signpost"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REVIEW_INTERVAL_DAYS", "soon", "REVIEW_INTERVAL_DAYS must be a whole number"),
        (
            "REVIEW_INTERVAL_DAYS",
            "0",
            "REVIEW_INTERVAL_DAYS must be a whole number of days above zero",
        ),
        ("SQLITE_WAL", "maybe", "SQLITE_WAL must be true or false"),
        ("SITE_NAME", "", "SITE_NAME is missing or empty"),
    ],
)
def test_unreadable_setting_stops_start_up_naming_it(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv(f"FLASK_{name}", value)
    with pytest.raises(ConfigError, match=message):
        create_app(_config(tmp_path, TESTING=True))


def test_broken_instance_config_file_is_reported(tmp_path):
    from flask import Flask

    from signpost.config import load_config

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SITE_NAME = (\n")
    app = Flask(
        "signpost_broken_instance", instance_path=str(instance), instance_relative_config=True
    )
    with pytest.raises(ConfigError, match="instance/config.py could not be read"):
        load_config(app, None)


def test_every_setting_is_documented_in_the_configuration_page():
    from signpost import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in page]
    assert missing == [], f"docs/configuration.md's settings table lacks: {missing}"
