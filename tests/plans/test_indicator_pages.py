"""Indicators on the plan's pages (issue 17): the lead enters actuals on their month page beside
their actions, the indicators list with its filters, an indicator's page; who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from plans import services
from plans.models import IndicatorActual, IndicatorChange, MonthClose, MonthlyStatus
from plans.periods import Month
from plans.services import IndicatorDefinition
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)


@pytest.fixture(autouse=True)
def today_is_september_2009(monkeypatch):
    monkeypatch.setattr("plans.forms.timezone.localdate", lambda: datetime.date(2009, 9, 14))


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07")


@pytest.fixture
def officer(role_user):
    return role_user("officer")


@pytest.fixture
def setup(plan, officer, role_user):
    """The officer (T1) leads action 1.1.1 and indicator BV8 (97%, 5% tolerance); T2 leads BV12."""
    performance = role_user("performance")
    mine, theirs = make_lead("T1", user=officer), make_lead("T2")
    priority = make_priority(plan, "FP1", "Value for Money")
    measure = make_measure(priority, "1.1")
    action = make_action(
        measure, "1.1.1", "Pay invoices on time", leads=[mine], original="2009-09", planned=["2009-07"]
    )

    def define(code, title, lead, **values):
        return services.save_indicator(
            user=performance,
            plan=plan,
            definition=IndicatorDefinition(code=code, title=title, priority=priority, lead=lead, **values),
        )

    bv8 = define(
        "BV8",
        "Invoices paid within 30 days",
        mine,
        unit="PERCENT",
        target=Decimal("97"),
        tolerance=Decimal("5"),
    )
    bv12 = define(
        "BV12", "Days lost to sickness", theirs, unit="DAYS", polarity="LOWER", target=Decimal("10")
    )
    return {"action": action, "bv8": bv8, "bv12": bv12}


def my_month(month="2009-07"):
    return reverse("plans:my-month", kwargs={"slug": "p", "month": month})


def page_data(setup, *, value="", note="", read_value="", read_note="", status="GREEN"):
    action = setup["action"]
    action.refresh_from_db()
    i = f"i{setup['bv8'].pk}-"
    return {
        "action": [str(action.pk)],
        f"a{action.pk}-version": str(action.version),
        f"a{action.pk}-status": status,
        f"a{action.pk}-corrective_action": "",
        f"a{action.pk}-revised_target": "",
        f"a{action.pk}-completed": "",
        f"a{action.pk}-note": "",
        "indicator": [str(setup["bv8"].pk)],
        i + "read_value": read_value,
        i + "read_note": read_note,
        i + "value": value,
        i + "note": note,
    }


# --- the lead's month page ---------------------------------------------------------------------


def test_the_officer_sees_the_indicators_they_lead_beside_their_actions(client, officer, setup):
    client.force_login(officer)
    html = client.get(my_month()).content.decode()
    assert "Indicators you lead: actuals for July 2009" in html
    assert "BV8</a> Invoices paid within 30 days" in html
    assert "97% (higher is better; Amber within 5% of target)" in html
    assert "Days lost to sickness" not in html  # BV12 is T2's


def test_the_officer_enters_julys_actual_and_note_in_the_same_save_as_their_statuses(client, officer, setup):
    client.force_login(officer)
    response = client.post(my_month(), page_data(setup, value="90.5%", note="New finance system"))
    assert response.status_code == 302
    actual = IndicatorActual.objects.filter(indicator__plan__slug="p").get()
    assert (actual.value, actual.note, actual.entered_by) == (Decimal("90.5"), "New finance system", officer)
    assert MonthlyStatus.objects.get(action=setup["action"]).status == "GREEN"
    assert [c.source for c in IndicatorChange.objects.filter(indicator__plan__slug="p").all()] == [
        "my-month",
        "my-month",
    ]
    page = " ".join(client.get(my_month()).content.decode().split())
    assert "Saved 1 action and 1 indicator actual for July 2009." in page
    assert 'value="90.5"' in page
    assert "Red</span> Worse than target by more than its tolerance" in page


def test_a_figure_that_is_not_a_number_is_refused_beside_the_field_and_nothing_is_saved(
    client, officer, setup
):
    client.force_login(officer)
    response = client.post(my_month(), page_data(setup, value="ninety", note="Late"))
    assert response.status_code == 200
    html = response.content.decode()
    field = f"id_i{setup['bv8'].pk}-value"
    assert (
        f'<a href="#{field}">BV8, actual for July 2009 (%): “ninety” is not a number: write it like 83.5.</a>'
        in html
    )
    assert 'value="ninety"' in html  # what was typed is shown again
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()
    assert not MonthlyStatus.objects.filter(
        action__plan__slug="p"
    ).exists()  # one save: the statuses wait too


def test_a_note_without_an_actual_is_refused_beside_the_figure(client, officer, setup):
    client.force_login(officer)
    html = client.post(my_month(), page_data(setup, note="Figures late from finance")).content.decode()
    assert "BV8, actual for July 2009 (%): Enter the actual that the note is about." in html
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()


def test_too_many_decimal_places_are_refused(client, officer, setup):
    client.force_login(officer)
    html = client.post(my_month(), page_data(setup, value="90.12345")).content.decode()
    assert "Give the figure to at most 4 decimal places." in html


def test_a_closed_month_refuses_the_actual(client, officer, setup):
    MonthClose.objects.create(plan=setup["bv8"].plan, month=JULY.first_day)
    client.force_login(officer)
    response = client.post(my_month(), page_data(setup, value="95"))
    assert (
        "July 2009 is closed: its report is published and takes no more updates." in response.content.decode()
    )
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()
    page = client.get(my_month()).content.decode()
    assert f'name="i{setup["bv8"].pk}-value"' in page and "disabled" in page


def test_an_officer_cannot_post_an_actual_for_an_indicator_they_do_not_lead(client, officer, setup):
    client.force_login(officer)
    data = page_data(setup, value="95")
    data["indicator"] = [str(setup["bv12"].pk)]
    data[f"i{setup['bv12'].pk}-value"] = "3"
    assert client.post(my_month(), data).status_code == 403
    assert not IndicatorActual.objects.filter(indicator__plan__slug="p").exists()


def test_a_save_over_a_colleagues_newer_actual_is_refused_and_the_typed_figure_kept(
    client, officer, setup, role_user
):
    client.force_login(officer)
    services.set_actual(
        user=role_user("performance"), indicator=setup["bv8"], month=JULY, value=Decimal("93")
    )
    response = client.post(my_month(), page_data(setup, value="91"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "BV8&#x27;s actual for July 2009 was changed by test-performance" in html
    assert "Theirs: 93%." in html
    assert 'value="91"' in html
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("93")
    # saving again is a deliberate overwrite
    assert client.post(my_month(), page_data(setup, value="91", read_value="93")).status_code == 302
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("91")


def test_an_untouched_figure_writes_nothing(client, officer, setup):
    services.set_actual(user=officer, indicator=setup["bv8"], month=JULY, value=Decimal("93"))
    client.force_login(officer)
    client.post(my_month(), page_data(setup, value="93", read_value="93"))
    assert IndicatorChange.objects.filter(indicator__plan__slug="p").count() == 1


def test_an_officer_who_leads_only_indicators_gets_the_form(client, role_user, plan, setup):
    only = role_user("cmt")  # cannot update: refused
    assert client.get(my_month()).status_code == 302  # anonymous: to the log-in page
    client.force_login(only)
    assert client.get(my_month()).status_code == 403
    someone = role_user("officer")
    setup["action"].leads.clear()
    client.force_login(someone)
    html = client.get(my_month()).content.decode()
    assert "You lead no action that is live in July 2009." in html
    assert "Save all July 2009 updates" in html
    data = page_data(setup, value="98")
    del data["action"]
    assert client.post(my_month(), data).status_code == 302
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().value == Decimal("98")


def test_the_performance_team_enters_a_leads_actual_on_the_leads_page(client, role_user, setup):
    client.force_login(role_user("performance"))
    url = reverse("plans:lead-month", kwargs={"slug": "p", "lead": setup["bv8"].lead_id, "month": "2009-07"})
    assert client.post(url, page_data(setup, value="99")).status_code == 302
    assert IndicatorActual.objects.filter(indicator__plan__slug="p").get().entered_by == role_user(
        "performance"
    )


def test_a_quarterly_indicator_is_on_the_page_only_in_its_months(client, officer, setup, role_user):
    services.save_indicator(
        user=role_user("performance"),
        plan=setup["bv8"].plan_id,
        indicator=setup["bv8"],
        definition=IndicatorDefinition(
            code="BV8", title="Invoices paid within 30 days", priority=setup["bv8"].priority,
            lead=setup["bv8"].lead, unit="PERCENT", target=Decimal("97"), months=(Month(2009, 9),),
        ),
    )  # fmt: skip
    client.force_login(officer)
    assert "BV8" not in client.get(my_month()).content.decode()
    assert "BV8" in client.get(my_month("2009-09")).content.decode()


def test_the_month_page_queries_do_not_grow_with_the_indicators(
    client, officer, setup, role_user, django_assert_max_num_queries
):
    client.force_login(officer)
    # the page's own (tests/plans/test_my_month.py) and the indicators: 1, and 3 more with some
    with django_assert_max_num_queries(12 + 4 + SESSION_REFRESH_QUERIES) as few:
        client.get(my_month())
    for n in range(15):
        made = services.save_indicator(
            user=role_user("performance"),
            plan=setup["bv8"].plan_id,
            definition=IndicatorDefinition(
                code=f"LPI{n}", title="Local", priority=setup["bv8"].priority, lead=setup["bv8"].lead
            ),
        )
        services.set_actual(user=officer, indicator=made, month=Month(2009, 6 + 1), value=Decimal(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(my_month())
    assert len(response.context["indicators"]) == 16


# --- the indicators list and an indicator's page -----------------------------------------------


@pytest.fixture
def figures(setup, officer, role_user):
    services.set_actual(
        user=officer, indicator=setup["bv8"], month=JULY, value=Decimal("90"), note="Late <b>"
    )
    services.set_actual(
        user=role_user("performance"), indicator=setup["bv12"], month=JULY, value=Decimal("9")
    )
    return setup


def indicators_url(**query):
    url = reverse("plans:indicators", kwargs={"slug": "p"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_every_role_reads_the_indicators(client_as, figures, role):
    html = client_as(role).get(indicators_url(month="2009-07")).content.decode()
    assert "BV8</a> Invoices paid within 30 days" in html
    assert "2 indicators collected in July 2009." in html


def test_a_user_without_a_role_cannot_read_the_indicators(client_as, figures):
    client = client_as("none")
    assert client.get(indicators_url()).status_code == 403
    assert (
        client.get(reverse("plans:indicator", kwargs={"slug": "p", "pk": figures["bv8"].pk})).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_log_in(client, figures):
    assert client.get(indicators_url())["Location"].startswith("/accounts/login/")


def test_the_list_filters_by_rag_in_a_month_and_by_lead(client_as, figures):
    client = client_as("cmt")
    html = client.get(indicators_url(month="2009-07", rag="RED")).content.decode()
    assert "1 indicator collected in July 2009 match these filters." in html
    assert "BV8" in html and "BV12" not in html
    html = client.get(indicators_url(month="2009-07", lead=figures["bv12"].lead_id)).content.decode()
    assert "BV12" in html and "BV8</a>" not in html
    html = client.get(indicators_url(month="2009-08", rag="NONE")).content.decode()
    assert "2 indicators collected in August 2009 match these filters." in html


def test_a_month_outside_the_plan_is_an_error_beside_the_filter(client_as, figures):
    html = client_as("cmt").get(indicators_url(month="2030-01")).content.decode()
    assert "These filters could not be used" in html


def test_the_list_defaults_to_the_current_month(client_as, figures, monkeypatch):
    monkeypatch.setattr("plans.selectors.timezone.localdate", lambda: datetime.date(2009, 7, 20))
    html = client_as("cmt").get(indicators_url()).content.decode()
    assert "<h1>Indicators in July 2009</h1>" in html


def test_the_indicator_page_shows_its_months_and_history_in_plain_english(client_as, figures):
    html = (
        client_as("cmt")
        .get(reverse("plans:indicator", kwargs={"slug": "p", "pk": figures["bv8"].pk}))
        .content.decode()
    )
    assert "<h1>BV8 Invoices paid within 30 days</h1>" in html
    assert "The actual for July 2009 was set to 90%." in html
    assert "Late &lt;b&gt;" in html
    assert "Enter the actual" not in html  # CMT does not enter actuals


def test_the_lead_is_linked_to_their_month_page_from_the_indicator(client, officer, figures):
    client.force_login(officer)
    html = client.get(
        reverse("plans:indicator", kwargs={"slug": "p", "pk": figures["bv8"].pk})
    ).content.decode()
    assert "/plans/p/my/" in html and f"#indicator-{figures['bv8'].pk}" in html


def test_the_indicator_list_queries_do_not_grow_with_the_indicators(
    client_as, figures, role_user, django_assert_max_num_queries
):
    client = client_as("cmt")
    with django_assert_max_num_queries(20) as few:
        client.get(indicators_url(month="2009-07"))
    for n in range(15):
        services.save_indicator(
            user=role_user("performance"),
            plan=figures["bv8"].plan_id,
            definition=IndicatorDefinition(code=f"LPI{n}", title="Local", priority=figures["bv8"].priority),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(indicators_url(month="2009-07")).context["count"] == 17


def test_the_plan_page_links_to_the_indicators(client_as, plan):
    assert 'href="/plans/p/indicators/"' in client_as("clerk").get(plan.get_absolute_url()).content.decode()


def test_the_status_of_july_is_kept_when_the_actual_is_refused(client, officer, setup):
    # nothing half-saved: the refused actual keeps the action's status unsaved as well
    client.force_login(officer)
    client.post(my_month(), page_data(setup, value="abc", status="AMBER"))
    assert not MonthlyStatus.objects.filter(action__plan__slug="p").exists()
    make_status(setup["action"], "2009-07", "GREEN")


def test_an_officer_who_leads_only_an_indicator_starts_on_their_month_page(
    client, role_user, setup, monkeypatch
):
    monkeypatch.setattr("plans.selectors.timezone.localdate", lambda: datetime.date(2009, 7, 20))
    setup["action"].leads.clear()
    client.force_login(role_user("officer"))
    assert client.get("/start/")["Location"] == my_month()
