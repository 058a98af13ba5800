import pytest
from django.db import IntegrityError, transaction

from plans.models import Action, MonthlyStatus
from plans.periods import Month
from tests.factories import make_action, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure():
    return make_measure(make_priority(make_plan()))


def test_one_status_per_action_and_month(measure):
    action = make_action(measure)
    make_status(action, "2009-07", "GREEN")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_status(action, "2009-07", "AMBER")
    make_status(action, "2009-08", "AMBER")  # another month is fine
    assert MonthlyStatus.objects.filter(action=action).count() == 2


def test_the_database_refuses_a_status_that_is_not_counted(measure):
    action = make_action(measure)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_status(action, "2009-07", "BLUE")


def test_a_month_is_stored_as_its_first_day(measure):
    from datetime import date

    action = make_action(measure)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyStatus.objects.create(action=action, month=date(2009, 7, 15), status="GREEN")


def test_refs_are_kept_as_written_and_actions_ordered_by_position(measure):
    for position, ref in enumerate(["20 2", "1.1.", "2.1, 2.2, 2.3,", "4.1.3", "4.1.3"], start=1):
        make_action(measure, ref=ref, position=10 - position)
    refs = list(
        Action.objects.filter(plan=measure.priority.plan).in_plan_order().values_list("ref", flat=True)
    )
    assert refs == ["4.1.3", "4.1.3", "2.1, 2.2, 2.3,", "1.1.", "20 2"]


def test_live_in_a_month(measure):
    planned = make_action(measure, ref="a", planned=["2009-08"])
    overdue = make_action(measure, ref="b", original="2009-07")
    done_before = make_action(measure, ref="c", original="2009-07", completed="2009-07")
    done_this_month = make_action(measure, ref="d", original="2009-07", completed="2009-08")
    not_yet = make_action(measure, ref="e", original="2009-09")
    reprogrammed = make_action(measure, ref="f", original="2009-07", revised="2009-10", reprogrammed=True)
    extended = make_action(measure, ref="g", original="2009-07", revised="2009-10")
    live = set(Action.objects.filter(plan=measure.priority.plan).live_in(Month(2009, 8)))
    assert live == {planned, overdue, done_this_month, extended}
    assert done_before not in live and not_yet not in live and reprogrammed not in live


def test_plan_months_follow_its_first_month():
    plan = make_plan(first_month="2009-04")
    assert plan.start == Month(2009, 4)
    assert plan.end == Month(2010, 3)
    assert plan.contains(Month(2010, 3)) and not plan.contains(Month(2010, 4))
    assert plan.year_label == "2009/10"


@pytest.mark.django_db
def test_an_action_without_a_ref_is_named_by_the_start_of_its_description():
    measure = make_measure(make_priority(make_plan()))
    written = make_action(
        measure, "", "Direction of Travel: Produce and submit annual Direction of Travel Statement"
    )
    assert written.short_name == "Direction of Travel: Produce and submit annual Direction…"
    assert make_action(measure, "1.1.1", "Engage specialists").short_name == "1.1.1"
    assert make_action(measure, "", "Refresh LAA").short_name == "Refresh LAA"
