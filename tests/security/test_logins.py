"""Log-in throttling (django-axes), the audit of log-ins, sessions and the admin's login."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer(db):
    user = make_user("j.smith")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_login_is_audited_with_user_and_address(client, officer):
    response = log_in(client, "j.smith", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="login")
    assert event.user == officer
    assert event.username == "j.smith"
    assert event.ip_address == "127.0.0.1"


def test_a_failed_login_is_audited_without_the_password(client, officer):
    response = log_in(client, "j.smith", "wrong password")
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    event = AuditEvent.objects.get(kind="login-failed")
    assert event.user is None
    assert event.username == "j.smith"
    assert "wrong password" not in str(event.details)


def test_a_logout_is_audited(client, officer):
    log_in(client, "j.smith", PASSWORD)
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(kind="logout", user=officer).count() == 1


def test_five_failures_lock_the_login_out_even_with_the_right_password(client, officer, settings):
    for _ in range(5):
        log_in(client, "j.smith", "guess")
    locked = log_in(client, "j.smith", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind="lockout", username="j.smith").exists()
    # The five failures and the refused attempt during the lockout.
    assert AuditEvent.objects.filter(kind="login-failed", username="j.smith").count() == 6


def test_the_lockout_ends_after_the_cool_off(client, officer, settings):
    from axes.models import AccessAttempt

    for _ in range(5):
        log_in(client, "j.smith", "guess")
    # Fifteen minutes later (the default cool-off), the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert log_in(client, "j.smith", PASSWORD).status_code == 302


def test_a_lockout_does_not_lock_out_another_user(client, officer):
    other = make_user("a.jones")
    other.set_password(PASSWORD)
    other.save()
    for _ in range(5):
        log_in(client, "j.smith", "guess")
    assert log_in(client, "a.jones", PASSWORD).status_code == 302


def test_a_session_ends_after_a_working_day_without_a_request(client, officer):
    log_in(client, "j.smith", PASSWORD)
    session = Session.objects.get()
    hours = (session.expire_date - timezone.now()).total_seconds() / 3600
    assert 7.9 < hours <= 8
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_working_pushes_the_session_expiry_on(client, officer, monkeypatch):
    log_in(client, "j.smith", PASSWORD)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=30))
    # A request within five minutes of the last save does not write the session again...
    client.get("/")
    hours = (Session.objects.get().expire_date - timezone.now()).total_seconds() / 3600
    assert hours < 0.6
    # ...one more than five minutes later moves the expiry a working day on.
    later = time.time() + 6 * 60
    monkeypatch.setattr("improvement.sessions.time.time", lambda: later)
    client.get("/")
    hours = (Session.objects.get().expire_date - timezone.now()).total_seconds() / 3600
    assert hours > 7.9


def test_the_admin_uses_the_site_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/"


def test_a_logged_in_user_without_admin_access_gets_403_from_the_admin(client_as):
    client = client_as("officer")
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_staff_reach_the_admin_after_the_site_login(client, db):
    admin = make_user("root", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    response = client.post(
        "/accounts/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_short_and_common_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["demo", "password1234", "12345678901234"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password(PASSWORD)
