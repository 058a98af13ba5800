"""plans.services.update_month: the rules that hold whichever screen calls it."""

import threading

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection

from plans import services
from plans.models import ActionChange, MonthlyStatus
from plans.periods import Month
from plans.roles import sync_groups
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority

JULY = Month(2009, 7)


def build(role_user):
    officer = role_user("officer")
    plan = make_plan(slug="p", first_month="2009-07")
    measure = make_measure(make_priority(plan))
    mine = make_action(measure, "1.1.1", "Mine", leads=[make_lead("T1", user=officer)], original="2009-07")
    theirs = make_action(measure, "1.1.2", "Theirs", leads=[make_lead("T2")], original="2009-07")
    return officer, plan, mine, theirs


def update(action, status="AMBER", version=1, **kwargs):
    return services.ActionUpdate(action_id=action.pk, version=version, status=status, **kwargs)


@pytest.mark.django_db
def test_an_officer_cannot_update_another_leads_action_even_through_the_service(role_user):
    officer, plan, mine, theirs = build(role_user)
    with pytest.raises(PermissionDenied):
        services.update_month(user=officer, plan=plan, month=JULY, updates=[update(mine), update(theirs)])
    assert not MonthlyStatus.objects.filter(action__plan=plan).exists()


@pytest.mark.django_db
def test_the_performance_team_updates_any_action(role_user):
    _, plan, mine, theirs = build(role_user)
    performance = role_user("performance")
    assert (
        services.update_month(
            user=performance, plan=plan, month=JULY, updates=[update(theirs, "RED", corrective_action="Late")]
        )
        == 1
    )
    assert MonthlyStatus.objects.get(action=theirs).status == "RED"


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["REPRO", "SUSP"])
def test_reprogrammed_and_suspended_cannot_be_set_directly(role_user, status):
    officer, plan, mine, _ = build(role_user)
    with pytest.raises(PermissionDenied):
        services.update_month(user=officer, plan=plan, month=JULY, updates=[update(mine, status)])


@pytest.mark.django_db
def test_a_failed_save_writes_nothing_at_all(role_user):
    officer, plan, mine, _ = build(role_user)
    second = make_action(mine.measure, "1.1.3", "Also mine", leads=list(mine.leads.all()), original="2009-07")
    second.version = 5
    second.save()
    with pytest.raises(services.StaleUpdateError) as refused:
        services.update_month(
            user=officer, plan=plan, month=JULY, updates=[update(mine), update(second, version=4)]
        )
    assert [c.action.ref for c in refused.value.conflicts] == ["1.1.3"]
    assert not MonthlyStatus.objects.filter(action__plan=plan).exists()
    assert not ActionChange.objects.filter(action__plan=plan).exists()
    mine.refresh_from_db()
    assert mine.version == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections: PostgreSQL")
def test_two_simultaneous_saves_of_one_action_one_wins_one_is_refused(role_user):
    """Two people press Save at the same moment on PostgreSQL: the row lock serialises them and the
    second sees the version the first wrote."""
    # A transactional test may follow another's flush, which empties the role groups too.
    sync_groups(apps)
    officer, plan, mine, _ = build(role_user)
    performance = role_user("performance")
    results = {}
    barrier = threading.Barrier(2)

    def save(user, text):
        barrier.wait()
        try:
            services.update_month(
                user=user, plan=plan, month=JULY, updates=[update(mine, corrective_action=text)]
            )
            results[text] = "saved"
        except services.StaleUpdateError:
            results[text] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(officer, "officer's")),
        threading.Thread(target=save, args=(performance, "performance's")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["refused", "saved"]
    winner = next(text for text, result in results.items() if result == "saved")
    assert MonthlyStatus.objects.get(action=mine).corrective_action == winner
    mine.refresh_from_db()
    assert mine.version == 2


@pytest.mark.django_db
def test_each_action_saved_costs_a_few_queries_not_one_per_constraint(
    role_user, django_assert_max_num_queries
):
    # Month end is when every officer saves at once: validating each row's constraints in Python
    # cost a query per constraint (about 24 per action); the database enforces them anyway.
    officer, plan, mine, _ = build(role_user)
    lead = mine.leads.get()
    actions = [mine] + [
        make_action(mine.measure, f"1.2.{n}", "More", leads=[lead], original="2009-07") for n in range(5)
    ]
    changes = [update(action, "AMBER", corrective_action="Waiting for the consultant") for action in actions]
    # closed month, actions, leads check, then per action: status lookup, action update, status
    # insert, two history inserts and their savepoints.
    with django_assert_max_num_queries(6 + 8 * len(actions)):
        assert services.update_month(user=officer, plan=plan, month=JULY, updates=changes) == 6
    assert MonthlyStatus.objects.filter(action__plan=plan, status="AMBER").count() == 6
