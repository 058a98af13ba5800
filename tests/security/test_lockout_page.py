"""The lockout page says how long is left, from django-axes's record, and sends Retry-After."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.utils import timezone

from accounts.lockouts import lock_ends
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer(db):
    user = make_user("j.smith")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, password, username="j.smith"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def fail_five_times(client):
    for _ in range(4):
        assert log_in(client, "guess").status_code == 200
    return log_in(client, "guess")


def minutes_ago(minutes):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes))


def test_the_fifth_failure_shows_the_whole_cool_off_left(client, officer):
    locked = fail_five_times(client)
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.content.decode()
    assert 895 <= int(locked.headers["Retry-After"]) <= 900


def test_coming_back_later_shows_the_minutes_still_left_and_the_time(client, officer):
    fail_five_times(client)
    minutes_ago(1)
    locked = log_in(client, PASSWORD)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Try again in 14 minutes" in body
    assert 835 <= int(locked.headers["Retry-After"]) <= 840
    until = timezone.localtime(AccessAttempt.objects.get().attempt_time + datetime.timedelta(minutes=15))
    assert f"refused until {until:%H:%M}" in body


def test_a_try_during_the_lockout_does_not_start_the_wait_again(client, officer):
    fail_five_times(client)
    minutes_ago(10)
    assert "Try again in 5 minutes" in log_in(client, PASSWORD).content.decode()
    assert "Try again in 5 minutes" in log_in(client, "another guess").content.decode()
    minutes_ago(5)
    assert log_in(client, PASSWORD).status_code == 302


def test_seconds_left_are_rounded_up_to_one_minute(client, officer):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14, seconds=50))
    locked = log_in(client, PASSWORD)
    assert "Try again in 1 minute</h2>" in locked.content.decode()
    assert 1 <= int(locked.headers["Retry-After"]) <= 10


def test_failures_from_two_browsers_end_when_the_older_ones_age_out():
    now = timezone.now()
    cool_off = datetime.timedelta(minutes=15)
    # Three failures in Firefox ten minutes ago, two in Edge a minute ago: five, so locked; the
    # lock ends when the Firefox row ages out, five minutes from now.
    rows = [(now - datetime.timedelta(minutes=10), 3), (now - datetime.timedelta(minutes=1), 2)]
    assert lock_ends(rows, limit=5, cool_off=cool_off) == now + datetime.timedelta(minutes=5)
    # Five in Edge alone: the lock runs from Edge's latest failure.
    rows = [(now - datetime.timedelta(minutes=10), 3), (now - datetime.timedelta(minutes=1), 5)]
    assert lock_ends(rows, limit=5, cool_off=cool_off) == now + datetime.timedelta(minutes=14)
    assert lock_ends([(now, 4)], limit=5, cool_off=cool_off) is None
