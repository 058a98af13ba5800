"""Issue 4's pages on the demo plan (read only: the demo is shared by the whole session)."""

import pytest
from django.contrib.auth.models import User

PLAN = "/plans/bromsgrove-2009-10/"


@pytest.fixture
def officer_client(client, demo):
    client.force_login(User.objects.get(username="officer"))
    return client


def test_officer_ps_sees_their_july_2009_actions_with_the_seeds_ambers(officer_client):
    response = officer_client.get(PLAN + "my/2009-07/")
    rows = {row.action.ref: row for row in response.context["rows"]}
    ambers = sorted(ref for ref, row in rows.items() if row.form and row.form["status"].value() == "AMBER")
    assert sorted(rows) == [
        "1.1.1",
        "1.1.2",
        "1.2.1",
        "1.3.1",
        "1.3.2",
        "1.4.1",
        "1.4.2",
        "1.4.3",
        "1.4.5",
        "7.3.3",
    ]
    # Four of CP1's ambers, and 7.3.3 (FP3): its suspension is pending, so it still counts Amber
    # (seed 000, table 3.3).
    assert ambers == ["1.1.1", "1.2.1", "1.4.2", "1.4.5", "7.3.3"]
    assert rows["7.3.3"].pending.get_kind_display() == "Suspension"
    assert rows["1.1.1"].form["corrective_action"].value() == (
        "Meeting planned for September to start this work with planning architects."
    )


def test_the_plan_page_shows_july_2009s_five_approved_suspensions(client_as, demo):
    client = client_as("clerk")
    response = client.get(PLAN, {"status": "SUSP", "month": "2009-07"})
    refs = [row.record.ref for row in response.context["table"].paginated_rows]
    assert refs == ["5.4.1", "5.4.2", "5.4.3", "5.4.7", "8.3.4"]
    amber = client.get(PLAN, {"status": "AMBER", "month": "2009-07"})
    assert amber.context["table"].paginator.count == 11


def test_the_plan_page_prints_each_prioritys_expected_outcome(client_as, demo):
    body = client_as("cmt").get(PLAN).content.decode()
    assert "CP1: Town Centre" in body
    assert "Expected outcome: Regeneration of Bromsgrove Town Centre" in body
