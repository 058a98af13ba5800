"""A measure's progress update for a month (issue 14, item 6): seed 001's "Progress Update" rows,
written by the leads of the measure's actions on their month page, kept in the measure's history
and shown on the plan page and the action page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from plans import services
from plans.models import MeasureChange, MeasureProgress, MonthClose, MonthlyStatus
from plans.periods import Month
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)


@pytest.fixture(autouse=True)
def today_is_september_2009(monkeypatch):
    monkeypatch.setattr("plans.forms.timezone.localdate", lambda: datetime.date(2009, 9, 14))


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07", title="Improvement Plan 2009/10")


@pytest.fixture
def officer(role_user):
    return role_user("officer")


@pytest.fixture
def measures(plan, officer):
    """1.1 has an action the officer leads; 1.2 only another lead's."""
    priority = make_priority(plan, "CP1", "Town Centre")
    ours = make_measure(priority, "1.1", "Public support for plans")
    theirs = make_measure(priority, "1.2", "Work commenced")
    make_action(
        ours, "1.1.1", "Engage consultants", leads=[make_lead("T1", user=officer)], original="2009-07"
    )
    make_action(theirs, "1.2.1", "Baseline study", leads=[make_lead("T2")], original="2009-07")
    return {"ours": ours, "theirs": theirs}


def url(month="2009-07"):
    return reverse("plans:my-month", kwargs={"slug": "p", "month": month})


def progress_data(measure, text, read=""):
    return {"measure": [str(measure.pk)], f"m{measure.pk}-read": read, f"m{measure.pk}-text": text}


def progress_of(measure, month=JULY):
    return MeasureProgress.objects.get(measure=measure, month=month.first_day)


# --- the month page ---------------------------------------------------------------------------------


def test_the_month_page_offers_the_progress_update_of_the_officers_measures_only(client, officer, measures):
    client.force_login(officer)
    body = client.get(url()).content.decode()
    assert "Progress update for 1.1 (July 2009)" in body
    assert "Progress update for 1.2" not in body


def test_officer_saves_a_progress_update_kept_in_the_history_and_shown_on_the_plan_page(
    client, officer, measures
):
    client.force_login(officer)
    ours = measures["ours"]
    response = client.post(url(), progress_data(ours, "Consultants appointed <on time>"), follow=True)
    assert "Saved 1 progress update for July 2009." in response.content.decode()
    progress = progress_of(ours)
    assert (progress.text, progress.updated_by) == ("Consultants appointed <on time>", officer)
    [change] = MeasureChange.objects.filter(measure=ours)
    assert (change.month, change.old_text, change.new_text, change.changed_by, change.source) == (
        datetime.date(2009, 7, 1),
        "",
        "Consultants appointed <on time>",
        officer,
        "my-month",
    )
    # The month page shows it again, ready to edit.
    assert "Consultants appointed &lt;on time&gt;</textarea>" in client.get(url()).content.decode()
    # The plan page's measure row shows the latest update, escaped.
    plan_page = client.get("/plans/p/").content.decode()
    assert "Progress update (July 2009): Consultants appointed &lt;on time&gt;" in plan_page
    # The action page lists the measure's progress history.
    action = ours.actions.get()
    detail = client.get(action.get_absolute_url()).content.decode()
    assert "Progress updates of measure 1.1" in detail
    assert "test-officer wrote the July 2009 progress update." in detail
    assert "<strong>Progress update:</strong> Consultants appointed &lt;on time&gt;" in detail


def test_the_progress_update_is_saved_with_the_actions_in_one_save(client, officer, measures):
    client.force_login(officer)
    ours = measures["ours"]
    action = ours.actions.get()
    data = {
        "action": [str(action.pk)],
        f"a{action.pk}-version": "1",
        f"a{action.pk}-status": "AMBER",
        f"a{action.pk}-corrective_action": "",
        f"a{action.pk}-revised_target": "",
        f"a{action.pk}-completed": "",
        f"a{action.pk}-note": "",
        **progress_data(ours, "On track"),
    }
    response = client.post(url(), data, follow=True)
    assert response.context["errors"] == []
    assert "Saved 1 action and 1 progress update for July 2009." in response.content.decode()
    assert MonthlyStatus.objects.get(action=action).status == "AMBER"
    assert progress_of(ours).text == "On track"


def test_a_progress_update_over_the_limit_is_refused_beside_the_field_and_kept(client, officer, measures):
    client.force_login(officer)
    ours = measures["ours"]
    text = "Long story. " + "x" * 3990
    response = client.post(url(), progress_data(ours, text))
    assert response.status_code == 200
    body = response.content.decode()
    message = "The progress update must be 4,000 characters or fewer (it has 4002)."
    assert f'<div id="id_m{ours.pk}-text_error">' in body and message in body
    assert f'<a href="#id_m{ours.pk}-text">Progress update for 1.1 (July 2009): {message}</a>' in body
    assert text in body
    assert not MeasureProgress.objects.exists() and not MeasureChange.objects.exists()


def test_a_tampered_measure_the_officer_leads_no_action_under_is_403(client, officer, measures):
    client.force_login(officer)
    response = client.post(url(), progress_data(measures["theirs"], "Not mine to write"))
    assert response.status_code == 403
    assert not MeasureProgress.objects.exists()


def test_a_closed_month_shows_the_update_read_only_and_refuses_a_save(client, officer, measures, plan):
    ours = measures["ours"]
    services.update_measure_progress(user=officer, plan=plan, month=JULY, measure=ours, text="As published")
    MonthClose.objects.create(plan=plan, month=JULY.first_day)
    client.force_login(officer)
    page = client.get(url())
    [block] = page.context["measures"]
    assert block.form.fields["text"].disabled
    assert "As published</textarea>" in page.content.decode()
    response = client.post(url(), progress_data(ours, "Too late", read="As published"))
    body = response.content.decode()
    assert "July 2009 is closed: its report is published and takes no more updates." in body
    assert "Too late" in body
    assert progress_of(ours).text == "As published"


def test_an_untouched_field_never_clears_a_colleagues_update_made_meanwhile(
    client, officer, measures, plan, role_user
):
    client.force_login(officer)
    ours = measures["ours"]
    read_blank = progress_data(ours, "Mine", read="")
    services.update_measure_progress(
        user=role_user("performance"), plan=plan, month=JULY, measure=ours, text="Theirs"
    )
    # The officer's field was untouched (blank as read): nothing to save, theirs stands.
    untouched = client.post(url(), progress_data(ours, "", read=""), follow=True)
    assert "Nothing to save" in untouched.content.decode()
    assert progress_of(ours).text == "Theirs"
    # Typed over it: refused, naming who, with what was typed kept; saving again overwrites.
    response = client.post(url(), read_blank)
    body = response.content.decode()
    assert "1.1&#x27;s progress update was changed by test-performance at" in body
    assert "Theirs: \u201cTheirs\u201d." in body and "Mine</textarea>" in body
    assert progress_of(ours).text == "Theirs"
    assert response.context["measures"][0].form["read"].value() == "Theirs"
    again = client.post(url(), progress_data(ours, "Mine", read="Theirs"))
    assert again.status_code == 302
    assert progress_of(ours).text == "Mine"


def test_the_performance_team_writes_a_leads_measure_on_the_lead_page(client_as, measures):
    theirs = measures["theirs"]
    lead = make_lead("T2")
    address = reverse("plans:lead-month", kwargs={"slug": "p", "lead": lead.pk, "month": "2009-07"})
    client = client_as("performance")
    assert "Progress update for 1.2 (July 2009)" in client.get(address).content.decode()
    assert client.post(address, progress_data(theirs, "Study under way")).status_code == 302
    assert progress_of(theirs).text == "Study under way"


# --- the service ------------------------------------------------------------------------------------


def test_the_service_refuses_a_measure_the_user_leads_no_action_under(officer, measures, plan):
    with pytest.raises(PermissionDenied):
        services.update_measure_progress(
            user=officer, plan=plan, month=JULY, measure=measures["theirs"], text="Not mine"
        )
    assert not MeasureProgress.objects.exists() and not MeasureChange.objects.exists()


def test_the_service_refuses_a_closed_month(officer, measures, plan):
    MonthClose.objects.create(plan=plan, month=JULY.first_day)
    with pytest.raises(services.MonthClosedError, match="July 2009 is closed"):
        services.update_measure_progress(
            user=officer, plan=plan, month=JULY, measure=measures["ours"], text="Too late"
        )
    assert not MeasureProgress.objects.exists()


def test_the_service_refuses_a_measure_of_another_plan(officer, measures):
    other = make_plan(slug="other", first_month="2009-07")
    with pytest.raises(PermissionDenied):
        services.update_measure_progress(
            user=officer, plan=other, month=JULY, measure=measures["ours"], text="Wrong plan"
        )


def test_blank_writes_nothing_and_clearing_an_update_is_recorded(officer, measures, plan):
    ours = measures["ours"]
    write = {"user": officer, "plan": plan, "month": JULY, "measure": ours}
    assert services.update_measure_progress(**write, text="   ") is None
    assert not MeasureChange.objects.exists()
    services.update_measure_progress(**write, text="First")
    services.update_measure_progress(**write, text="First\r\n")  # the same text: nothing written
    assert MeasureChange.objects.count() == 1
    assert services.update_measure_progress(**write, text="") is None
    assert not MeasureProgress.objects.exists()
    assert list(MeasureChange.objects.values_list("old_text", "new_text")) == [("First", ""), ("", "First")]


def test_the_plan_page_shows_each_measures_latest_update(client_as, officer, measures, plan):
    ours = measures["ours"]
    write = {"user": officer, "plan": plan, "measure": ours}
    services.update_measure_progress(**write, month=JULY, text="July words")
    services.update_measure_progress(**write, month=Month(2009, 8), text="August words")
    make_status(ours.actions.get(), "2009-07", "GREEN")
    body = client_as("clerk").get("/plans/p/").content.decode()
    assert "Progress update (August 2009): August words" in body
    assert "July words" not in body
