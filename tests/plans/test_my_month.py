"""The officer's monthly update: /plans/<slug>/my/<YYYY-MM>/ (issue 4, items 2, 3 and 7)."""

import datetime

import pytest
from django.urls import reverse

from plans.models import Action, ActionChange, MonthClose, MonthlyStatus
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import (
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_status,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today_is_september_2009(monkeypatch):
    # "A completed month in the future" is judged against today: pin today inside the plan year.
    monkeypatch.setattr("plans.forms.timezone.localdate", lambda: datetime.date(2009, 9, 14))


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07")


@pytest.fixture
def officer(role_user):
    return role_user("officer")


@pytest.fixture
def actions(plan, officer):
    """Three actions led by the officer, live in July 2009, and one led by someone else."""
    ps = make_lead("T1", user=officer)
    hb = make_lead("T2")
    measure = make_measure(make_priority(plan))
    due = make_action(
        measure, "1.1.1", "Engage specialists", leads=[ps], original="2009-07", planned=["2009-07"]
    )
    later = make_action(
        measure, "1.1.2", "Identify partner", leads=[ps], original="2009-09", planned=["2009-07"]
    )
    late = make_action(measure, "1.1.3", "Design brief", leads=[ps], original="2009-06")
    other = make_action(measure, "1.2.1", "Someone else's", leads=[hb], original="2009-07")
    return {"due": due, "later": later, "late": late, "other": other}


def url(month="2009-07", slug="p"):
    return reverse("plans:my-month", kwargs={"slug": slug, "month": month})


def form_data(*rows):
    """rows: (action, dict of field values); fields left out get the action's current values."""
    data = {"action": []}
    for action, values in rows:
        action.refresh_from_db()
        prefix = f"a{action.pk}-"
        data["action"].append(str(action.pk))
        data[prefix + "version"] = str(action.version)
        data[prefix + "status"] = values.get("status", "GREEN")
        data[prefix + "corrective_action"] = values.get("corrective_action", "")
        data[prefix + "revised_target"] = values.get("revised_target", "")
        data[prefix + "completed"] = values.get("completed", "")
        data[prefix + "note"] = values.get("note", "")
    return data


def status_of(action, month="2009-07"):
    return MonthlyStatus.objects.get(action=action, month=datetime.date(*map(int, month.split("-")), 1))


# --- who may use it ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, plan):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["cmt", "clerk", "none"])
def test_roles_without_update_rights_are_refused(client_as, plan, role):
    client = client_as(role)
    assert client.get(url()).status_code == 403
    assert client.post(url(), {"action": []}).status_code == 403


def test_officer_sees_the_actions_they_lead_that_are_live_this_month(client, officer, actions):
    client.force_login(officer)
    response = client.get(url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "3 actions you lead are live in July 2009" in body
    assert "Engage specialists" in body and "Identify partner" in body and "Design brief" in body
    assert "Someone else&#x27;s" not in body
    # Every field's name says which action it is for.
    assert 'Corrective action<span class="visually-hidden"> for 1.1.2</span>' in body


def test_a_month_outside_the_plan_or_malformed_is_404(client, officer, actions):
    client.force_login(officer)
    assert client.get(url("2010-07")).status_code == 404
    assert client.get(url("2009-13")).status_code == 404
    assert client.get("/plans/p/my/July/").status_code == 404


# --- suggested status ----------------------------------------------------------------------------


def test_the_form_preselects_the_status_the_dates_suggest(client, officer, actions):
    client.force_login(officer)
    response = client.get(url())
    rows = {row.action.ref: row for row in response.context["rows"]}
    # Due July, not done: AMBER at July's end; due September: GREEN; due June: RED in July.
    assert rows["1.1.1"].form["status"].value() == "AMBER"
    assert rows["1.1.2"].form["status"].value() == "GREEN"
    assert rows["1.1.3"].form["status"].value() == "RED"
    # Each suggestion is explained in a line, in the words of the rule that made it.
    body = response.content.decode()
    for line in (
        "Suggested from the dates: Due July 2009: one month behind \u2192 Amber",
        "Suggested from the dates: Due September 2009: not due yet \u2192 Green",
        "Suggested from the dates: Due June 2009: over one month behind \u2192 Red",
    ):
        assert line in body


def test_officer_updates_three_actions_in_one_save(client, officer, actions):
    client.force_login(officer)
    data = form_data(
        (actions["due"], {"status": "GREEN", "completed": "2009-07", "note": "Signed on 20 July"}),
        (actions["later"], {"status": "GREEN"}),
        (
            actions["late"],
            {
                "status": "RED",
                "corrective_action": "Brief goes to CMT in August",
                "revised_target": "2009-08",
            },
        ),
    )
    response = client.post(url(), data)
    assert response.status_code == 302
    assert status_of(actions["due"]).status == "GREEN"
    assert status_of(actions["due"]).note == "Signed on 20 July"
    assert status_of(actions["later"]).status == "GREEN"
    late = status_of(actions["late"])
    assert late.status == "RED" and late.corrective_action == "Brief goes to CMT in August"
    actions["due"].refresh_from_db()
    actions["late"].refresh_from_db()
    assert actions["due"].completed_month == datetime.date(2009, 7, 1)
    assert actions["late"].revised_target == datetime.date(2009, 8, 1)
    assert actions["due"].version == 2
    # History: who, what, old and new value, from which screen.
    change = ActionChange.objects.get(action=actions["late"], field="revised_target")
    assert (change.old_value, change.new_value, change.changed_by, change.source) == (
        "",
        "2009-08",
        officer,
        "my-month",
    )
    followed = client.get(response["Location"])
    assert "Saved 3 actions for July 2009." in followed.content.decode()


def test_another_status_than_the_suggestion_needs_a_corrective_action(client, officer, actions):
    client.force_login(officer)
    data = form_data(
        (actions["due"], {"status": "GREEN", "note": "typed note kept"}),
        (actions["later"], {"status": "GREEN"}),
        (actions["late"], {"status": "RED", "corrective_action": "x"}),
    )
    response = client.post(url(), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem: nothing has been saved" in body
    assert "1.1.1, corrective action: The dates suggest Amber: say why the status is Green." in body
    assert f'href="#id_a{actions["due"].pk}-corrective_action"' in body
    assert "typed note kept" in body
    assert MonthlyStatus.objects.filter(action__plan__slug="p").count() == 0


def test_completing_the_action_makes_green_the_suggestion(client, officer, actions):
    client.force_login(officer)
    data = form_data((actions["due"], {"status": "GREEN", "completed": "2009-07"}))
    assert client.post(url(), data).status_code == 302
    assert status_of(actions["due"]).status == "GREEN"


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        ({"status": "PURPLE"}, "1.1.1, status: Choose one of the statuses listed."),
        ({"status": "SUSP"}, "1.1.1, status: Choose one of the statuses listed."),
        (
            {"status": "AMBER", "revised_target": "2012-07"},
            "Choose a month from July 2009 to June 2012: a target may be up to 24 months after",
        ),
        (
            {"status": "AMBER", "completed": "2010-07"},
            "Choose a month of the plan, July 2009 to June 2010.",
        ),
        ({"status": "AMBER", "revised_target": "2009-6"}, "Choose a month from the list."),
        (
            {"status": "AMBER", "revised_target": "2009-07", "completed": "2009-10"},
            "The completed month cannot be in the future (after September 2009).",
        ),
        (
            {"status": "AMBER", "corrective_action": "x" * 4001},
            "The corrective action must be 4,000 characters or fewer (it has 4001).",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(
    client, officer, actions, values, message
):
    client.force_login(officer)
    values = {"note": "my careful note", **values}
    data = form_data((actions["due"], values), (actions["later"], {"status": "GREEN", "note": "second note"}))
    response = client.post(url(), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "my careful note" in body and "second note" in body
    assert MonthlyStatus.objects.filter(action__plan__slug="p").count() == 0


def test_a_revised_date_before_the_original_is_refused(client, officer, actions):
    client.force_login(officer)
    data = form_data((actions["later"], {"status": "GREEN", "revised_target": "2009-08"}))
    body = client.post(url(), data).content.decode()
    assert "The revised date cannot be before the original date, September 2009." in body


def test_a_tampered_action_id_the_officer_does_not_lead_is_403(client, officer, actions):
    client.force_login(officer)
    data = form_data((actions["due"], {"status": "AMBER"}), (actions["other"], {"status": "GREEN"}))
    assert client.post(url(), data).status_code == 403
    data["action"] = ["not-a-number"]
    assert client.post(url(), data).status_code == 403
    assert MonthlyStatus.objects.filter(action__plan__slug="p").count() == 0


def test_a_closed_month_refuses_the_update(client, officer, actions, plan):
    MonthClose.objects.create(plan=plan, month=datetime.date(2009, 7, 1))
    client.force_login(officer)
    page = client.get(url())
    assert "July 2009 is closed" in page.content.decode()
    assert "Save all July 2009 updates" not in page.content.decode()
    assert all(field.field.disabled for row in page.context["rows"] for field in row.form)
    data = form_data((actions["due"], {"status": "AMBER", "note": "kept"}))
    response = client.post(url(), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "July 2009 is closed: its report is published and takes no more updates." in body
    assert "kept" in body
    assert MonthlyStatus.objects.filter(action__plan__slug="p").count() == 0


# --- no lost updates -----------------------------------------------------------------------------


def test_the_second_of_two_saves_is_refused_naming_who_changed_it(client, officer, actions, role_user):
    client.force_login(officer)
    stale = form_data((actions["due"], {"status": "AMBER", "corrective_action": "mine"}))
    # The performance team saves the same action first (through the same service).
    from plans import services
    from plans.periods import Month

    performance = role_user("performance")
    services.update_month(
        user=performance,
        plan=actions["due"].plan,
        month=Month(2009, 7),
        updates=[
            services.ActionUpdate(
                action_id=actions["due"].pk, version=1, status="GREEN", corrective_action="Done early",
                completed=Month(2009, 7),
            )
        ],
    )  # fmt: skip
    response = client.post(url(), stale)
    assert response.status_code == 200
    body = response.content.decode()
    assert "1.1.1 was changed by test-performance at" in body
    assert "Their status: Green; corrective action: \u201cDone early\u201d." in body
    assert status_of(actions["due"]).corrective_action == "Done early"
    assert "mine" in body
    # Saving again after reading their values is a deliberate overwrite, and is accepted.
    again = {**stale, f"a{actions['due'].pk}-version": "2"}
    assert client.post(url(), again).status_code == 302
    assert status_of(actions["due"]).corrective_action == "mine"


def test_only_changed_rows_are_written(client, officer, actions):
    client.force_login(officer)
    make_status(actions["later"], "2009-07", "GREEN")
    data = form_data((actions["due"], {"status": "AMBER"}), (actions["later"], {"status": "GREEN"}))
    assert client.post(url(), data).status_code == 302
    actions["later"].refresh_from_db()
    assert actions["later"].version == 1
    assert status_of(actions["due"]).status == "AMBER"


# --- the landing page ----------------------------------------------------------------------------


def test_start_sends_an_officer_to_their_month_and_others_to_the_home_page(
    client, officer, actions, role_user
):
    client.force_login(officer)
    response = client.get(reverse("start"))
    assert response["Location"] == "/plans/p/my/2009-07/"
    MonthClose.objects.create(plan=actions["due"].plan, month=datetime.date(2009, 7, 1))
    assert client.get(reverse("start"))["Location"] == "/plans/p/my/2009-08/"
    client.force_login(role_user("cmt"))
    assert client.get(reverse("start"))["Location"] == "/"
    client.force_login(make_user("lost"))
    assert client.get(reverse("start")).status_code == 403
    client.logout()
    assert client.get(reverse("start"))["Location"].startswith("/accounts/login/")


def test_login_lands_on_the_home_page(client, officer):
    officer.set_password("pw-for-tests-only")
    officer.save()
    response = client.post(
        "/accounts/login/", {"username": officer.username, "password": "pw-for-tests-only"}
    )
    assert response["Location"] == "/"


# --- queries ---------------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_the_number_of_actions(
    client, officer, actions, django_assert_max_num_queries
):
    client.force_login(officer)
    # session, user, permissions (the user's own and their roles', one query), plan (with whether
    # the month is closed and whether it has indicators) and its status words, actions, their
    # statuses of the month and the month before, their requests (approved and pending), their
    # measures' progress updates for the month.
    with django_assert_max_num_queries(9 + SESSION_REFRESH_QUERIES) as small:
        client.get(url())
    measure = actions["due"].measure
    lead = actions["due"].leads.get()
    for n in range(30):
        action = make_action(measure, f"9.{n}", "More", leads=[lead], original="2009-07", planned=["2009-07"])
        make_status(action, "2009-06", "GREEN")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url())
    assert len(response.context["rows"]) == 33
    assert Action.objects.filter(plan__slug="p").count() == 34


# --- the performance team updates any lead's actions -----------------------------------------------


def lead_url(lead, month="2009-07"):
    return reverse("plans:lead-month", kwargs={"slug": "p", "lead": lead.pk, "month": month})


def test_the_performance_team_updates_a_leads_actions(client_as, actions):
    lead = actions["other"].leads.get()
    client = client_as("performance")
    response = client.get(lead_url(lead))
    assert "Actions of T2 for July 2009" in response.content.decode()
    assert [row.action.ref for row in response.context["rows"]] == ["1.2.1"]
    data = form_data((actions["other"], {"status": "AMBER", "note": "Chased by phone"}))
    assert client.post(lead_url(lead), data).status_code == 302
    record = status_of(actions["other"])
    assert (record.status, record.note, record.set_by.username) == (
        "AMBER",
        "Chased by phone",
        "test-performance",
    )


@pytest.mark.parametrize("role", ["cmt", "clerk", "none"])
def test_only_the_performance_team_updates_another_leads_actions(client_as, actions, role):
    lead = actions["other"].leads.get()
    assert client_as(role).get(lead_url(lead)).status_code == 403


def test_an_officer_cannot_use_another_leads_page(client, officer, actions):
    client.force_login(officer)
    lead = actions["other"].leads.get()
    assert client.get(lead_url(lead)).status_code == 403
    data = form_data((actions["other"], {"status": "GREEN"}))
    assert client.post(lead_url(lead), data).status_code == 403
    client.logout()
    assert client.get(lead_url(lead))["Location"].startswith("/accounts/login/")


def test_the_action_page_shows_who_changed_what_from_which_screen(client, officer, actions):
    client.force_login(officer)
    client.post(
        url(), form_data((actions["late"], {"status": "RED", "corrective_action": "Brief to CMT <soon>"}))
    )
    body = client.get(actions["late"].get_absolute_url()).content.decode()
    # One entry for the save, in words: the person, the status word, the field's label.
    assert "<p>test-officer set the July 2009 status to Red and wrote a corrective action.</p>" in body
    assert "<blockquote><strong>Corrective action:</strong> Brief to CMT &lt;soon&gt;</blockquote>" in body
    assert "· My actions</p>" in body


def test_an_error_is_announced_with_its_field(client, officer, actions):
    client.force_login(officer)
    pk = actions["due"].pk
    body = client.post(url(), form_data((actions["due"], {"status": "GREEN"}))).content.decode()
    assert f'aria-describedby="id_a{pk}-corrective_action_error"' in body
    assert f'<div id="id_a{pk}-corrective_action_error">' in body
    assert 'aria-invalid="true"' in body


def test_officers_have_a_my_actions_link_in_the_menu(client_as, plan):
    assert '<a href="/start/">My actions</a>' in client_as("officer").get("/plans/p/").content.decode()


def test_saving_with_nothing_changed_says_so(client, officer, actions):
    client.force_login(officer)
    make_status(actions["due"], "2009-07", "AMBER")
    response = client.post(url(), form_data((actions["due"], {"status": "AMBER"})), follow=True)
    assert "Nothing to save: no value for July 2009 was changed." in response.content.decode()
    actions["due"].refresh_from_db()
    assert actions["due"].version == 1
