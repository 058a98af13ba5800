"""One rule per fact: "live in a month" is ``plans.status.is_live`` in Python and
``ActionQuerySet.live_in`` in SQL (the month page's ``on_month_page`` selects with the first); the marks of a strip are ``plans.status.MARKERS`` on every page."""

import datetime
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import Action, ChangeRequest, PlannedMonth
from plans.periods import Month
from plans.status import MARKERS, is_live
from tests.factories import make_action, make_measure, make_plan, make_priority, make_status

YEAR = [Month(2009, 7) + i for i in range(12)]
maybe_month = st.none() | st.sampled_from(YEAR)


@pytest.fixture
def measure(db):
    # One plan for every example (examples share the test's transaction); each deletes its action.
    return make_measure(make_priority(make_plan(slug="live-rule", first_month="2009-07")))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    planned=st.sets(st.sampled_from(YEAR), max_size=3),
    original=maybe_month,
    revised=maybe_month,
    reprogrammed=st.booleans(),
    completed=maybe_month,
    approval=st.none()
    | st.tuples(st.sampled_from(["REPROGRAMME", "SUSPENSION"]), st.sampled_from(YEAR), maybe_month),
    month=st.sampled_from(YEAR),
)
def test_the_sql_and_python_live_rules_agree(
    measure, planned, original, revised, reprogrammed, completed, approval, month
):
    action = make_action(
        measure,
        "1.1.1",
        "Any action",
        original=str(original) if original else None,
        revised=str(revised) if revised else None,
    )
    action.reprogrammed = reprogrammed
    action.completed_month = completed.first_day if completed else None
    action.save()
    PlannedMonth.objects.bulk_create(PlannedMonth(action=action, month=m.first_day) for m in planned)
    if approval is not None:
        kind, start, target = approval
        if kind == "REPROGRAMME" and target is None:
            target = start + 1
        ChangeRequest.objects.create(
            action=action,
            kind=kind,
            month=start.first_day,
            new_target=target.first_day if kind == "REPROGRAMME" else None,
            reason="Agreed",
            state="APPROVED",
        )
    try:
        in_sql = Action.objects.filter(pk=action.pk).live_in(month).exists()
        action = Action.objects.with_grid().with_approvals().get(pk=action.pk)
        in_python = is_live(
            month=month,
            planned=action.planned_month_list,
            target=action.target,
            completed=Month.from_date(action.completed_month) if action.completed_month else None,
            approved=action.approved_status_in(month),
        )
        assert in_sql == in_python
        # The month page applies the rule in Python to what it reads (``on_month_page``): the
        # actions it lists are those ``live_or_recorded_in`` selects.
        on_page = [a.pk for a in Action.objects.filter(pk=action.pk).on_month_page(month)]
        assert on_page == list(
            Action.objects.filter(pk=action.pk).live_or_recorded_in(month).values_list("pk", flat=True)
        )
    finally:
        action.delete()


@pytest.mark.django_db
def test_the_plan_page_and_the_report_print_the_same_marks(client_as):
    plan = make_plan(slug="marks", first_month="2009-07")
    action = make_action(make_measure(make_priority(plan)), "1.1.1", "Late study", original="2009-07")
    make_status(action, "2009-08", "RED", corrective_action="Chasing")
    client = client_as("cmt")
    plan_page = client.get(f"/plans/{plan.slug}/").content.decode()
    report = client.get(f"/reports/{plan.slug}/2009-08/").content.decode()
    for key in ("planned", "original", "reprogrammed"):
        marker = MARKERS[key]
        assert f">{marker.symbol}</span> {marker.word}" in plan_page
        assert re.search(rf">{re.escape(marker.symbol)}</span> {marker.word}", report), key
    # 1.1.1's strip marks its original month the same way on both pages.
    original = f'<span aria-hidden="true">{MARKERS["original"].symbol}</span><span class="visually-hidden">Original date</span>'
    assert original in plan_page and original in report
    assert datetime.date(2009, 7, 1) == action.original_target
