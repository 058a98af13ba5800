"""Password-reset requests are limited per email address and per client address each hour; over
the limit the page is the same and no email is sent."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import PasswordResetRequest
from audit.models import AuditEvent
from tests.factories import make_user

RESET = "/accounts/password_reset/"
DONE = "/accounts/password_reset/done/"


@pytest.fixture
def officer(db):
    return make_user("j.smith", email="j.smith@bromsgrove.gov.uk")


def ask(client, email):
    return client.post(RESET, {"email": email})


def test_three_requests_an_hour_for_one_address_then_the_same_page_but_no_email(client, officer):
    for n in range(1, 4):
        response = ask(client, "j.smith@bromsgrove.gov.uk")
        assert response.status_code == 302 and response.headers["Location"] == DONE
        assert len(mail.outbox) == n
    # The fourth, typed differently: the same address, so refused; the answer is unchanged.
    refused = ask(client, "J.Smith@Bromsgrove.gov.uk")
    assert refused.status_code == 302 and refused.headers["Location"] == DONE
    assert len(mail.outbox) == 3

    event = AuditEvent.objects.get(kind="reset-throttled")
    assert event.ip_address == "127.0.0.1"
    assert event.details["email"] == "J.Smith@Bromsgrove.gov.uk"
    assert event.details["requests_for_email"] == 4


def test_the_page_after_a_refused_request_is_the_page_for_an_unknown_address(client, officer):
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    for _ in range(3):
        ask(client, "j.smith@bromsgrove.gov.uk")
    refused = client.post(RESET, {"email": "j.smith@bromsgrove.gov.uk"}, follow=True)
    assert refused.redirect_chain == unknown.redirect_chain == [(DONE, 302)]
    assert refused.content == unknown.content


def test_ten_requests_an_hour_from_one_client_address(client, officer):
    for n in range(10):
        ask(client, f"someone{n}@example.org")
    assert ask(client, "j.smith@bromsgrove.gov.uk").headers["Location"] == DONE
    assert mail.outbox == []
    assert AuditEvent.objects.get(kind="reset-throttled").details["requests_from_address"] == 11
    # Another client address is not held back by this one.
    other = client.post(RESET, {"email": "j.smith@bromsgrove.gov.uk"}, REMOTE_ADDR="10.0.0.9")
    assert other.headers["Location"] == DONE
    assert len(mail.outbox) == 1


def test_requests_older_than_an_hour_no_longer_count(client, officer):
    for _ in range(3):
        ask(client, "j.smith@bromsgrove.gov.uk")
    PasswordResetRequest.objects.update(at=timezone.now() - datetime.timedelta(minutes=61))
    ask(client, "j.smith@bromsgrove.gov.uk")
    assert len(mail.outbox) == 4
    # The old rows are gone: the table holds only the last hour.
    assert PasswordResetRequest.objects.count() == 1


def test_the_table_keeps_no_email_address(client, officer):
    ask(client, "j.smith@bromsgrove.gov.uk")
    row = PasswordResetRequest.objects.get()
    assert "smith" not in row.email_digest and len(row.email_digest) == 64
