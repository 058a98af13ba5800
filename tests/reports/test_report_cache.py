"""The exception report and its summary JSON are kept in a cache under the version of the data
they show (``reports.versions``): served again while nothing changed; once it has, built again at
once for whoever wrote and for a close, a re-open or a change to names or the plan, and within
``REPORT_DRAFT_REFRESH`` seconds for other readers while officers save a draft.

These tests commit (``transaction=True``), as the server does: the cache is only read and filled
outside a transaction."""

from __future__ import annotations

import pytest
from django.apps import apps

from plans import services
from plans.models import ChangeRequest, StatusTerm
from plans.periods import Month
from plans.roles import sync_groups
from reports import closing, versions
from reports.models import DataVersion
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db(transaction=True)

JULY = Month(2009, 7)


@pytest.fixture(autouse=True)
def empty_cache():
    # A transactional test may follow another's flush, which empties the role groups too.
    sync_groups(apps)
    versions.forget()
    yield
    versions.forget()


@pytest.fixture
def plan(role_user):
    plan = make_plan(slug="cached", title="Cached plan")
    lead = make_lead("AB")
    measure = make_measure(make_priority(plan, code="CP1", title="Town Centre"), ref="1.1")
    for n, status in enumerate(["GREEN", "AMBER", "RED"], start=1):
        action = make_action(
            measure, ref=f"1.1.{n}", description=f"Action {n}", leads=[lead], original="2009-07"
        )
        make_status(action, "2009-07", status, corrective_action=f"Behind {n}" if status != "GREEN" else "")
    return plan


@pytest.fixture
def reader(client_as):
    return client_as("cmt")


def figures(client, plan) -> dict:
    return client.get(f"/reports/{plan.slug}/2009-07/summary.json").json()


def page(client, plan) -> str:
    response = client.get(f"/reports/{plan.slug}/2009-07/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_read_is_served_from_the_cache(plan, reader, django_assert_max_num_queries):
    first = figures(reader, plan)
    assert first["counts"] == {"GREEN": 1, "AMBER": 1, "RED": 1, "REPRO": 0, "SUSP": 0}
    page(reader, plan)
    # Session, user, permissions (2), the plan with its data versions: nothing of the report.
    with django_assert_max_num_queries(5 + SESSION_REFRESH_QUERIES):
        assert figures(reader, plan) == first
    # The page adds the picker's plans and the navigation's own reads, not the report's.
    with django_assert_max_num_queries(7 + SESSION_REFRESH_QUERIES):
        assert "Behind 2" in page(reader, plan)


def _action(plan, ref):
    return plan.actions.get(ref=ref)


def save_status(plan, user):
    services.set_status(action=_action(plan, "1.1.1"), month=JULY, status="RED", user=user)


def save_month_page(plan, user):
    action = _action(plan, "1.1.2")
    services.update_month(
        user=user,
        plan=plan,
        month=JULY,
        updates=[
            services.ActionUpdate(
                action_id=action.pk,
                version=action.version,
                status="AMBER",
                corrective_action="Now waiting for the architects",
                revised_target=None,
                completed=None,
                note="",
            )
        ],
    )


def approve_request(plan, user):
    action = _action(plan, "1.1.3")
    request = services.request_change(
        user=user, action=action, kind=ChangeRequest.Kind.SUSPENSION, month=JULY, reason="Paused by Cabinet"
    )
    services.decide_request(request=request, user=user, approve=True, notify=False)


def edit_structure_in_the_admin(plan, user):
    priority = plan.priorities.get()
    priority.title = "Town Centre and Markets"
    priority.save()


def new_status_word(plan, user):
    StatusTerm.objects.create(plan=plan, word="Off track", status="RED", is_default=True)


def rename_lead(plan, user):
    lead = _action(plan, "1.1.2").leads.get()
    lead.initials = "X-Y"  # a hyphen: never in the page's random CSRF token
    lead.save()


def close_month(plan, user):
    closing.close_month(plan, JULY, user)


# Each write, and what the report shows after it (a figure of the JSON or a text of the page).
WRITES = [
    (save_status, lambda data, html: data["counts"]["RED"] == 2),
    (save_month_page, lambda data, html: "Now waiting for the architects" in html),
    (approve_request, lambda data, html: data["counts"]["SUSP"] == 1),
    (edit_structure_in_the_admin, lambda data, html: "Town Centre and Markets" in html),
    (new_status_word, lambda data, html: "Off track" in html),
    (rename_lead, lambda data, html: "X-Y" in html),
    (close_month, lambda data, html: "published" in data),
]


@pytest.mark.parametrize("write, shows", WRITES, ids=[w.__name__ for w, _ in WRITES])
def test_with_no_draft_refresh_every_write_is_seen_at_once(plan, reader, role_user, write, shows, settings):
    settings.REPORT_DRAFT_REFRESH = 0
    performance = role_user("performance")
    before_data, before_html = figures(reader, plan), page(reader, plan)
    assert not shows(before_data, before_html)
    write(plan, performance)
    assert shows(figures(reader, plan), page(reader, plan))


# Writes beyond the plan's own data (a lead's name, which any plan may show; a close): seen at
# once, whatever the refresh.
AT_ONCE = WRITES[5:]


@pytest.mark.parametrize("write, shows", AT_ONCE, ids=[w.__name__ for w, _ in AT_ONCE])
def test_a_close_or_a_change_to_names_or_the_plan_is_seen_at_once(plan, reader, role_user, write, shows):
    performance = role_user("performance")
    assert not shows(figures(reader, plan), page(reader, plan))
    write(plan, performance)
    assert shows(figures(reader, plan), page(reader, plan))


class Clock:
    """``time.monotonic`` as ``reports.versions`` reads it, moved on by hand."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(versions.time, "monotonic", lambda: self.now)


def test_a_draft_is_read_again_every_few_seconds_while_officers_save(plan, reader, role_user, monkeypatch):
    clock = Clock(monkeypatch)
    performance = role_user("performance")
    assert figures(reader, plan)["counts"]["RED"] == 1
    html = page(reader, plan)
    assert "These are the figures as at " in html
    save_status(plan, performance)
    save_month_page(plan, performance)
    # Someone else's saves: the draft page read before them is served for REPORT_DRAFT_REFRESH
    # (5) seconds, while the summary JSON, built from the counts alone, is always current.
    clock.now += 4.9
    assert "Now waiting for the architects" not in page(reader, plan)
    assert figures(reader, plan)["counts"]["RED"] == 2
    clock.now += 0.2
    assert "Now waiting for the architects" in page(reader, plan)


def test_whoever_saves_sees_their_save_in_the_report_at_once(plan, client, role_user, monkeypatch):
    Clock(monkeypatch)
    officer = role_user("officer")
    action = _action(plan, "1.1.1")
    action.leads.update(user=officer)
    client.force_login(officer)
    assert "The contractor has gone into administration" not in page(client, plan)
    body = {
        "action": [str(action.pk)],
        f"a{action.pk}-version": str(action.version),
        f"a{action.pk}-status": "RED",
        f"a{action.pk}-corrective_action": "The contractor has gone into administration",
        f"a{action.pk}-note": "",
        f"a{action.pk}-revised_target": "",
        f"a{action.pk}-completed": "",
    }
    response = client.post(f"/plans/{plan.slug}/my/2009-07/", body)
    assert response.status_code == 302
    assert versions.LAST_WRITE_COOKIE in response.cookies
    # The clock has not moved: another reader would still be served the draft page read before.
    assert "The contractor has gone into administration" in page(client, plan)
    assert figures(client, plan)["counts"] == {"GREEN": 0, "AMBER": 1, "RED": 2, "REPRO": 0, "SUSP": 0}


def test_a_refused_save_or_a_read_leaves_no_write_time(plan, client, role_user):
    officer = role_user("officer")
    client.force_login(officer)
    assert versions.LAST_WRITE_COOKIE not in client.get(f"/plans/{plan.slug}/my/2009-07/").cookies
    # Not one of their actions: refused.
    action = _action(plan, "1.1.1")
    response = client.post(f"/plans/{plan.slug}/my/2009-07/", {"action": [str(action.pk)]})
    assert response.status_code >= 400 or versions.LAST_WRITE_COOKIE not in response.cookies


def test_a_reopened_month_is_a_draft_again(plan, reader, role_user):
    user = role_user("performance")
    closing.close_month(plan, JULY, user)
    assert "published" in figures(reader, plan)
    closing.reopen_month(plan, JULY, user, "A late update")
    assert "published" not in figures(reader, plan)
    assert "A late update" in page(reader, plan)


def test_a_save_bumps_its_plans_version_once(plan, role_user):
    key = f"plan:{plan.pk}"
    save_status(plan, role_user("performance"))
    before = DataVersion.objects.get(key=key).number
    every_plans = DataVersion.objects.get(key=versions.ALL).number
    save_month_page(plan, role_user("performance"))
    # One bump when the save's writes are done; the action, status and history rows written
    # under it, which the signals also see, add none, and other plans' reports are not touched.
    assert DataVersion.objects.get(key=key).number == before + 1
    assert DataVersion.objects.get(key=versions.ALL).number == every_plans


def test_a_write_to_the_previous_year_is_seen_in_this_years_report(reader, role_user):
    previous = make_plan(slug="previous", first_month="2008-07")
    measure = make_measure(make_priority(previous), ref="1.1")
    old = make_action(measure, ref="1.1.1", original="2008-07")
    plan = make_plan(slug="this-year", previous=previous)
    measure = make_measure(make_priority(plan), ref="1.1")
    make_status(make_action(measure, ref="1.1.1", original="2009-07"), "2009-07", "GREEN")
    make_status(old, "2008-07", "GREEN")

    def last_years_reds() -> int:
        report = reader.get(f"/reports/{plan.slug}/2009-07/").context["report"]
        return report.progress[0].previous.figures.count("RED")

    assert last_years_reds() == 0
    services.set_status(action=old, month=Month(2008, 7), status="RED", user=role_user("performance"))
    assert last_years_reds() == 1


def test_readers_of_the_draft_appendix_share_one_layout_of_the_kept_report(
    plan, client_as, monkeypatch, media_root
):
    from reports import documents

    built = []
    real = documents._source

    def counted(template, doc, blocks=0):
        built.append(template)
        return real(template, doc, blocks)

    monkeypatch.setattr(documents, "_source", counted)
    clerk = client_as("clerk")
    for _ in range(3):
        response = clerk.get(f"/reports/{plan.slug}/2009-07/appendix.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Laid out once, from the kept report; the later requests are served the stored copy.
    assert built == ["pdf/appendix.html"]


@pytest.mark.parametrize("cookie", ["not a time", "", "1e400", "-5"])
def test_a_write_time_cookie_that_is_not_a_time_is_no_write(plan, reader, cookie):
    # The cookie is the reader's own to set: whatever it holds, the report is served.
    reader.cookies[versions.LAST_WRITE_COOKIE] = cookie
    assert "These are the figures as at " in page(reader, plan)
    assert figures(reader, plan)["counts"]["RED"] == 1
