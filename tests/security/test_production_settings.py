"""The production environment (DEBUG off, the README's variables set) passes Django's deployment
checks and sends the security headers. Run in a subprocess: settings are read once, at start."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY_VARIABLES = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}

HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
client = Client()
out = {}
for path in ["/accounts/login/", "/healthz"]:
    secure = client.get(path, secure=True)
    out[path] = {"status": secure.status_code, "headers": dict(secure.headers),
                 "cookies": {k: dict(v) for k, v in secure.cookies.items()}}
plain = client.get("/accounts/login/")
out["plain"] = {"status": plain.status_code, "location": plain.headers.get("Location", "")}
out["plain-healthz"] = {"status": client.get("/healthz").status_code}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    env = {
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is a test-only switch, never set in production.
        **{k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "plans.example.gov.uk,testserver",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "DJANGO_SETTINGS_MODULE": "improvement.settings",
    }
    run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    return env


def run(args, env, check=True):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check, timeout=120
    )


def test_check_deploy_is_clean_with_the_production_environment(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env, check=False)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_the_demo_environment(production_env):
    # The same check on the demo settings (DEBUG on, demo key) must fail: the test above can fail.
    env = {**production_env, "DEBUG": "true"}
    env.pop("SECRET_KEY")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, check=False)
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(production_env):
    env = {k: v for k, v in production_env.items() if k != "SECRET_KEY"}
    result = run(["manage.py", "check"], env, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.fixture(scope="module")
def responses(production_env):
    return json.loads(run(["-c", HEADERS_SCRIPT], production_env).stdout)


def test_pages_send_the_security_headers(responses):
    login = responses["/accounts/login/"]
    assert login["status"] == 200
    headers = login["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_cookies_are_secure_and_http_only(responses):
    csrf = responses["/accounts/login/"]["cookies"]["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https(responses):
    assert responses["plain"]["status"] == 301
    assert responses["plain"]["location"] == "https://testserver/accounts/login/"


def test_healthz_answers_in_production(responses):
    assert responses["/healthz"]["status"] == 200
    assert responses["/healthz"]["headers"]["Content-Security-Policy"]
    # A load balancer checks over plain http: not redirected to https.
    assert responses["plain-healthz"]["status"] == 200


def test_postgresql_connections_are_persistent_and_health_checked(production_env):
    # What lets the app recover by itself after a PostgreSQL restart (bench/faults.py shows it).
    env = {**production_env, "DATABASE_URL": "postgres://improvement@127.0.0.1:5432/improvement"}
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps([db['ENGINE'], db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
    )
    assert json.loads(run(["-c", script], env).stdout) == ["django.db.backends.postgresql", 60, True]
