"""Settings read the environment through typed helpers that fail loudly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from oreledger.config.env import Env, debug_mode


def test_bool_accepts_the_usual_spellings_and_refuses_others() -> None:
    # given an environment with a mistyped boolean
    env = Env({"A": "yes", "B": "0", "C": "maybe"})
    # then the good ones parse and the bad one is refused with its name in the message
    assert env.bool("A", default=False) is True
    assert env.bool("B", default=True) is False
    with pytest.raises(ImproperlyConfigured, match="C='maybe' is not a boolean"):
        env.bool("C", default=False)


def test_int_refuses_text_and_values_below_the_minimum() -> None:
    env = Env({"N": "12", "BAD": "twelve", "LOW": "0"})
    assert env.int("N", 1) == 12
    assert env.int("MISSING", 7) == 7
    with pytest.raises(ImproperlyConfigured, match="BAD='twelve' is not an integer"):
        env.int("BAD", 1)
    with pytest.raises(ImproperlyConfigured, match="LOW=0 must be at least 1"):
        env.int("LOW", 1, minimum=1)


def test_str_requires_a_value_and_checks_choices() -> None:
    env = Env({"MODE": "cloud"})
    with pytest.raises(ImproperlyConfigured, match="SECRET must be set"):
        env.str("SECRET")
    with pytest.raises(
        ImproperlyConfigured, match="MODE='cloud' is not one of embedded, production"
    ):
        env.str("MODE", "embedded", choices=("embedded", "production"))


def test_database_defaults_to_sqlite_with_wal_and_immediate_transactions(tmp_path) -> None:
    config = Env({}).database("DATABASE_URL", tmp_path / "x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in config["OPTIONS"]["init_command"]
    assert "PRAGMA busy_timeout=30000;" in config["OPTIONS"]["init_command"]


def test_database_url_for_postgres_and_refusal_of_other_engines(tmp_path) -> None:
    pg = Env({"DATABASE_URL": "postgres://ol:pw@db.example:5432/ledger"}).database(
        "DATABASE_URL", tmp_path / "x"
    )
    assert (pg["ENGINE"], pg["NAME"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "ledger",
        "db.example",
        5432,
    )
    with pytest.raises(ImproperlyConfigured, match="only postgres:// and sqlite://"):
        Env({"DATABASE_URL": "mysql://u@h/db"}).database("DATABASE_URL", tmp_path / "x")


def test_postgres_may_prepare_the_statements_that_ask_unless_a_pooler_forbids(tmp_path) -> None:
    url = {"DATABASE_URL": "postgres://ol@db.example/ledger"}
    # given the default, then psycopg may prepare (Django would otherwise disable it)
    config = Env(url).database("DATABASE_URL", tmp_path / "x")
    assert config["OPTIONS"] == {"prepare_threshold": 2**31 - 1}
    # given a transaction-mode pooler in front, then nothing is prepared
    pooled = Env({**url, "OL_DB_PREPARE": "false"}).database("DATABASE_URL", tmp_path / "x")
    assert pooled["OPTIONS"] == {}


def test_list_splits_on_commas() -> None:
    assert Env({"H": "a.example, b.example,,"}).list("H", []) == ["a.example", "b.example"]


def test_debug_is_off_unless_switched_on_and_never_in_production() -> None:
    # given the developer switch unset, set, set in production, and the old DEBUG variable
    assert debug_mode(Env({}), production=False) is False
    assert debug_mode(Env({"OL_DEBUG": "true"}), production=False) is True
    assert debug_mode(Env({"OL_DEBUG": "false"}), production=True) is False
    with pytest.raises(ImproperlyConfigured, match="OL_DEBUG must be false when OL_MODE"):
        debug_mode(Env({"OL_DEBUG": "true"}), production=True)
    with pytest.raises(ImproperlyConfigured, match="DEBUG is not read: set OL_DEBUG=true"):
        debug_mode(Env({"DEBUG": "true"}), production=False)
