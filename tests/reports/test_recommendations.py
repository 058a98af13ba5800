"""Issue 16 item 4: the Audit Commission's recommendations (seed 002), the actions answering them,
the tracker CMT reads (page and PDF) and the page where the performance team links actions."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from plans.models import Action, Recommendation, RecommendationLink
from plans.periods import Month
from plans.recommendations import RecommendationError, save_recommendation, set_linked_actions
from reports.recommendations import build_tracker
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import (
    default_organisation,
    make_action,
    make_measure,
    make_organisation,
    make_plan,
    make_priority,
    make_status,
    make_user,
)
from tests.reports.pdf_helpers import page_texts

pytestmark = pytest.mark.django_db
JULY = Month(2009, 7)
SOURCE = "Audit Commission CPA report (March 2009)"

# Seed 002, section 3, as the Audit Commission wrote them.
SEED_002 = [
    ("R1", "A culture of customer focus should be fully established at all levels within the Council."),
    (
        "R2",
        "Strategies, contracts, project specifications and business plans and accompanying action plans "
        "need to have clearly identified outcomes that the public would recognise, to deliver the outcomes "
        "intended.",
    ),
    (
        "R3",
        "Develop further its workforce planning by undertaking a comprehensive skills audit to identify "
        "and address any gaps.",
    ),
    (
        "R4",
        "Undertake routine evaluation of all projects, initiatives and partnerships to ensure that the "
        "Council's resources make the most impact and deliver the best value for money.",
    ),
    (
        "R5",
        "Strengthen the scrutiny function to ensure robust and constructive challenge of performance, "
        "plans and decisions, including the direct and indirect consequences, so that priorities are "
        "delivered fully and not unintentionally undermined.",
    ),
    (
        "R6",
        "Improve external communication by regularly checking that the community understands the "
        "Council's messages and information. This will help the public know what services are offered by "
        "the Council and allow the Council to highlight what it has achieved.",
    ),
    (
        "R7",
        "Improve external communication by providing, clear and regular information updates on progress, "
        "especially for longer term projects such as the town centre.",
    ),
]


def tracker_url(slug="bromsgrove-2009-10", month=JULY):
    return reverse("reports:recommendations", kwargs={"slug": slug, "month": str(month)})


def links_url(recommendation, slug="bromsgrove-2009-10"):
    return reverse("plans:recommendation-links", kwargs={"slug": slug, "pk": recommendation.pk})


def demo_action(demo, ref):
    return Action.objects.get(plan=demo["2009"], ref=ref)


def test_the_demo_holds_seed_002s_recommendations_as_written(demo):
    assert [
        (r.source, r.code, r.text) for r in Recommendation.objects.tracked(demo["2009"].organisation)
    ] == [(SOURCE, code, text) for code, text in SEED_002]


def test_the_july_2009_tracker_rolls_up_each_recommendation_and_the_whole(demo):
    tracker = build_tracker(demo["2009"], JULY)
    rows = [
        (r.code, [(a.ref, a.status) for a in r.actions], r.overall, tracker.rollup(r))
        for r in tracker.recommendations
    ]
    assert rows == [
        ("R1", [("9.1.1", "GREEN"), ("9.3.1", "GREEN"), ("13.4.4", "AMBER")], "AMBER", "1 Amber, 2 Green"),
        ("R2", [("5.3.1", "GREEN"), ("8.1.2", "GREEN"), ("8.3.2", "GREEN")], "GREEN", "3 Green"),
        ("R3", [("14.2.3", ""), ("15.2.1", "GREEN")], "GREEN", "1 Green, 1 without a status"),
        ("R4", [("3.1.1", "GREEN"), ("12.3.1", "GREEN"), ("14.1.2", "GREEN")], "GREEN", "3 Green"),
        ("R5", [("10.1.1", "GREEN"), ("10.1.2", "GREEN")], "GREEN", "2 Green"),
        ("R6", [("8.3.3", ""), ("8.3.4", "SUSP")], "SUSP", "1 Suspended, 1 without a status"),
        (
            "R7",
            [("1.4.2", "AMBER"), ("1.4.4", ""), ("3.2.2", "AMBER")],
            "AMBER",
            "2 Amber, 1 without a status",
        ),
    ]
    overall = tracker.overall_counts
    assert [overall.count(s) for s in ("RED", "AMBER", "GREEN", "REPRO", "SUSP")] == [0, 2, 4, 0, 1]
    assert tracker.without_status == 0
    actions = tracker.action_counts
    assert [actions.count(s) for s in ("RED", "AMBER", "GREEN", "REPRO", "SUSP")] == [0, 3, 11, 0, 1]
    assert (tracker.actions_without_status, tracker.action_total) == (3, 18)


def test_the_tracker_page_shows_each_recommendation_with_its_actions_status_word(client_as, demo):
    response = client_as("cmt").get(tracker_url())
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    for code, text in SEED_002:
        assert f"{code} {text}".replace("'", "&#x27;") in html
    # Status as a word on its colour; the roll-up in words and figures.
    assert '<span class="status status-amber">Amber</span> · 3 actions: 1 Amber, 2 Green' in html
    assert (
        '<span class="status status-susp">Suspended</span> · 2 actions: 1 Suspended, 1 without a status'
        in html
    )
    assert 'No status this month</th><td class="number">0</td><td class="number">3</td>' in html
    assert 'Total</th><td class="number">7</td><td class="number">18</td>' in html
    # CMT reads; it does not manage the links.
    assert "Change the actions answering" not in html


def test_the_tracker_pdf_reads_as_the_page(client_as, demo):
    response = client_as("clerk").get(
        reverse("reports:recommendations-pdf", kwargs={"slug": "bromsgrove-2009-10", "month": str(JULY)})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "bromsgrove-2009-10-2009-07-recommendations-tracker.pdf" in response["Content-Disposition"]
    pages = page_texts(response.content)
    text = " ".join(pages)
    assert text.startswith("Improvement Plan 2009/10: inspection recommendations Draft as at")
    assert "Inspection recommendations: progress in July 2009" in text
    assert (
        "R1 A culture of customer focus should be fully established at all levels within the Council." in text
    )
    assert "Overall: Amber · 3 actions: 1 Amber, 2 Green" in text
    assert "13.4.4 Migration of Development Control Service to Customer Service Centre PR5 DH Amber" in text
    assert "Overall: Suspended · 2 actions: 1 Suspended, 1 without a status" in text
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_the_action_page_names_the_recommendations_it_answers(client_as, demo):
    action = demo_action(demo, "13.4.4")
    html = client_as("officer").get(action.get_absolute_url()).content.decode()
    assert "<strong>R1</strong> A culture of customer focus should be fully established" in html
    assert f'href="{tracker_url()}"' in html
    other = demo_action(demo, "1.1.1")
    html = client_as("officer").get(other.get_absolute_url()).content.decode()
    assert "None: this action is not linked to an inspection recommendation." in html


# Who may do what: every report reader reads the tracker (page and PDF); only the performance team
# changes the links.
@pytest.mark.parametrize(
    "role, tracker, pdf, links",
    [
        ("officer", 200, 200, 403),
        ("performance", 200, 200, 200),
        ("cmt", 200, 200, 403),
        ("clerk", 200, 200, 403),
        ("none", 403, 403, 403),
    ],
)
def test_permission_table(client_as, demo, role, tracker, pdf, links):
    client = client_as(role)
    r1 = Recommendation.objects.get(code="R1")
    pdf_url = reverse(
        "reports:recommendations-pdf", kwargs={"slug": "bromsgrove-2009-10", "month": str(JULY)}
    )
    assert client.get(tracker_url()).status_code == tracker
    assert client.get(pdf_url).status_code == pdf
    assert client.get(links_url(r1)).status_code == links
    posted = client.post(links_url(r1), {"actions": [demo_action(demo, "1.1.1").pk]})
    assert posted.status_code == (303 if links == 200 else 403)


def test_a_refused_role_changes_no_link(client_as, demo):
    r1 = Recommendation.objects.get(code="R1")
    response = client_as("cmt").post(links_url(r1), {"actions": []})
    assert response.status_code == 403
    assert sorted(r1.links.values_list("action__ref", flat=True)) == ["13.4.4", "9.1.1", "9.3.1"]


def test_anonymous_visitors_are_sent_to_log_in(client, demo):
    r1 = Recommendation.objects.get(code="R1")
    for url in (tracker_url(), links_url(r1), reverse("reports:recommendations-current")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_menu_link_opens_the_latest_plans_current_month(client_as, demo):
    response = client_as("cmt").get(reverse("reports:recommendations-current"))
    assert response.status_code == 302
    assert response["Location"] == tracker_url()


def test_the_performance_team_links_and_unlinks_actions(client_as, demo):
    r1 = Recommendation.objects.get(code="R1")
    client = client_as("performance")
    page = client.get(links_url(r1)).content.decode()
    assert (
        f'value="{demo_action(demo, "13.4.4").pk}" id="action-{demo_action(demo, "13.4.4").pk}" checked'
        in page
    )
    keep = [demo_action(demo, ref).pk for ref in ("9.1.1", "13.4.4", "9.2.2")]
    response = client.post(links_url(r1), {"actions": keep}, follow=True)
    assert "R1: Saved: linked 9.2.2; unlinked 9.3.1." in response.content.decode()
    assert [a.ref for a in build_tracker(demo["2009"], JULY).recommendations[0].actions] == [
        "9.1.1",
        "9.2.2",
        "13.4.4",
    ]
    link = RecommendationLink.objects.get(recommendation=r1, action__ref="9.2.2")
    assert link.linked_by.username == "test-performance"


def test_an_action_of_another_plan_is_refused_beside_the_list_and_nothing_changes(client_as, demo):
    r1 = Recommendation.objects.get(code="R1")
    elsewhere = Action.objects.filter(plan=demo["2008"]).first()
    response = client_as("performance").post(links_url(r1), {"actions": [elsewhere.pk]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem: the links have not been changed" in html
    assert '<a href="#actions-heading">Choose actions of this plan only.</a>' in html
    assert sorted(r1.links.values_list("action__ref", flat=True)) == ["13.4.4", "9.1.1", "9.3.1"]


def test_the_service_refuses_the_wrong_role_and_another_plans_action(db):
    plan = make_plan(slug="one")
    other = make_plan(slug="two", first_month="2010-07")
    mine = make_action(make_measure(make_priority(plan, "CP1")), "1.1.1", "Mine")
    theirs = make_action(make_measure(make_priority(other, "CP1")), "1.1.1", "Theirs")
    performance = make_user("p", "Performance team")
    recommendation = save_recommendation(
        user=performance, organisation=plan.organisation, source="Inspection", code="R1", text="Do better."
    )
    with pytest.raises(PermissionDenied):
        set_linked_actions(
            user=make_user("c", "CMT"), recommendation=recommendation, plan=plan, actions=[mine]
        )
    with pytest.raises(RecommendationError, match="Only actions of"):
        set_linked_actions(user=performance, recommendation=recommendation, plan=plan, actions=[theirs])
    with pytest.raises(RecommendationError, match="Inspection already has a recommendation R1."):
        save_recommendation(
            user=performance, organisation=plan.organisation, source="Inspection", code="R1", text="Again."
        )
    assert not RecommendationLink.objects.filter(recommendation=recommendation).exists()


def _recommendations_with_actions(plan, count: int, performance) -> None:
    measure = make_measure(make_priority(plan, f"P{count}"))
    for i in range(count):
        recommendation = save_recommendation(
            user=performance,
            organisation=plan.organisation,
            source="Inspection",
            code=f"R{i + 1}",
            text=f"Recommendation {i + 1}.",
        )
        actions = [make_action(measure, f"{i}.{j}", f"Action {i}.{j}", planned=["2009-07"]) for j in range(3)]
        for action in actions:
            make_status(action, "2009-07", "GREEN")
        set_linked_actions(user=performance, recommendation=recommendation, plan=plan, actions=actions)


# The tracker's queries: the session, the user, the user's permissions (2), the plan; then the
# recommendations, the links with their actions, measures and priorities, the leads, the month's
# statuses, the plan's words and whether the month is closed: 11, and the session's refresh.
TRACKER_QUERIES = 11 + SESSION_REFRESH_QUERIES


@pytest.mark.parametrize("count", [7, 70])
def test_the_tracker_page_queries_do_not_grow_with_the_recommendations(
    client_as, django_assert_max_num_queries, count
):
    plan = make_plan(slug="sized")
    client = client_as("cmt")
    _recommendations_with_actions(plan, count, make_user("perf", "Performance team"))
    with django_assert_max_num_queries(TRACKER_QUERIES):
        response = client.get(tracker_url("sized"))
    assert response.status_code == 200
    assert response.content.decode().count("3 actions: 3 Green") == count


def test_the_site_administrator_adds_a_recommendation_in_the_admin(client, db):
    # The admin is not scoped to organisations: site administrators only (a performance team
    # member with staff status is refused it).
    client.force_login(make_user("perf-admin", "Performance team", is_staff=True))
    assert client.get(reverse("admin:plans_recommendation_add"), follow=True).status_code == 403
    client.force_login(make_user("site-admin", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:plans_recommendation_add"),
        {
            "organisation": default_organisation().pk,
            "source": "Audit Commission CPA report (March 2009)",
            "code": "R8",
            "text": "Keep going.",
            "position": 8,
        },
    )
    assert response.status_code == 302
    assert Recommendation.objects.filter(code="R8", text="Keep going.").exists()
    refused = client.post(
        reverse("admin:plans_recommendation_add"),
        {
            "organisation": default_organisation().pk,
            "source": "Audit Commission CPA report (March 2009)",
            "code": "R8",
            "text": "Again.",
            "position": 9,
        },
    )
    assert refused.status_code == 200
    assert (
        "Recommendation with this Organisation, Source and Code already exists." in refused.content.decode()
    )


def test_the_performance_team_adds_a_recommendation_then_ticks_its_actions(client_as):
    plan = make_plan(slug="recs")
    client = client_as("performance")
    add = reverse("plans:recommendation-add", kwargs={"slug": "recs"})
    assert "Add an inspection recommendation" in client.get(tracker_url("recs")).content.decode()
    # Nothing given: each message beside its field and in the summary; nothing saved.
    page = client.post(add, {"source": "", "code": "", "text": ""})
    html = page.content.decode()
    assert page.status_code == 400 and 'id="error-summary"' in html
    assert "Enter the recommendation&#x27;s number as the report gives it" in html
    assert not Recommendation.objects.filter(organisation=plan.organisation).exists()
    source = "Audit Commission CPA report (March 2009)"
    response = client.post(add, {"source": source, "code": "R8", "text": "Keep <going>."})
    saved = Recommendation.objects.get(organisation=plan.organisation, code="R8")
    assert response.status_code == 303
    assert response["Location"] == reverse(
        "plans:recommendation-links", kwargs={"slug": "recs", "pk": saved.pk}
    )
    assert "Keep &lt;going&gt;." in client.get(tracker_url("recs")).content.decode()
    # The same number from the same report is refused beside the number, with what was typed kept.
    again = client.post(add, {"source": source, "code": "R8", "text": "Again."}).content.decode()
    assert f"{source} already has a recommendation R8." in again and "Again." in again
    edit = reverse("plans:recommendation-edit", kwargs={"slug": "recs", "pk": saved.pk})
    client.post(edit, {"source": source, "code": "R8", "text": "Keep going, faster."})
    saved.refresh_from_db()
    assert saved.text == "Keep going, faster."


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk"])
def test_only_the_performance_team_adds_or_changes_recommendations(client_as, role):
    make_plan(slug="recs")
    response = client_as(role).post(
        reverse("plans:recommendation-add", kwargs={"slug": "recs"}),
        {"source": "A report", "code": "R1", "text": "Do it."},
    )
    assert response.status_code == 403
    assert not Recommendation.objects.filter(code="R1", source="A report").exists()


def test_another_councils_recommendation_is_not_found(client_as):
    other = make_plan(slug="elsewhere", organisation=make_organisation("elsewhere-council"))
    theirs = Recommendation.objects.create(organisation=other.organisation, source="S", code="R1", text="T")
    make_plan(slug="recs")
    client = client_as("performance")
    assert client.get(reverse("plans:recommendation-add", kwargs={"slug": "elsewhere"})).status_code == 404
    edit_theirs = reverse("plans:recommendation-edit", kwargs={"slug": "recs", "pk": theirs.pk})
    assert client.post(edit_theirs, {"source": "S", "code": "R1", "text": "Changed"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "T"
