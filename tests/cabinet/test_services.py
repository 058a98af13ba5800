"""The register's rules: seed 003's scoring, merging (seed 000: "TK5 and TK18 have been merged"),
links kept to one plan, and the committee report's writes refused to anyone but the team."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cabinet import services
from cabinet.committee import committee_papers, fill, risks_against
from cabinet.models import CorporateRisk
from plans.periods import Month
from tests.factories import default_organisation, make_action, make_measure, make_plan, make_priority

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(role_user):
    return role_user("performance")


def add(team, code: str, likelihood: int = 2, impact: int = 2, title: str = "A risk") -> CorporateRisk:
    return services.save_risk(
        user=team,
        organisation=default_organisation(),
        code=code,
        title=title,
        likelihood=likelihood,
        impact=impact,
    )


@pytest.mark.parametrize(
    "likelihood, impact, score",
    # Seed 003's register: "Potential conflict with WETT work 3 3 9", "Lack of staff capacity … 2 4 8",
    # "Loss of key senior staff … 1 3 3", "Emergence of issues … conflict of interest … 1 4 4".
    [(3, 3, 9), (2, 4, 8), (1, 3, 3), (1, 4, 4), (4, 4, 16)],
)
def test_a_risk_scores_likelihood_times_impact_as_seed_003_does(team, likelihood, impact, score):
    assert add(team, "R1", likelihood, impact).score == score


@pytest.mark.parametrize("likelihood, impact", [(0, 2), (5, 2), (2, 0), (2, 5)])
def test_likelihood_and_impact_are_from_1_to_4(team, likelihood, impact):
    with pytest.raises(ValidationError):
        add(team, "R1", likelihood, impact)
    assert not CorporateRisk.objects.filter(code="R1").exists()


def test_section_7_reports_a_merged_risk_with_the_one_it_was_merged_into(team):
    plan = make_plan(slug="merge")
    pr1 = make_priority(plan, "PR1", "Customer Processes")
    cp3 = make_priority(plan, "CP3", "Sense of Community")
    action = make_action(make_measure(cp3, "3.2"), "3.2.1", "Publicise the CSP's plan")
    ko5 = add(team, "TK5", title="Full compliance with the Civil Contingencies Act")
    ko18 = add(team, "TK18", title="Effective Business Continuity")
    services.link_risk(user=team, risk=ko5, plan=plan, priorities=[pr1], actions=[])
    services.link_risk(user=team, risk=ko18, plan=plan, priorities=[], actions=[action])
    services.merge_risk(user=team, risk=ko18, into=ko5)
    [row] = risks_against(plan)
    assert row.label == "TK5*: Full compliance with the Civil Contingencies Act"
    assert row.references == ("PR1 – Customer Processes", "CP3 3.2.1 – Publicise the CSP's plan")
    assert row.merge_note == "TK5 and TK18 have been merged"


def test_merges_that_make_no_sense_are_refused(team):
    # (Codes of their own: the session's demo register holds KO1-KO20.)
    ko5, ko18, ko19 = add(team, "TK5"), add(team, "TK18"), add(team, "TK19")
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        services.merge_risk(user=team, risk=ko5, into=ko5)
    services.merge_risk(user=team, risk=ko18, into=ko5)
    with pytest.raises(ValidationError, match="TK18 has itself been merged into TK5"):
        services.merge_risk(user=team, risk=ko19, into=ko18)
    with pytest.raises(ValidationError, match="already been merged into TK5"):
        services.merge_risk(user=team, risk=ko18, into=ko19)
    # Merging TK5 on carries TK18 with it: no chain to follow.
    services.merge_risk(user=team, risk=ko5, into=ko19)
    assert set(CorporateRisk.objects.filter(merged_into=ko19).values_list("code", flat=True)) == {
        "TK5",
        "TK18",
    }
    with pytest.raises(ValidationError, match="has been merged into TK19"):
        services.save_risk(user=team, risk=ko18, title="Changed")


def test_a_risk_is_linked_only_to_the_plan_named_and_its_other_plans_links_stay(team):
    old, new = make_plan(slug="old", first_month="2008-07"), make_plan(slug="new")
    old_fp1, new_fp1 = (
        make_priority(old, "FP1", "Value for Money"),
        make_priority(new, "FP1", "Managing Finances"),
    )
    risk = add(team, "TK1")
    services.link_risk(user=team, risk=risk, plan=old, priorities=[old_fp1], actions=[])
    with pytest.raises(ValidationError, match="Not in"):
        services.link_risk(user=team, risk=risk, plan=new, priorities=[old_fp1], actions=[])
    services.link_risk(user=team, risk=risk, plan=new, priorities=[new_fp1], actions=[])
    assert set(risk.priorities.all()) == {old_fp1, new_fp1}
    assert [r.references for r in risks_against(new)] == [("FP1 – Managing Finances",)]


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk"])
def test_only_the_performance_team_writes_through_the_services(role_user, role):
    plan = make_plan(slug="refused")
    user = role_user(role)
    with pytest.raises(PermissionDenied):
        services.record_meeting(
            user=user, plan=plan, month=Month(2009, 7), committee="Cabinet", on=date(2009, 9, 2)
        )
    with pytest.raises(PermissionDenied):
        services.save_texts(user=user, plan=plan, texts={"legal": "x"})
    with pytest.raises(PermissionDenied):
        services.save_risk(
            user=user, organisation=default_organisation(), code="X", title="x", likelihood=1, impact=1
        )


def test_the_plans_text_fills_in_the_month_and_the_committee(team):
    plan = make_plan(slug="fill")
    services.save_texts(
        user=team, plan=plan, texts={"background_papers": "The full plan for {month_name} is online."}
    )
    services.record_meeting(
        user=team, plan=plan, month=Month(2009, 8), committee="Cabinet", on=date(2009, 10, 7)
    )
    august = committee_papers(plan, Month(2009, 8))
    assert (
        august.text("summary")
        == "To ask Cabinet to consider the Improvement Plan Exception Report for August 2009 (Appendix 1)."
    )
    assert august.text("background_papers") == "The full plan for August is online."
    assert (
        committee_papers(plan, Month(2009, 9))
        .text("recommendation")
        .startswith("That the committee considers")
    )
    assert fill("{unknown} stays", Month(2009, 7), "Cabinet") == "{unknown} stays"
