"""Production settings, checked the way an operator meets them: in a fresh process whose
environment says ``BUURTBASIS_ENV=production`` (settings are read once, at start-up)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
MANAGE = str(PROJECT_DIR / "manage.py")


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """The environment of a production process, isolated from the developer's own settings:
    a strong random key, one host, and a throw-away SQLite file (no DATABASE_URL)."""
    test_only = {"DATABASE_URL", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        {
            "BUURTBASIS_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "buurtbasis.example.nl",
            "BUURTBASIS_VAR_DIR": str(tmp_path),
            "SQLITE_PATH": str(tmp_path / "production.sqlite3"),
            "PYTHONPATH": str(PROJECT_DIR / "src"),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_no_issues(tmp_path: Path) -> None:
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_a_weak_key(tmp_path: Path) -> None:
    """The check above can fail: a short key is reported (security.W009)."""
    result = run(
        [MANAGE, "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path, SECRET_KEY="too-short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize("secret_key", [None, ""])
def test_production_refuses_to_start_without_secret_key(
    tmp_path: Path, secret_key: str | None
) -> None:
    result = run([MANAGE, "check"], production_env(tmp_path, SECRET_KEY=secret_key))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_allows_no_host_without_allowed_hosts(tmp_path: Path) -> None:
    """Without ALLOWED_HOSTS, production has no hosts at all (no silent wildcard)."""
    result = run(
        ["-c", "import django; django.setup(); from django.conf import settings; "
         "print(repr(settings.ALLOWED_HOSTS), settings.DEBUG)"],
        production_env(tmp_path, ALLOWED_HOSTS=None),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] False"


# Fetches pages with Django's test client inside a production process. Static files are
# served from the plain storage here because ``collectstatic`` (which builds the manifest the
# production storage needs) is a deployment step, not part of these settings.
FETCH = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
call_command("migrate", verbosity=0)
plain = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
out = {}
with override_settings(STORAGES=plain):
    client = Client(HTTP_HOST="buurtbasis.example.nl")
    for name, secure in (("https", True), ("http", False)):
        r = client.get("/", secure=secure)
        out[name] = {
            "status": r.status_code,
            "headers": dict(r.headers),
            "body": r.content.decode(),
        }
json.dump(out, sys.stdout)
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp_path = tmp_path_factory.mktemp("production")
    result = run(["-c", FETCH], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_production_redirects_plain_http_to_https(production_responses: dict[str, Any]) -> None:
    response = production_responses["http"]
    assert response["status"] == 301
    assert response["headers"]["Location"] == "https://buurtbasis.example.nl/"


def test_production_sends_hsts(production_responses: dict[str, Any]) -> None:
    response = production_responses["https"]
    assert response["status"] == 200
    hsts = response["headers"]["Strict-Transport-Security"]
    max_age = int(hsts.split(";")[0].removeprefix("max-age="))
    assert max_age >= 60 * 60 * 24 * 365
    assert "includeSubDomains" in hsts


def test_production_sends_a_strict_csp(production_responses: dict[str, Any]) -> None:
    response = production_responses["https"]
    csp = response["headers"]["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Scripts and styles come from our own origin, or inline with this response's nonce (only
    # present when the page used one).
    for directive in ("script-src", "style-src"):
        assert all(s == "'self'" or s.startswith("'nonce-") for s in directives[directive])


def test_production_cookies_and_framing(production_responses: dict[str, Any]) -> None:
    headers = production_responses["https"]["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    body = production_responses["https"]["body"]
    assert 'lang="nl"' in body
    assert "style=" not in body


def test_collectstatic_finds_the_projects_own_static_files() -> None:
    """Every file under src/buurtbasis/static is found by the static finders, so
    ``collectstatic`` puts it in the production manifest (a missing entry is a 500 on every
    page in production)."""
    from django.contrib.staticfiles import finders

    static_dir = PROJECT_DIR / "src" / "buurtbasis" / "static"
    files = [p.relative_to(static_dir).as_posix() for p in static_dir.rglob("*") if p.is_file()]
    assert files
    missing = [name for name in files if finders.find(name) is None]
    assert not missing
