import pytest
from django.urls import reverse

from tests.factories import make_action, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    plan = make_plan(slug="p")
    action = make_action(make_measure(make_priority(plan)), description="Engage <b>specialists</b>")
    make_status(action, "2009-07", "AMBER", corrective_action="<script>alert(1)</script>")
    return action


def pages(action):
    return [
        reverse("home"),
        reverse("plans:detail", kwargs={"slug": "p"}),
        reverse("plans:action", kwargs={"slug": "p", "pk": action.pk}),
    ]


def test_anonymous_users_are_sent_to_log_in(client, action):
    for url in pages(action):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_user_with_no_role_is_refused(client_as, action):
    client = client_as("none")
    for url in pages(action):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk", "admin"])
def test_every_role_can_read_the_plan(client_as, action, role):
    client = client_as(role)
    for url in pages(action):
        assert client.get(url).status_code == 200


def test_user_text_is_escaped(client_as, action):
    client = client_as("cmt")
    body = client.get(reverse("plans:action", kwargs={"slug": "p", "pk": action.pk})).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Engage &lt;b&gt;specialists&lt;/b&gt;" in body


def test_status_is_shown_as_a_word(client_as, action):
    body = client_as("clerk").get(reverse("plans:detail", kwargs={"slug": "p"})).content.decode()
    assert "Amber" in body


def test_login_page_is_at_accounts_login(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_unknown_plan_is_404(client_as):
    assert client_as("cmt").get("/plans/nope/").status_code == 404


def test_anonymous_users_learn_nothing_of_which_plans_exist(client):
    for url in (
        "/plans/nope/",
        "/plans/nope/my/2009-07/",
        "/plans/nope/approvals/",
        "/plans/nope/chase/2009-07/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
