"""Indicators (issue 17, item 1): definitions, targets and monthly actuals written through
``plans.services`` under the plan's lock, closed months final, every change in the history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.models import ActionChange, Indicator, IndicatorActual, IndicatorChange, MonthClose
from plans.periods import Month
from plans.services import ActualWrite, IndicatorDefinition, MonthClosedError, StaleActualError
from tests.factories import make_lead, make_measure, make_plan, make_priority

pytestmark = pytest.mark.django_db

JULY, AUGUST, SEPTEMBER = Month(2009, 7), Month(2009, 8), Month(2009, 9)


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07")


@pytest.fixture
def officer(role_user):
    user = role_user("officer")
    make_lead("PS", user=user)
    return user


@pytest.fixture
def indicator(plan, officer, role_user):
    """BV8, invoices paid within 30 days: 97% a year, 5% tolerance, led by the officer's PS."""
    priority = make_priority(plan, "FP1", "Value for Money")
    return services.save_indicator(
        user=role_user("performance"),
        plan=plan,
        definition=IndicatorDefinition(
            code="BV8",
            title="Invoices paid within 30 days",
            priority=priority,
            measure=make_measure(priority, "1.1"),
            unit="PERCENT",
            target=Decimal("97"),
            tolerance=Decimal("5"),
            lead=make_lead("PS"),
        ),
    )


def fresh(indicator: Indicator) -> Indicator:
    return Indicator.objects.with_figures().get(pk=indicator.pk)


def sentences(indicator: Indicator) -> list[str]:
    return [change.sentence for change in IndicatorChange.objects.filter(indicator=indicator).order_by("id")]


# --- actuals ------------------------------------------------------------------------------------


def test_the_lead_enters_an_actual_with_a_note_and_it_is_kept_in_the_history(indicator, officer):
    services.set_actual(
        user=officer,
        indicator=indicator,
        month=JULY,
        value=Decimal("91.5"),
        note="Two invoices lost in the post",
    )
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("92"), note="")
    actual = IndicatorActual.objects.get(indicator=indicator)
    assert (actual.value, actual.note, actual.entered_by) == (Decimal("92"), "", officer)
    assert sentences(indicator) == [
        "The actual for July 2009 was set to 91.5%.",
        "The note for July 2009 was set to “Two invoices lost in the post”.",
        "The actual for July 2009 was changed from 91.5% to 92%.",
        "The note for July 2009 was removed (it was “Two invoices lost in the post”).",
    ]
    # 97 less 5% is 92.15: 92 is past the bound
    assert fresh(indicator).rag_in(JULY) == "RED"


def test_rag_of_the_month_uses_the_month_target_else_the_year_target(indicator, role_user):
    performance = role_user("performance")
    services.save_indicator(
        user=performance,
        plan=indicator.plan_id,
        indicator=indicator,
        definition=definition_of(indicator, month_targets={JULY: Decimal("90")}),
    )
    services.set_actuals(
        user=performance,
        plan=indicator.plan_id,
        writes=[
            ActualWrite(indicator, JULY, Decimal("90")),
            ActualWrite(indicator, AUGUST, Decimal("92.15")),
            ActualWrite(indicator, SEPTEMBER, Decimal("92.14")),
        ],
    )
    figures = fresh(indicator)
    assert figures.target_for(JULY) == Decimal("90")
    assert figures.target_for(AUGUST) == Decimal("97")
    assert [figures.rag_in(m) for m in (JULY, AUGUST, SEPTEMBER, Month(2009, 10))] == [
        "GREEN",  # on July's own target
        "AMBER",  # exactly 97 less 5%
        "RED",  # a hair past it
        None,  # no actual
    ]


def test_removing_an_actual_is_recorded(indicator, officer):
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98"))
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=None)
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()
    assert sentences(indicator)[-1] == "The actual for July 2009 was removed (it was 98%)."


def test_the_same_figure_again_writes_no_history(indicator, officer):
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98"))
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98.000"))
    assert IndicatorChange.objects.filter(indicator__plan__slug="p").count() == 1


def test_a_closed_month_refuses_an_actual(indicator, officer):
    MonthClose.objects.create(plan=indicator.plan, month=JULY.first_day)
    with pytest.raises(MonthClosedError, match="July 2009 is closed"):
        services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98"))
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()
    assert not IndicatorChange.objects.filter(indicator__plan__slug="p").exists()


def test_an_actual_is_refused_in_a_month_the_indicator_is_not_collected_in(indicator, role_user):
    quarterly = definition_of(indicator, months=(SEPTEMBER, Month(2009, 12), Month(2010, 3), Month(2010, 6)))
    services.save_indicator(
        user=role_user("performance"), plan=indicator.plan_id, indicator=indicator, definition=quarterly
    )
    with pytest.raises(ValidationError, match="BV8 is not collected in August 2009"):
        services.set_actual(
            user=role_user("performance"), indicator=indicator, month=AUGUST, value=Decimal("1")
        )
    services.set_actual(
        user=role_user("performance"), indicator=indicator, month=SEPTEMBER, value=Decimal("1")
    )
    assert fresh(indicator).reporting_month_list == list(quarterly.months)


def test_an_officer_cannot_enter_the_actual_of_an_indicator_someone_else_leads(indicator, role_user):
    other = role_user("cmt")  # no update permission at all
    with pytest.raises(PermissionDenied):
        services.set_actual(user=other, indicator=indicator, month=JULY, value=Decimal("98"))
    someone = role_user("officer")
    services.save_indicator(
        user=role_user("performance"),
        plan=indicator.plan_id,
        indicator=indicator,
        definition=definition_of(indicator, lead=make_lead("HB")),
    )
    with pytest.raises(PermissionDenied, match="only enter the actuals of the indicators you lead"):
        services.set_actual(user=someone, indicator=indicator, month=JULY, value=Decimal("98"))
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()


def test_the_performance_team_enters_any_indicators_actual(indicator, role_user):
    services.set_actual(user=role_user("performance"), indicator=indicator, month=JULY, value=Decimal("98"))
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("98")


def test_a_note_needs_an_actual(indicator, officer):
    with pytest.raises(ValidationError, match="enter the actual for July 2009 that the note is about"):
        services.set_actual(user=officer, indicator=indicator, month=JULY, value=None, note="Figures late")


def test_too_many_decimal_places_are_refused(indicator, officer):
    with pytest.raises(ValidationError):
        services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("91.12345"))


def test_a_save_over_a_colleagues_newer_actual_is_refused_naming_them(indicator, officer, role_user):
    services.set_actual(user=role_user("performance"), indicator=indicator, month=JULY, value=Decimal("95"))
    with pytest.raises(StaleActualError) as refused:
        services.set_actuals(
            user=officer,
            plan=indicator.plan_id,
            writes=[ActualWrite(indicator, JULY, Decimal("96"), read=(None, ""))],
        )
    assert refused.value.current.changed_by == role_user("performance")
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("95")
    # read as it stands, the same save goes through
    services.set_actuals(
        user=officer,
        plan=indicator.plan_id,
        writes=[ActualWrite(indicator, JULY, Decimal("96"), read=(Decimal("95.0"), ""))],
    )
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("96")


def test_a_failed_save_writes_nothing_at_all(indicator, officer, role_user):
    priority = indicator.priority
    other = services.save_indicator(
        user=role_user("performance"),
        plan=indicator.plan_id,
        definition=IndicatorDefinition(
            code="BV12", title="Days lost to sickness", priority=priority, lead=make_lead("HB")
        ),
    )
    with pytest.raises(PermissionDenied):
        services.set_actuals(
            user=officer,
            plan=indicator.plan_id,
            writes=[ActualWrite(indicator, JULY, Decimal("98")), ActualWrite(other, JULY, Decimal("9"))],
        )
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()


def test_actuals_are_written_inside_a_transaction_with_the_plan_locked(
    indicator, officer, django_assert_max_num_queries
):
    # savepoint, plan lock, indicators + their collected months, the user's permissions (2, once
    # per request), lead check, closed month, existing actuals, the actual, one history insert,
    # release (each further actual adds its own insert or update)
    with django_assert_max_num_queries(12):
        services.set_actual(
            user=officer, indicator=indicator, month=JULY, value=Decimal("98"), note="On track"
        )


# --- definitions --------------------------------------------------------------------------------


def definition_of(indicator: Indicator, **changes) -> IndicatorDefinition:
    indicator = fresh(indicator)
    values = {
        "code": indicator.code,
        "title": indicator.title,
        "priority": indicator.priority,
        "measure": indicator.measure,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "target": indicator.target,
        "tolerance": indicator.tolerance,
        "lead": indicator.lead,
        "months": tuple(Month.from_date(row.month) for row in indicator.collected.all()),
    }
    return IndicatorDefinition(**{**values, **changes})


def test_changing_a_definition_is_kept_in_the_history_in_plain_english(indicator, role_user):
    services.save_indicator(
        user=role_user("performance"),
        plan=indicator.plan_id,
        indicator=indicator,
        definition=definition_of(
            indicator,
            target=Decimal("98"),
            tolerance=Decimal("2.5"),
            polarity="LOWER",
            lead=None,
            month_targets={AUGUST: Decimal("95")},
        ),
        source=ActionChange.Source.ADMIN,
    )
    assert sentences(indicator) == [
        "The which way is better was changed from Higher is better to Lower is better.",
        "The target was changed from 97% to 98%.",
        "The tolerance was changed from 5 to 2.5.",
        "The lead was removed (it was PS).",
        "The target for August 2009 was set to 95%.",
    ]


def test_saving_by_code_updates_the_plans_indicator_of_that_code(indicator, role_user):
    again = services.save_indicator(
        user=role_user("performance"),
        plan=indicator.plan_id,
        definition=definition_of(indicator, title="Invoices paid on time"),
    )
    assert again.pk == indicator.pk
    assert Indicator.objects.filter(plan__slug="p").get().title == "Invoices paid on time"


def test_a_code_another_indicator_has_is_refused(indicator, role_user):
    other = services.save_indicator(
        user=role_user("performance"),
        plan=indicator.plan_id,
        definition=IndicatorDefinition(code="BV12", title="Sickness", priority=indicator.priority),
    )
    with pytest.raises(ValidationError, match="already has an indicator BV8"):
        services.save_indicator(
            user=role_user("performance"),
            plan=indicator.plan_id,
            indicator=other,
            definition=definition_of(other, code="BV8"),
        )


def test_a_measure_of_another_priority_or_plan_is_refused(indicator, role_user):
    elsewhere = make_measure(make_priority(make_plan(), "CP1"), "1.1")
    with pytest.raises(ValidationError, match="measure must be under its priority"):
        services.save_indicator(
            user=role_user("performance"),
            plan=indicator.plan_id,
            indicator=indicator,
            definition=definition_of(indicator, measure=elsewhere),
        )


def test_a_month_target_in_a_closed_month_cannot_change(indicator, role_user):
    MonthClose.objects.create(plan=indicator.plan, month=JULY.first_day)
    with pytest.raises(MonthClosedError):
        services.save_indicator(
            user=role_user("performance"),
            plan=indicator.plan_id,
            indicator=indicator,
            definition=definition_of(indicator, month_targets={JULY: Decimal("1")}),
        )
    # a later month's target may still be set
    services.save_indicator(
        user=role_user("performance"),
        plan=indicator.plan_id,
        indicator=indicator,
        definition=definition_of(indicator, month_targets={AUGUST: Decimal("1")}),
    )


def test_a_month_with_an_actual_stays_collected(indicator, officer, role_user):
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98"))
    with pytest.raises(ValidationError, match="BV8 has an actual for July 2009, so it is still collected"):
        services.save_indicator(
            user=role_user("performance"),
            plan=indicator.plan_id,
            indicator=indicator,
            definition=definition_of(indicator, months=(SEPTEMBER,)),
        )


def test_months_outside_the_plans_reporting_months_are_refused(indicator, role_user):
    with pytest.raises(ValidationError, match="July 2010 is not a reporting month"):
        services.save_indicator(
            user=role_user("performance"),
            plan=indicator.plan_id,
            indicator=indicator,
            definition=definition_of(indicator, months=(Month(2010, 7),)),
        )


def test_only_the_performance_team_defines_indicators(indicator, role_user):
    with pytest.raises(PermissionDenied):
        services.save_indicator(
            user=role_user("officer"), plan=indicator.plan_id, definition=definition_of(indicator, title="x")
        )


def test_a_tolerance_over_100_percent_is_refused(indicator, role_user):
    with pytest.raises(ValidationError):
        services.save_indicator(
            user=role_user("performance"),
            plan=indicator.plan_id,
            indicator=indicator,
            definition=definition_of(indicator, tolerance=Decimal("150")),
        )


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, role_user):
    client.force_login(role_user("admin"))
    return client


def indicator_form(indicator: Indicator, **changes) -> dict:
    data = {
        "priority": indicator.priority_id,
        "measure": indicator.measure_id or "",
        "code": indicator.code,
        "title": indicator.title,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "target": str(indicator.target or ""),
        "tolerance": str(indicator.tolerance),
        "lead": indicator.lead_id or "",
        "position": indicator.position,
        "months_collected": "",
        "month_targets": "",
        "actuals-TOTAL_FORMS": 0,
        "actuals-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def test_the_admin_changes_an_indicator_through_the_service(admin_client, indicator):
    response = admin_client.post(
        f"/admin/plans/indicator/{indicator.pk}/change/",
        indicator_form(indicator, target="95", month_targets="2009-08 90\n2009-09 91.5"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    figures = fresh(indicator)
    assert figures.target == Decimal("95")
    assert figures.target_for(SEPTEMBER) == Decimal("91.5")
    assert IndicatorChange.objects.filter(indicator__plan__slug="p").filter(source="admin").count() == 3


def test_the_admin_shows_a_refusal_beside_the_form(admin_client, indicator):
    MonthClose.objects.create(plan=indicator.plan, month=JULY.first_day)
    response = admin_client.post(
        f"/admin/plans/indicator/{indicator.pk}/change/",
        indicator_form(indicator, month_targets="2009-07 90"),
    )
    assert response.status_code == 200
    assert "July 2009 is closed" in response.content.decode()
    response = admin_client.post(
        f"/admin/plans/indicator/{indicator.pk}/change/", indicator_form(indicator, months_collected="Sept")
    )
    assert "“Sept” is not a month" in response.content.decode()


def test_the_admin_adds_an_indicator(admin_client, plan):
    priority = make_priority(plan, "CP1")
    response = admin_client.post(
        "/admin/plans/indicator/add/",
        {
            "plan": plan.pk,
            "priority": priority.pk,
            "code": "BV199a",
            "title": "Litter and detritus",
            "unit": "PERCENT",
            "polarity": "LOWER",
            "target": "10",
            "tolerance": "10",
            "position": 0,
            "months_collected": "2009-11, 2010-03",
            "month_targets": "",
            "actuals-TOTAL_FORMS": 0,
            "actuals-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Indicator.objects.with_figures().get(plan__slug="p", code="BV199a")
    assert made.reporting_month_list == [Month(2009, 11), Month(2010, 3)]


def test_an_actual_in_a_closed_month_is_read_only_in_the_admin(admin_client, indicator, officer):
    actual = services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98"))
    MonthClose.objects.create(plan=indicator.plan, month=JULY.first_day)
    page = admin_client.get(f"/admin/plans/indicatoractual/{actual.pk}/change/").content.decode()
    assert 'name="value"' not in page
    response = admin_client.post(
        f"/admin/plans/indicatoractual/{actual.pk}/change/", {"value": "1", "note": ""}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(f"/admin/plans/indicatoractual/{actual.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("98")


def test_the_admin_enters_an_actual_through_the_service(admin_client, indicator):
    response = admin_client.post(
        "/admin/plans/indicatoractual/add/",
        {
            "indicator": indicator.pk,
            "month": "2009-08-01",
            "value": "96.5",
            "note": "From the finance system",
        },
    )
    assert response.status_code == 302
    assert sentences(indicator) == [
        "The actual for August 2009 was set to 96.5%.",
        "The note for August 2009 was set to “From the finance system”.",
    ]
    assert IndicatorChange.objects.filter(indicator__plan__slug="p").filter(source="admin").count() == 2


def test_history_is_read_only_in_the_admin(admin_client, indicator, officer):
    services.set_actual(user=officer, indicator=indicator, month=JULY, value=Decimal("98"))
    change = IndicatorChange.objects.filter(indicator__plan__slug="p").get()
    assert admin_client.get("/admin/plans/indicatorchange/").status_code == 200
    assert (
        admin_client.post(f"/admin/plans/indicatorchange/{change.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_the_performance_team_role_may_keep_indicators(role_user):
    performance = role_user("performance")
    assert performance.has_perm("plans.change_indicator")
    assert performance.has_perm("plans.view_indicatorchange")
    assert not role_user("officer").has_perm("plans.change_indicator")


def test_an_actual_row_is_one_per_indicator_and_month(indicator):
    from django.db import IntegrityError, transaction

    IndicatorActual.objects.create(indicator=indicator, month=datetime.date(2009, 7, 1), value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorActual.objects.create(indicator=indicator, month=datetime.date(2009, 7, 1), value=2)
