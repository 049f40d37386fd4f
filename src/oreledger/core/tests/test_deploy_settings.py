"""Production mode is locked down: `check --deploy` is clean and bad settings stop startup."""

import os
import subprocess
import sys


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser fixture for the test process only.
    dropped = ("DEBUG", "OL_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in dropped and k != "OL_MODE"}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "oreledger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path) -> None:
    # given a production configuration
    result = _run(
        {
            "OL_MODE": "production",
            "SECRET_KEY": "k" * 20 + "x9Y!z" * 8,
            "ALLOWED_HOSTS": "ledger.example",
            "OL_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    # then Django's deployment checklist finds nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start(tmp_path) -> None:
    result = _run(
        {"OL_MODE": "production", "ALLOWED_HOSTS": "x", "OL_VAR_DIR": str(tmp_path)}, "check"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when OL_MODE=production" in result.stderr


def test_bad_boolean_refuses_to_start(tmp_path) -> None:
    result = _run({"OL_DEBUG": "sometimes", "OL_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "OL_DEBUG='sometimes' is not a boolean" in result.stderr


def test_embedded_mode_runs_without_debug_pages_unless_the_developer_switch_is_set(
    tmp_path,
) -> None:
    # given the embedded mode (what `oreledger demo` and `make demo` run), with and without
    # the developer switch
    show = [
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print('DEBUG', settings.DEBUG)",
    ]
    plain = _run({"OL_VAR_DIR": str(tmp_path)}, *show)
    switched = _run({"OL_VAR_DIR": str(tmp_path), "OL_DEBUG": "true"}, *show)
    # then only the switch turns debug pages on
    assert (plain.returncode, plain.stdout.split()) == (0, ["DEBUG", "False"]), plain.stderr
    assert (switched.returncode, switched.stdout.split()) == (0, ["DEBUG", "True"])


def test_a_bad_setting_stops_the_process_with_one_line_naming_it(tmp_path) -> None:
    # given a mode that does not exist
    result = _run({"OL_MODE": "staging", "OL_VAR_DIR": str(tmp_path)}, "check")
    # then the process stops with one line that names the setting, and no traceback
    assert result.returncode == 2
    assert result.stderr == (
        "oreledger: configuration error: OL_MODE='staging' is not one of embedded, production\n"
    )


def test_production_refuses_a_wildcard_host(tmp_path) -> None:
    result = _run(
        {
            "OL_MODE": "production",
            "SECRET_KEY": "k" * 20 + "x9Y!z" * 8,
            "ALLOWED_HOSTS": "ledger.example,*",
            "OL_VAR_DIR": str(tmp_path),
        },
        "check",
    )
    assert result.returncode == 2
    assert result.stderr == (
        "oreledger: configuration error: ALLOWED_HOSTS must not be * when OL_MODE=production\n"
    )
