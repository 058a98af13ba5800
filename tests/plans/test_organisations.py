"""Organisations keep their people and data apart (issue 15): the role table per organisation.

Two councils: the test council (A) and a second one (B, like Rotherham), each with a plan, a lead,
an action, a request waiting, an indicator, a recommendation and a risk. A person of A is told
that nothing of B exists (404) on every address that names a plan, whatever their role; a person
with roles at both is refused (403) at B what their role there does not allow.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from cabinet import services as cabinet_services
from plans import recommendations, roles, services
from plans.models import ChangeRequest, Plan
from plans.periods import Month
from plans.services import IndicatorDefinition
from tests.factories import (
    default_organisation,
    give_role,
    make_action,
    make_lead,
    make_measure,
    make_organisation,
    make_plan,
    make_priority,
    make_status,
    make_user,
)

pytestmark = pytest.mark.django_db

JULY = "2009-07"


def council(organisation, slug: str, initials: str, risk_code: str) -> dict:
    """A plan of ``organisation`` with one of everything a URL can name."""
    team = make_user(f"{slug}-team", roles.PERFORMANCE, organisation=organisation)
    plan = make_plan(slug=slug, title=f"Plan of {organisation.name}", organisation=organisation)
    lead = make_lead(initials, user=make_user(f"{slug}-officer", roles.OFFICER, organisation=organisation),
                     organisation=organisation, name=f"Lead {initials}")  # fmt: skip
    priority = make_priority(plan)
    action = make_action(make_measure(priority), leads=[lead], original="2009-09", planned=[JULY])
    make_status(action, JULY, "AMBER", corrective_action="In hand")
    request = services.request_change(
        user=lead.user, action=action, kind=ChangeRequest.Kind.SUSPENSION, month=Month.parse(JULY),
        reason="Waiting for the budget",
    )  # fmt: skip
    indicator = services.save_indicator(
        user=team, plan=plan,
        definition=IndicatorDefinition(code=f"{initials}1", title="Invoices paid", priority=priority, lead=lead),
    )  # fmt: skip
    recommendation = recommendations.save_recommendation(
        user=team, organisation=organisation, source="Inspection", code="R1", text="Do better."
    )
    risk = cabinet_services.save_risk(
        user=team, organisation=organisation, code=risk_code, title="Money", likelihood=2, impact=3
    )
    return {
        "plan": plan,
        "lead": lead,
        "action": action,
        "request": request,
        "indicator": indicator,
        "recommendation": recommendation,
        "risk": risk,
        "team": team,
    }


@pytest.fixture
def councils():
    a = council(default_organisation(), "a-plan", "AA", "KA1")
    b = council(make_organisation("b-council", "B Metropolitan Borough Council"), "b-plan", "BB", "K-B1")
    return a, b


def plan_routes() -> list[tuple[str, str]]:
    """(route, view name) of every address that names a plan (``<slug:slug>``)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name or ""

    return [(route, name) for route, name in walk(get_resolver().url_patterns) if "<slug:slug>" in route]


# Which of B's objects an address's ``pk`` (or ``lead``) names, by the view's name.
PK_OF = {
    "decide": "request",
    "indicator": "indicator",
    "recommendation-links": "recommendation",
    "recommendation-edit": "recommendation",
    "risk-links": "risk",
}


def urls_of(data: dict) -> list[str]:
    """Every plan address filled in with ``data``'s plan, month and objects (exports in each format)."""
    urls = []
    for route, name in plan_routes():
        url = route.replace("<slug:slug>", data["plan"].slug).replace("<month:month>", JULY)
        url = url.replace("<int:lead>", str(data["lead"].pk))
        url = url.replace("<int:pk>", str(data[PK_OF.get(name, "action")].pk))
        formats = ["csv", "xlsx"] if "<str:fmt>" in url else [None]
        urls += ["/" + url.replace("<str:fmt>", fmt) if fmt else "/" + url for fmt in formats]
        assert "<" not in urls[-1], f"Fill in {urls[-1]} in this test"
    return urls


def test_the_plan_addresses_are_all_found():
    routes = [route for route, _ in plan_routes()]
    # The table below covers the plan pages, the reports, PDFs, JSON, exports and committee pages.
    assert len(routes) == 42
    assert any(route.endswith("export.<str:fmt>") for route in routes)
    assert any(route.endswith("summary.json") for route in routes)


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_another_councils_plan_is_not_found_on_any_address(client, councils, role):
    a, b = councils
    person = make_user(f"a-{role}", {"officer": roles.OFFICER, "performance": roles.PERFORMANCE,
                                     "cmt": roles.CMT, "clerk": roles.CLERK}[role])  # fmt: skip
    client.force_login(person)
    for url in urls_of(b):
        view = resolve(url).func.view_class
        for method in ("get", "post"):
            response = getattr(client, method)(url, follow=True)
            status = response.status_code
            if not hasattr(view, "permission_required"):  # an old address, sent on to a page
                assert response.redirect_chain and status in (403, 404), f"{url}: {status}"
                continue
            # Either the plan is not found, or the role may not use that kind of page at all (403
            # before anything is looked up, so that says nothing of B either); a page that
            # takes no such request refuses it (405) before looking anything up.
            expected = {404} if person.has_perms(needed(view)) else {403}
            if expected == {404} and method not in view.http_method_names:
                expected = {405}
            if expected == {404} and method == "post" and not hasattr(view, "post"):
                expected = {405}
            assert status in expected, f"{role} {method.upper()} {url}: {status}"


def needed(view) -> list[str]:
    perms = view.permission_required
    return [perms] if isinstance(perms, str) else list(perms)


def test_the_same_address_of_ones_own_council_is_found(client, councils):
    a, _ = councils
    client.force_login(a["team"])
    for url in urls_of(a):
        status = client.get(url).status_code
        assert status not in (403, 404, 500), f"{url}: {status}"


def test_a_person_of_both_councils_is_refused_at_b_what_their_role_there_does_not_allow(client, councils):
    a, b = councils
    person = make_user("both", roles.PERFORMANCE)  # the performance team at A
    give_role(person, roles.OFFICER, b["plan"].organisation)  # an officer at B
    client.force_login(person)
    officer_at_b = make_user("b-officer-only", roles.OFFICER, organisation=b["plan"].organisation)
    for url in urls_of(b):
        view = resolve(url).func.view_class
        if not hasattr(view, "permission_required"):
            continue
        method = "get" if "get" in view.http_method_names else "post"
        status = getattr(client, method)(url).status_code
        if not officer_at_b.has_perms(needed(view)):
            assert status == 403, f"{url}: {status}"
        else:
            assert status != 404, f"{url}: {status}"
    # The approval itself is refused, and nothing is decided.
    response = client.post(
        f"/plans/b-plan/approvals/{b['request'].pk}/",
        {f"r{b['request'].pk}-decision": "approve", f"r{b['request'].pk}-comment": ""},
    )
    assert response.status_code == 403
    b["request"].refresh_from_db()
    assert b["request"].state == ChangeRequest.State.PENDING
    # At A the same person approves.
    assert client.get("/plans/a-plan/approvals/").status_code == 200


def test_the_roles_are_held_per_council(councils):
    a, b = councils
    person = make_user("both", roles.PERFORMANCE)
    give_role(person, roles.CLERK, b["plan"].organisation)
    assert person.has_perm(roles.APPROVE_CHANGE)  # somewhere: the pages for approving are open to them
    assert person.has_perm(roles.APPROVE_CHANGE, a["plan"])
    assert not person.has_perm(roles.APPROVE_CHANGE, b["plan"])
    assert person.has_perm(roles.VIEW, b["action"])  # an object of the plan: its plan's council
    assert not person.has_perm(roles.CHASE, b["lead"])  # an object of the council itself
    assert list(Plan.objects.visible_to(person).order_by("slug")) == [a["plan"], b["plan"]]
    # Their own groups no longer give a role anywhere.
    stranger = make_user("stranger")
    stranger.groups.add(*person.memberships.first().role.__class__.objects.filter(name=roles.PERFORMANCE))
    stranger = type(stranger).objects.get(pk=stranger.pk)
    assert not stranger.has_perm(roles.APPROVE_CHANGE)
    assert not Plan.objects.visible_to(stranger).exists()


def test_the_site_administrator_sees_every_council(client, councils, role_user):
    client.force_login(role_user("admin"))
    for slug in ("a-plan", "b-plan"):
        assert client.get(f"/plans/{slug}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/", "/dashboard/", "/reports/", "/plans/leads/", "/risks/", "/plans/a-plan/approvals/",
     "/plans/a-plan/", "/reports/recommendations/"],
)  # fmt: skip
def test_lists_never_show_another_councils_plans_leads_or_risks(client, councils, url):
    a, b = councils
    client.force_login(a["team"])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    # (Texts with a hyphen or a space: never inside the page's random CSRF token.)
    for text in ("b-plan", "B Metropolitan", "Lead BB", "K-B1"):
        assert text not in html, f"{url} shows {text}"


def test_the_approvals_count_is_of_the_persons_own_council(client, councils):
    a, _ = councils
    client.force_login(a["team"])
    html = client.get("/plans/a-plan/").content.decode()
    assert "Approvals (1)" in html  # B's request waiting is not counted


def test_the_leads_filter_offers_the_plans_own_councils_leads(client, councils):
    a, _ = councils
    client.force_login(a["team"])
    html = client.get("/plans/a-plan/").content.decode()
    assert "AA" in html and not re.search(r">\s*BB", html)


def test_a_service_refuses_another_councils_objects(councils):
    a, b = councils
    with pytest.raises(Exception, match="not on the register"):
        cabinet_services.link_risk(user=a["team"], risk=b["risk"], plan=a["plan"], priorities=[], actions=[])
    with pytest.raises(recommendations.RecommendationError):
        recommendations.set_linked_actions(
            user=a["team"], recommendation=b["recommendation"], plan=a["plan"], actions=[]
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decide_request(user=a["team"], request=b["request"], approve=True)


def _migration(name: str):
    import importlib

    return importlib.import_module(f"plans.migrations.{name}")


class _Installation:
    """The app registry a data migration is given, holding only ``organisations`` (the session's
    demo council is in the test database too)."""

    def __init__(self, organisations):
        from django.apps import apps

        self.apps, self.organisations = apps, organisations

    def get_model(self, app_label, model_name):
        if (app_label, model_name) == ("plans", "Organisation"):
            return type("Organisations", (), {"objects": self.organisations})
        return self.apps.get_model(app_label, model_name)


def test_the_migration_turns_each_role_group_into_a_membership_of_the_only_council():
    from django.contrib.auth.models import Group

    from plans.models import Membership, Organisation

    council = default_organisation()
    officer, both = make_user("was-officer"), make_user("was-both")
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    both.groups.add(Group.objects.get(name=roles.CMT), Group.objects.get(name=roles.PERFORMANCE))
    migrate = _migration("0015_organisation_roles").memberships_from_groups
    migrate(_Installation(Organisation.objects.filter(pk=council.pk)), None)
    held = {
        m.user.username: (m.organisation.slug, m.role.name)
        for m in Membership.objects.filter(user__username__startswith="was-").select_related("user")
    }
    assert held == {
        "was-officer": ("test-council", roles.OFFICER),
        "was-both": ("test-council", roles.PERFORMANCE),  # the role that allows most
    }


def test_with_several_councils_the_migration_gives_nobody_a_role():
    from django.contrib.auth.models import Group

    from plans.models import Membership, Organisation

    default_organisation(), make_organisation("second")
    make_user("was-officer").groups.add(Group.objects.get(name=roles.OFFICER))
    migrate = _migration("0015_organisation_roles").memberships_from_groups
    migrate(_Installation(Organisation.objects.all()), None)
    assert not Membership.objects.filter(user__username="was-officer").exists()


def test_the_not_found_page_is_the_sites_own_and_names_nothing_of_the_other_council(client, councils):
    a, b = councils
    client.force_login(a["team"])
    url = urls_of(b)[0]
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page and "Go to your home page" in page
    plan = Plan.objects.get(slug=b["plan"].slug)
    assert plan.title not in page and plan.organisation.name not in page


def test_the_refused_page_says_who_to_ask(client, councils):
    a, _ = councils
    officer = make_user("a-officer-refused", roles.OFFICER)
    client.force_login(officer)
    response = client.get("/plans/leads/")
    assert response.status_code == 403
    assert "ask your council's performance team" in response.content.decode().replace("&#x27;", "'")
