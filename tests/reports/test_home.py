"""The home page: each person lands on what waits for them, part by part as their roles allow."""

import datetime

import pytest

from plans import roles, services
from plans.models import ChangeRequest, MonthlyStatus
from plans.periods import Month
from plans.selectors import approvals_waiting
from reports.closing import close_month
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import (
    give_role,
    make_action,
    make_lead,
    make_measure,
    make_organisation,
    make_plan,
    make_priority,
    make_sized_plan,
    make_status,
    make_user,
)

JULY = Month(2009, 7)


@pytest.fixture
def in_july_2009(monkeypatch):
    """ "This month" is July 2009 in the reporting calendar."""
    monkeypatch.setattr("plans.selectors.timezone.localdate", lambda: datetime.date(2009, 7, 20))


@pytest.fixture
def plan(db, role_user, in_july_2009):
    """Four actions live in July 2009 (leads named apart from the demo's, which the session may hold): QS (the officer) leads three, one with a status; QH leads
    one without; the officer has asked to suspend one of theirs."""
    plan = make_plan(slug="p", title="Improvement Plan 2009/10")
    measure = make_measure(make_priority(plan))
    ps = make_lead("QS", user=role_user("officer"), name="Pat Smith")
    hb = make_lead("QH", name="Hal Brown")
    mine = [
        make_action(measure, f"1.1.{i}", f"Mine {i}", leads=[ps], planned=["2009-07"], original="2009-07")
        for i in (1, 2, 3)
    ]
    theirs = make_action(measure, "1.1.4", "Theirs", leads=[hb], planned=["2009-07"], original="2009-07")
    make_status(mine[0], "2009-07", "GREEN")
    services.request_change(
        user=role_user("officer"), action=mine[1], kind="SUSPENSION", month=JULY, reason="On hold"
    )
    return plan, mine, theirs


def test_an_officer_sees_their_actions_to_update_and_their_requests(plan, client_as):
    html = client_as("officer").get("/").content.decode()
    assert "Your actions to update" in html
    assert '<span class="task-number">2</span> actions to update for July 2009' in html
    assert "you lead 3 actions this month; 1 has a status." in html
    assert '<a class="button" href="/plans/p/my/2009-07/">Update your actions for July 2009</a>' in html
    assert "Your requests waiting for a decision" in html
    assert 'Suspension of <a href="/plans/p/actions/' in html and ">1.1.2</a> from July 2009" in html
    # Not the performance team's or approvers' parts.
    for heading in ("Updates still missing", "Months ready to close", "Requests waiting for a decision</h2>"):
        assert heading not in html
    assert "Approvals (" not in html


def test_an_officer_is_told_when_every_action_has_a_status(plan, client_as):
    _, mine, _ = plan
    for action in mine[1:]:
        make_status(action, "2009-07", "GREEN")
    html = client_as("officer").get("/").content.decode()
    assert "Every one of your actions has a status for July 2009" in html
    assert "you lead 3 actions this month; 3 have a status." in html


def test_the_performance_team_sees_missing_updates_by_lead_requests_and_months_to_close(plan, client_as):
    html = client_as("performance").get("/").content.decode()
    assert '<span class="task-number">3</span> actions without a status for July 2009' in html
    # By lead, in initials order, each linked to their month page.
    assert html.index("QH (Hal Brown)") < html.index("QS (Pat Smith)")
    assert '<td class="number">1</td>' in html and '<td class="number">2</td>' in html
    assert 'href="/plans/p/chase/2009-07/">Chase updates for July 2009' in html
    assert '<span class="task-number">1</span> request to decide' in html
    assert 'href="/plans/p/approvals/">Go to approvals' in html
    assert 'href="/reports/p/2009-07/close/">Check and close July 2009' in html
    assert "1 action reported, 1 request waiting for a decision" in html
    # The navigation counts the requests waiting in the person's own council (the session's demo
    # council, when it holds one, is another).
    assert '">Approvals (1)<span class="visually-hidden"> waiting for a decision' in html


@pytest.mark.parametrize("role", ["cmt", "clerk"])
def test_cmt_and_clerks_see_this_months_report_and_its_pdfs(plan, client_as, role):
    html = client_as(role).get("/").content.decode()
    assert "July 2009: being reported, draft" in html
    assert "Improvement Plan 2009/10: 1 action reported so far." in html
    for link in ("/reports/p/2009-07/", "/reports/p/2009-07/appendix.pdf", "/reports/p/2009-07/cover.pdf"):
        assert f'href="{link}"' in html
    assert "Months ready to close" not in html and "Updates still missing" not in html
    # CMT approves, clerks do not.
    assert ("1</span> request to decide" in html) == (role == "cmt")


def test_the_last_published_report_is_offered_to_everyone(plan, client_as, role_user):
    close_month(plan[0], JULY, role_user("performance"))
    html = client_as("officer").get("/").content.decode()
    assert "July 2009: last published" in html
    assert "Improvement Plan 2009/10: 1 action." in html
    assert 'href="/reports/p/2009-07/appendix.pdf"' in html
    # July is closed and August has begun nowhere yet: nothing to update.
    assert "Your actions to update" not in html


def test_a_person_with_roles_at_two_councils_sees_each_part(plan, client_as, role_user):
    # An officer here, and CMT at another council with a request waiting there.
    other = make_organisation("other")
    theirs = make_plan(slug="theirs", organisation=other)
    action = make_action(make_measure(make_priority(theirs)), original="2009-09", planned=["2009-07"])
    ChangeRequest.objects.create(action=action, kind="SUSPENSION", month=theirs.first_month, reason="x")
    give_role(role_user("officer"), roles.CMT, other)
    html = client_as("officer").get("/").content.decode()
    assert "2</span> actions to update for July 2009" in html
    assert "1</span> request to decide" in html


def test_the_demo_home_pages(demo, client):
    from django.contrib.auth.models import User

    def home_of(username):
        client.force_login(User.objects.get(username=username))
        return client.get("/").content.decode()

    officer = home_of("officer")
    assert "you lead 10 actions this month; 10 have a status." in officer
    assert "Suspension of" in officer and ">7.3.3</a> from July 2009" in officer
    assert "June 2009: last published" in officer and "Improvement Plan 2008/09: 85 actions." in officer
    performance = home_of("performance")
    assert '<span class="task-number">3</span> requests to decide' in performance
    assert "Check and close July 2009<span" in performance
    assert "</a>: 83 actions reported, 3 requests waiting for a decision" in performance
    assert "No update missing for July 2009" in performance
    cmt = home_of("cmt")
    assert "Improvement Plan 2009/10: 83 actions reported so far." in cmt


# --- queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 1000])
@pytest.mark.parametrize(
    "role, budget",
    [
        # session, user, permissions (the user's own and their roles', one query), plans, their
        # status words, closed months, requests waiting by month, the closes and counts of the
        # months being reported (2), the last published month: 10 for everyone; then
        # the plans the officer leads in, their counts in the one such plan, their requests
        ("officer", 13),
        # the requests the team member made, the missing updates (actions, their leads, the
        # leads' users), the months to close; the navigation's count of requests waiting is
        # the page's own (no query)
        ("performance", 16),
        ("cmt", 10),
        ("clerk", 10),
    ],
)
def test_home_page_queries_do_not_grow_with_the_plan(
    db, client_as, role_user, django_assert_max_num_queries, in_july_2009, size, role, budget
):
    plan = make_sized_plan(size, months_reported=1)
    lead = plan.actions.first().leads.first()
    lead.user = role_user("officer")
    lead.save()
    # Up to 20 actions due in July without their July status: still live, so missing.
    missing = list(plan.actions.filter(planned__month=plan.first_month)[:20])
    MonthlyStatus.objects.filter(action__in=missing).delete()
    for action in plan.actions.all()[:5]:
        ChangeRequest.objects.create(action=action, kind="SUSPENSION", month=plan.first_month, reason="x")
    client = client_as(role)
    with django_assert_max_num_queries(budget + SESSION_REFRESH_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    home = response.context["home"]
    if role == "officer":
        assert (home.to_update[0].actions, home.to_update[0].to_update) == (size, len(missing))
    if role == "performance":
        assert next(w for w in home.waiting if w.plan == plan).count == 5
        assert next(m for m in home.missing if m.plan == plan).total == len(missing)


def test_the_navigation_count_is_one_query_whatever_the_number_of_requests(
    db, django_assert_num_queries, in_july_2009, role_user
):
    performance = role_user("performance")
    before = approvals_waiting(performance).count
    plans = {}
    for size, first_month in ((3, "2009-07"), (30, "2010-07")):
        plans[size] = make_sized_plan(size, months_reported=1, first_month=first_month)
        for action in plans[size].actions.all():
            ChangeRequest.objects.create(
                action=action, kind="SUSPENSION", month=plans[size].first_month, reason="x"
            )
    with django_assert_num_queries(1):
        waiting = approvals_waiting(performance)
    assert waiting.count == before + 33
    # The link opens the newest plan with a request waiting.
    assert waiting.slug == plans[30].slug


def test_a_user_without_a_role_is_refused_the_home_page(db, client):
    client.force_login(make_user("nobody"))
    assert client.get("/").status_code == 403


@pytest.mark.parametrize("role", ["performance", "cmt", "admin"])
def test_the_home_pages_navigation_count_is_the_one_every_page_shows(
    db, client_as, role_user, in_july_2009, role
):
    # The home page counts the requests waiting from its own reads (no query of the navigation's):
    # the same count and link as approvals_waiting, which the other pages' navigation reads, in
    # this council's plans and not in another council's. (The site administrator sees every
    # council's, the demo's too when the session has loaded it: counted from what was there.)
    before = approvals_waiting(role_user(role)).count
    plans = {}
    for size, first_month in ((3, "2009-07"), (4, "2010-07")):
        plans[size] = make_sized_plan(size, months_reported=1, first_month=first_month)
        for action in plans[size].actions.all():
            ChangeRequest.objects.create(
                action=action, kind="SUSPENSION", month=plans[size].first_month, reason="x"
            )
    other = make_plan(slug="elsewhere", organisation=make_organisation("elsewhere"))
    action = make_action(make_measure(make_priority(other)), "1.1.1", "Theirs", original="2009-07")
    ChangeRequest.objects.create(action=action, kind="SUSPENSION", month=other.first_month, reason="x")
    response = client_as(role).get("/")
    expected = approvals_waiting(role_user(role))
    assert response.context["approvals_waiting"] == expected
    assert expected.count == before + (8 if role == "admin" else 7)
    assert f'Approvals ({expected.count})<span class="visually-hidden">' in response.content.decode()
