"""Issue 18, items 3 and 4: the month page's explanation of each suggestion, its confirmation
panel, field-specific messages, one action's update page from the action page, and the history in
plain English."""

import datetime

import pytest
from django.urls import reverse

from plans import services
from plans.history import display_name
from plans.models import ActionChange, ChangeRequest, MeasureProgress, MonthClose, MonthlyStatus
from plans.periods import Month
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
    monkeypatch.setattr("plans.forms.timezone.localdate", lambda: datetime.date(2009, 9, 14))
    monkeypatch.setattr("plans.selectors.timezone.localdate", lambda: datetime.date(2009, 9, 14))


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07")


@pytest.fixture
def officer(role_user):
    user = role_user("officer")
    user.first_name, user.last_name = "Rebecca", "Dunne"
    user.save()
    return user


@pytest.fixture
def extended(plan, officer):
    """Seed 000's 1.1.1: due July 2009, revised by its lead to September 2009 (an extension)."""
    lead = make_lead("RD", user=officer)
    measure = make_measure(make_priority(plan), "1.1", "Agreement on preferred option")
    return make_action(
        measure,
        "1.1.1",
        "Engage specialist organisation to complete unified vision",
        leads=[lead],
        original="2009-07",
        revised="2009-09",
        planned=["2009-07"],
    )


def month_url(month="2009-07"):
    return reverse("plans:my-month", kwargs={"slug": "p", "month": month})


def row_data(action, **values):
    action.refresh_from_db()
    prefix = f"a{action.pk}-"
    return {
        "action": [str(action.pk)],
        prefix + "version": str(action.version),
        prefix + "status": values.get("status", "AMBER"),
        prefix + "corrective_action": values.get("corrective_action", ""),
        prefix + "revised_target": values.get("revised_target", "2009-09"),
        prefix + "completed": values.get("completed", ""),
        prefix + "note": values.get("note", ""),
    }


# --- the suggestion explained ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "line"),
    [
        ("2009-07", "Suggested from the dates: Due July 2009, revised to September 2009: one month behind \u2192 Amber"),
        # The revised date alone is an extension (seed 000: 1.1.1 is Amber in July with a revised
        # date of Sept 09); a month after it was due the action is over one month behind.
        (
            "2009-08",
            "Suggested from the dates: Due July 2009, revised to September 2009 (an extension: only an "
            "approved re-programme moves the target): over one month behind \u2192 Red",
        ),
    ],
)  # fmt: skip
def test_the_month_page_explains_the_suggestion_in_a_line(client, officer, extended, month, line):
    client.force_login(officer)
    response = client.get(month_url(month))
    assert line in response.content.decode()
    [row] = response.context["rows"]
    assert row.form["status"].value() == ("AMBER" if month == "2009-07" else "RED")


def test_the_explanation_uses_the_plans_own_status_words(client, officer, extended, plan):
    plan.status_terms.create(word="Some slippage reported", status="AMBER", is_default=True)
    client.force_login(officer)
    body = client.get(month_url()).content.decode()
    assert "one month behind \u2192 Some slippage reported" in body


def test_an_approved_reprogramme_is_explained(client, officer, extended, role_user):
    request = services.request_change(
        user=officer, action=extended, kind="REPROGRAMME", month=Month(2009, 7), reason="On hold",
        new_target=Month(2009, 11),
    )  # fmt: skip
    services.decide_request(user=role_user("performance"), request=request, approve=True)
    client.force_login(officer)
    body = client.get(month_url("2009-08")).content.decode()
    assert "Re-programmed to November 2009 with approval from July 2009 \u2192 Re-programmed" in body


# --- after a save: the confirmation panel ------------------------------------------------------------


def test_a_save_returns_to_the_confirmation_panel_at_the_top(client, officer, extended):
    client.force_login(officer)
    response = client.post(month_url(), row_data(extended, corrective_action="Architects in September"))
    assert response.status_code == 302
    assert response["Location"] == "/plans/p/my/2009-07/#confirmation"
    body = client.get(month_url()).content.decode()
    assert '<div class="panel panel-success" id="confirmation" tabindex="-1">' in body
    assert '<p class="panel-title">Saved 1 action for July 2009.</p>' in body
    # The panel heads the page, before the heading and the form.
    assert (
        body.index('id="confirmation"') < body.index("<h1>") < body.index('<form method="post" novalidate>')
    )


def test_a_save_of_nothing_says_so_in_the_panel(client, officer, extended):
    client.force_login(officer)
    client.post(month_url(), row_data(extended))
    response = client.post(month_url(), row_data(extended), follow=True)
    assert '<p class="panel-title">Nothing to save: no value for July 2009 was changed.</p>' in (
        response.content.decode()
    )


# --- field-specific messages -------------------------------------------------------------------------


def test_the_request_form_says_which_choice_is_missing(client, officer, extended):
    client.force_login(officer)
    url = reverse("plans:request-change", kwargs={"slug": "p", "pk": extended.pk, "month": "2009-07"})
    body = client.post(url, {"kind": "", "reason": ""}).content.decode()
    assert "Choose whether you are asking to re-programme or suspend the action." in body
    assert "Say why the action should be re-programmed or suspended." in body
    assert "This field is required" not in body
    assert (
        '<a href="#id_kind_0">Choose whether you are asking to re-programme or suspend the action.</a>'
        in body
    )


def test_a_missing_status_names_the_action_and_month(client, officer, extended):
    client.force_login(officer)
    data = row_data(extended)
    del data[f"a{extended.pk}-status"]
    body = client.post(month_url(), data).content.decode()
    assert "Choose the status of 1.1.1 for July 2009." in body
    assert "This field is required" not in body


def test_the_status_radios_are_one_group_described_by_the_suggestion(client, officer, extended):
    client.force_login(officer)
    body = client.get(month_url()).content.decode()
    pk = extended.pk
    assert f'<fieldset class="field radios" aria-describedby="id_a{pk}-status_hint">' in body
    assert (
        f'<div class="radio"><input type="radio" name="a{pk}-status" value="AMBER" required '
        f'id="id_a{pk}-status_1" checked><label for="id_a{pk}-status_1">Amber</label></div>'
    ) in body
    # The fields used less often are behind one "More" control: one Tab stop while closed.
    assert '<details class="more">' in body and f"id_a{pk}-revised_target" in body


def test_a_more_field_with_an_error_opens_more(client, officer, extended):
    client.force_login(officer)
    body = client.post(month_url(), row_data(extended, completed="2009-12")).content.decode()
    assert '<details class="more" open>' in body
    assert "The completed month cannot be in the future (after September 2009)." in body


# --- one action's update from the action page ---------------------------------------------------------


def action_month_url(action, month="2009-07"):
    return reverse("plans:action-month", kwargs={"slug": "p", "pk": action.pk, "month": month})


def test_the_action_page_offers_the_performance_team_an_update_in_one_step(client_as, extended):
    body = client_as("performance").get(extended.get_absolute_url()).content.decode()
    # September 2009 is today: the open month to report is the first not closed, July.
    assert f'<a class="button" href="{action_month_url(extended)}">Update 1.1.1 for July 2009</a>' in body


def test_the_action_page_sends_its_lead_to_their_month_page(client, officer, extended):
    client.force_login(officer)
    body = client.get(extended.get_absolute_url()).content.decode()
    assert f'href="/plans/p/my/2009-07/#action-{extended.pk}">Update 1.1.1 for July 2009</a>' in body


@pytest.mark.parametrize("role", ["cmt", "clerk"])
def test_others_have_no_update_link(client_as, extended, role):
    body = client_as(role).get(extended.get_absolute_url()).content.decode()
    assert "Update 1.1.1 for" not in body


def test_no_update_link_when_the_month_is_published(client_as, extended, plan, role_user):
    for month in ("2009-07", "2009-08", "2009-09"):
        MonthClose.objects.create(
            plan=plan, month=Month.parse(month).first_day, closed_by=role_user("performance")
        )
    assert (
        "Update 1.1.1 for" not in client_as("performance").get(extended.get_absolute_url()).content.decode()
    )


def test_the_performance_team_updates_one_action_and_nothing_else_of_its_lead(client_as, extended):
    other = make_action(
        extended.measure, "1.1.2", "Unreported", leads=list(extended.leads.all()), original="2009-07"
    )
    client = client_as("performance")
    page = client.get(action_month_url(extended))
    assert page.status_code == 200
    assert "<h1>Update 1.1.1 for July 2009</h1>" in page.content.decode()
    assert [row.action.ref for row in page.context["rows"]] == ["1.1.1"]
    response = client.post(
        action_month_url(extended), row_data(extended, corrective_action="Chased by phone")
    )
    assert response["Location"] == f"{action_month_url(extended)}#confirmation"
    assert MonthlyStatus.objects.get(action=extended).corrective_action == "Chased by phone"
    assert not MonthlyStatus.objects.filter(action=other).exists()
    # Another action in the same post is refused: the page is the one action's.
    assert client.post(action_month_url(extended), row_data(other)).status_code == 403


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_only_the_performance_team_may_use_one_actions_update_page(client_as, extended, role):
    client = client_as(role)
    assert client.get(action_month_url(extended)).status_code == 403
    assert client.post(action_month_url(extended), row_data(extended)).status_code == 403


def test_one_actions_update_page_of_another_plans_action_is_404(client_as, extended):
    other_plan = make_plan(slug="q")
    assert (
        client_as("performance")
        .get(
            reverse(
                "plans:action-month", kwargs={"slug": other_plan.slug, "pk": extended.pk, "month": "2009-07"}
            )
        )
        .status_code
        == 404
    )


# --- history in plain English ------------------------------------------------------------------------


def test_one_save_is_one_sentence_with_names_words_and_labels(client, officer, extended):
    make_status(extended, "2009-07", "GREEN")
    client.force_login(officer)
    client.post(month_url(), row_data(extended, status="AMBER", corrective_action="Meeting planned <Sept>"))
    body = client.get(extended.get_absolute_url()).content.decode()
    assert (
        "<p>Rebecca Dunne set the July 2009 status to Amber (was Green) and wrote a corrective action.</p>"
        in body
    )
    assert "<blockquote><strong>Corrective action:</strong> Meeting planned &lt;Sept&gt;</blockquote>" in body
    assert "REPRO" not in body and "corrective_action" not in body and ">AMBER<" not in body


def test_an_approval_is_one_entry_however_many_values_it_changed(client_as, officer, extended, role_user):
    performance = role_user("performance")
    performance.first_name, performance.last_name = "Pat", "Morgan"
    performance.save()
    make_status(extended, "2009-07", "AMBER")
    request = services.request_change(
        user=officer, action=extended, kind="REPROGRAMME", month=Month(2009, 7), reason="Waiting for Sainsbury's",
        new_target=Month(2009, 11),
    )  # fmt: skip
    services.decide_request(user=performance, request=request, approve=True, comment="Agreed by CMT")
    assert ActionChange.objects.filter(action=extended, changed_by=performance).count() >= 5
    body = client_as("cmt").get(extended.get_absolute_url()).content.decode()
    assert (
        "<p>Pat Morgan approved the re-programme from July 2009, set the July 2009 status to "
        "Re-programmed (was Amber), wrote a corrective action and set the revised date to "
        "November 2009 (was September 2009).</p>"
    ) in body
    assert "<p>Rebecca Dunne asked for a re-programme from July 2009.</p>" in body
    assert "<strong>Comment:</strong> Agreed by CMT" in body
    assert "<strong>Corrective action:</strong> Waiting for Sainsbury&#x27;s" in body
    assert body.count('<p class="when">') == 2


def test_a_rejection_reads_as_one(client_as, officer, extended, role_user):
    request = services.request_change(
        user=officer, action=extended, kind="SUSPENSION", month=Month(2009, 7), reason="On hold"
    )
    services.decide_request(
        user=role_user("performance"), request=request, approve=False, comment="Not agreed"
    )
    body = client_as("cmt").get(extended.get_absolute_url()).content.decode()
    assert "<p>test-performance rejected the suspension from July 2009.</p>" in body
    assert request.pk and ChangeRequest.objects.get(pk=request.pk).state == "REJECTED"


def test_display_name_is_the_full_name_else_the_leads_name_else_the_log_in():
    assert display_name(make_user("rd", first_name="Rebecca", last_name="Dunne")) == "Rebecca Dunne"
    lead_user = make_user("hb")
    make_lead("HB", user=lead_user, name="Hugh Bennett")
    assert display_name(lead_user) == "Hugh Bennett"
    assert display_name(make_user("plain")) == "plain"
    assert display_name(None) == "Someone"


def test_the_action_page_queries_do_not_grow_with_its_history(
    client_as, extended, officer, django_assert_max_num_queries
):
    client = client_as("cmt")
    services.set_status(action=extended, month=Month(2009, 7), status="GREEN", user=officer)
    with django_assert_max_num_queries(30) as few:
        client.get(extended.get_absolute_url())
    for n in range(10):
        services.set_status(
            action=extended, month=Month(2009, 7), status="AMBER" if n % 2 else "GREEN", user=officer
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(extended.get_absolute_url())


def test_the_month_pages_queries_are_fixed_in_the_number_of_actions(
    client, officer, extended, django_assert_max_num_queries
):
    client.force_login(officer)
    # session, user, permissions (the user's own and their roles', one query), plan (with the
    # close and whether it has indicators) and its words, actions, their statuses of the month
    # and the one before, their requests, the measures' progress updates.
    with django_assert_max_num_queries(9 + SESSION_REFRESH_QUERIES) as one:
        client.get(month_url())
    lead = extended.leads.get()
    priority = extended.measure.priority
    for m in range(4):
        measure = make_measure(priority, f"1.{m + 2}", f"Measure 1.{m + 2}")
        # Each measure with its month's progress update, written by someone.
        MeasureProgress.objects.create(
            measure=measure, month=datetime.date(2009, 7, 1), text="On track", updated_by=officer
        )
        for n in range(5 if m < 3 else 4):
            make_action(
                measure, f"1.{m + 2}.{n + 1}", "More", leads=[lead], original="2009-07", revised="2009-10"
            )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(month_url())
    assert len(response.context["rows"]) == 20


def test_one_actions_update_page_sends_anonymous_visitors_to_log_in(client, extended):
    response = client.get(action_month_url(extended))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_approvals_page_names_people_as_they_are_known(client_as, officer, extended, role_user):
    services.request_change(
        user=officer, action=extended, kind="SUSPENSION", month=Month(2009, 7), reason="On hold"
    )
    body = client_as("performance").get(reverse("plans:approvals", kwargs={"slug": "p"})).content.decode()
    assert "<dt>Requested by</dt><dd>Rebecca Dunne on" in body


def test_after_a_refused_save_more_shows_what_was_typed_in_it(client, officer, extended):
    client.force_login(officer)
    # Red where the dates suggest Amber, without a reason: refused; the note typed under More is
    # shown open, not hidden behind it.
    data = row_data(extended, status="RED", note="Architects briefed")
    body = client.post(month_url(), data).content.decode()
    assert "The dates suggest Amber: say why the status is Red." in body
    assert '<details class="more" open>' in body and "Architects briefed</textarea>" in body
    # Nothing typed under More: it stays closed.
    body = client.post(month_url(), row_data(extended, status="RED")).content.decode()
    assert '<details class="more">' in body
