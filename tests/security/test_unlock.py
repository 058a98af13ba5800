"""The performance team unlocks a colleague locked out after failed log-ins."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from plans import roles
from tests.factories import make_organisation, make_user

PASSWORD = "correct horse battery staple"
PAGE = "/accounts/locked-out/"


def person(username, organisation=None):
    """A colleague at the test council (or ``organisation``): the performance team unlocks its own people."""
    user = make_user(username, roles.OFFICER, organisation=organisation)
    user.set_password(PASSWORD)
    user.save()
    return user


def fail(username, times, address="10.0.0.7"):
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "guess"})
    return client


@pytest.fixture
def locked_out(db):
    """j.smith, locked out after five failures from 10.0.0.7."""
    person("j.smith")
    client = fail("j.smith", 5)
    assert client.post("/accounts/login/", {"username": "j.smith", "password": PASSWORD}).status_code == 429
    return client


def test_anonymous_visitors_go_to_the_login_page(client, locked_out):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    assert client.post(PAGE, {"username": "j.smith"}).status_code == 302
    assert AccessAttempt.objects.filter(username="j.smith").exists()


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_other_roles_are_refused_and_unlock_nothing(client_as, locked_out, role):
    client = client_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"username": "j.smith"}).status_code == 403
    assert AccessAttempt.objects.filter(username="j.smith").exists()
    assert not AuditEvent.objects.filter(kind="unlock").exists()


def test_only_the_performance_team_holds_the_permission(db):
    holders = Group.objects.filter(permissions__codename="unlock_accounts")
    assert [group.name for group in holders] == [roles.PERFORMANCE]


def test_the_page_lists_only_usernames_locked_out_now(client_as, locked_out):
    fail("a.jones", 3)  # three failures: not locked out
    fail("b.brown", 5, address="10.0.0.8")
    # b.brown's lock began twenty minutes ago and has ended (the cool-off is 15 minutes).
    AccessAttempt.objects.filter(username="b.brown").update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=20)
    )
    page = client_as("performance").get(PAGE)
    assert page.status_code == 200
    locked = [lock.username for lock in page.context["locked_out"]]
    assert locked == ["j.smith"]
    body = page.content.decode()
    assert "10.0.0.7" in body
    assert "a.jones" not in body and "b.brown" not in body


def test_the_performance_team_unlocks_and_the_colleague_logs_in_again(client_as, locked_out):
    performance = client_as("performance")
    response = performance.post(PAGE, {"username": "j.smith"}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    body = response.content.decode()
    assert "j.smith is unlocked and can log in again now." in body
    assert "Nobody is locked out." in body

    event = AuditEvent.objects.get(kind="unlock")
    assert event.username == "test-performance"
    assert event.details == {"unlocked": "j.smith", "addresses": ["10.0.0.7"]}

    # The same browser, from the same address, is let in at once.
    again = locked_out.post("/accounts/login/", {"username": "j.smith", "password": PASSWORD})
    assert again.status_code == 302


def test_unlocking_someone_no_longer_locked_out_says_so_and_records_nothing(client_as, locked_out):
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = client_as("performance").post(PAGE, {"username": "j.smith"}, follow=True)
    assert "j.smith is not locked out: the lock has ended or someone has unlocked it." in (
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(kind="unlock").exists()


def test_the_menu_links_to_the_page_for_the_performance_team_only(client_as, db):
    assert f'href="{PAGE}"' in client_as("performance").get("/").content.decode()
    assert f'href="{PAGE}"' not in client_as("officer").get("/").content.decode()


def test_a_person_of_another_council_is_neither_listed_nor_unlocked(client_as, locked_out):
    person("k.other", organisation=make_organisation("elsewhere"))
    fail("k.other", 5)
    performance = client_as("performance")
    page = performance.get(PAGE)
    assert [lock.username for lock in page.context["locked_out"]] == ["j.smith"]
    assert "k.other" not in page.content.decode()
    performance.post(PAGE, {"username": "k.other"})
    assert AccessAttempt.objects.filter(username="k.other").exists()
    assert not AuditEvent.objects.filter(kind="unlock").exists()
