"""Targets past the year end (issue 14, item 3): an action re-programmed or revised to a month of a
later plan year (seed 000: 14.1.1 "put on hold ... revised date Dec 10"; seed 001: "Re-programme to
08/09") is recorded, reported Re-programmed for the rest of the year, and printed and exported."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans import services
from plans.forms import ActionMonthForm, ChangeRequestForm
from plans.models import Action, ChangeRequest, MonthlyStatus
from plans.periods import TARGET_MONTHS_AFTER_PLAN, Month
from plans.status import Status, is_live
from plans.workbook.importer import import_plan
from plans.workbook.reader import parse_month, read_workbook
from plans.workbook.writer import export_plan
from reports import documents
from reports.exception_report import build_exception_report
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)
DECEMBER_2010 = Month(2010, 12)


@pytest.fixture(autouse=True)
def today_is_september_2009(monkeypatch):
    monkeypatch.setattr("plans.forms.timezone.localdate", lambda *_: datetime.date(2009, 9, 14))


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07")


@pytest.fixture
def officer(role_user):
    return role_user("officer")


@pytest.fixture
def action(plan, officer):
    return make_action(
        make_measure(make_priority(plan, "CP14", "Customer Service"), "14.1", "Customer contact"),
        "14.1.1",
        "Customer service centre",
        leads=[make_lead("T1", user=officer)],
        original="2009-07",
        planned=["2009-07"],
    )


def request_url(action, month="2009-07"):
    return reverse("plans:request-change", kwargs={"slug": "p", "pk": action.pk, "month": month})


def decide_url(change):
    return reverse("plans:decide", kwargs={"slug": "p", "pk": change.pk})


def test_the_window_is_two_plan_years_after_the_plans_last_month(plan):
    assert TARGET_MONTHS_AFTER_PLAN == 24
    assert (plan.target_month_list[0], plan.target_month_list[-1]) == (Month(2009, 7), Month(2012, 6))


def test_the_new_target_list_runs_into_later_plan_years_and_says_which(plan, action):
    form = ChangeRequestForm(action=action, plan=plan, month=JULY)
    html = form["new_target"].as_widget()
    assert '<optgroup label="This plan year, 2009/10">' in html
    assert '<optgroup label="Next plan year">' in html
    assert '<option value="2010-12">December 2010 (next plan year)</option>' in html
    assert '<option value="2012-06">June 2012 (2011/12 plan year)</option>' in html
    assert 'value="2009-07"' not in html and 'value="2012-07"' not in html


def test_a_reprogramme_to_december_2010_is_requested_and_approved(client, client_as, officer, action):
    client.force_login(officer)
    response = client.post(
        request_url(action), {"kind": "REPROGRAMME", "new_target": "2010-12", "reason": "Put on hold"}
    )
    assert response["Location"] == "/plans/p/my/2009-07/"
    change = ChangeRequest.objects.get(action=action)
    assert (change.state, change.new_target) == ("PENDING", datetime.date(2010, 12, 1))

    make_status(action, "2009-07", "AMBER")
    client_as("performance").post(decide_url(change), {f"r{change.pk}-decision": "approve"})
    action.refresh_from_db()
    assert (action.revised_target, action.reprogrammed) == (datetime.date(2010, 12, 1), True)
    assert action.target == DECEMBER_2010
    # REPRO is written for the request's month only.
    assert list(MonthlyStatus.objects.filter(action=action).values_list("month", "status")) == [
        (datetime.date(2009, 7, 1), "REPRO")
    ]


@pytest.fixture
def approved(action, officer, role_user):
    change = services.request_change(
        user=officer,
        action=action,
        kind="REPROGRAMME",
        month=JULY,
        reason="Put on hold",
        new_target=DECEMBER_2010,
    )
    services.decide_request(user=role_user("performance"), request=change, approve=True)
    action.refresh_from_db()
    return action


def test_for_the_rest_of_the_year_the_action_is_live_and_suggested_reprogrammed(plan, approved):
    later = [m for m in plan.month_list if m > JULY]
    assert (later[0], later[-1]) == (Month(2009, 8), Month(2010, 6))
    live = {m: set(Action.objects.filter(plan=plan).live_in(m).values_list("ref", flat=True)) for m in later}
    assert live == {m: {"14.1.1"} for m in later}
    for month in later:
        approved_status = approved.approved_status_in(month)
        assert approved_status == Status.REPRO
        assert is_live(month=month, planned=approved.planned_month_list, target=approved.target,
                       completed=None, approved=approved_status)  # fmt: skip
        assert ActionMonthForm.suggestion_for(approved, month) == Status.REPRO
        assert ActionMonthForm.suggestion_for(approved, month).label == "Re-programmed"


def test_the_pages_show_the_later_target(client, client_as, officer, plan, approved):
    client.force_login(officer)
    body = client.get(reverse("plans:my-month", kwargs={"slug": "p", "month": "2010-03"})).content.decode()
    assert "December 2010 (re-programmed with approval)" in body
    assert 'value="REPRO"' in body
    page = client_as("performance").get(reverse("plans:detail", kwargs={"slug": "p"}))
    assert page.status_code == 200 and "Dec 10 (re-programmed)" in page.content.decode()
    report = client_as("performance").get(reverse("reports:month", kwargs={"slug": "p", "month": "2009-07"}))
    assert report.status_code == 200


def test_the_full_plan_strip_does_not_mark_a_target_outside_the_plan(plan, approved):
    doc = documents.build_full_plan(plan, Month(2009, 8))
    [row] = doc.sections[0].measures[0].rows
    assert len(row.cells) == 12
    assert documents.full_plan_source(plan, Month(2009, 8)).html


def test_the_exception_block_prints_a_revised_date_in_the_next_year(plan, action):
    action.revised_target = DECEMBER_2010.first_day
    action.save()
    make_status(action, "2009-08", "RED", corrective_action="Put on hold by the CEO")
    report = build_exception_report(plan, Month(2009, 8))
    [block] = [b for g in report.groups for b in g.blocks]
    assert (block.ref, block.original_date, block.revised_date) == ("14.1.1", "July 09", "Dec 10")
    assert all(not cell.reprogrammed for cell in block.strip)


def test_the_lead_may_give_a_revised_date_in_the_next_plan_year(plan, action):
    def form(value):
        data = {
            "version": action.version,
            "status": "RED",
            "corrective_action": "Put on hold",
            "revised_target": value,
            "completed": "",
            "note": "",
        }
        return ActionMonthForm({f"a{action.pk}-{k}": v for k, v in data.items()}, action=action, plan=plan,
                               month=Month(2009, 8))  # fmt: skip

    accepted = form("2010-12")
    assert accepted.is_valid(), accepted.errors
    assert accepted.cleaned_data["revised_target"] == DECEMBER_2010
    refused = form("2012-07")
    assert not refused.is_valid()
    assert refused.errors["revised_target"] == [
        "Choose a month from July 2009 to June 2012: a target may be up to 24 months after the plan's "
        "last month, June 2010."
    ]


def test_a_new_target_beyond_the_window_is_refused_with_a_message(client, officer, action):
    client.force_login(officer)
    body = client.post(
        request_url(action), {"kind": "REPROGRAMME", "new_target": "2012-07", "reason": "kept reason"}
    ).content.decode()
    assert (
        "Choose a month from August 2009 to June 2012: a target may be up to 24 months after the "
        "plan&#x27;s last month, June 2010."
    ) in body
    assert "kept reason" in body
    assert not ChangeRequest.objects.filter(action=action).exists()
    with pytest.raises(ValidationError, match="no later than June 2012"):
        services.request_change(user=officer, action=action, kind="REPROGRAMME", month=JULY, reason="r",
                                new_target=Month(2012, 7))  # fmt: skip


def test_a_revised_date_in_the_next_year_exports_and_imports(plan, approved):
    exported = export_plan(plan)
    copy = import_plan(read_workbook(exported), slug="copy", organisation=plan.organisation).plan
    assert Action.objects.get(plan=copy, ref="14.1.1").revised_target == datetime.date(2010, 12, 1)
    # Re-imported into the same plan, the date stays.
    import_plan(read_workbook(exported, plan=plan), plan=plan)
    approved.refresh_from_db()
    assert approved.revised_target == datetime.date(2010, 12, 1)


@pytest.mark.parametrize("text", ["December 2010", "Dec 10", "2010-12", datetime.date(2010, 12, 1)])
def test_the_reader_reads_a_revised_date_in_a_later_plan_year(plan, text):
    assert parse_month(text, plan.month_list) == DECEMBER_2010


def test_a_recorded_revised_date_beyond_the_window_is_kept_by_the_form(plan, action):
    # An imported date may lie beyond the window: offered as it is, so saving the row keeps it.
    action.revised_target = datetime.date(2013, 1, 1)
    action.save()
    form = ActionMonthForm(action=action, plan=plan, month=Month(2009, 8))
    assert '<option value="2013-01" selected>January 2013 (2012/13 plan year)</option>' in str(
        form["revised_target"]
    )
