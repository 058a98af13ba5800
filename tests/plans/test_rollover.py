"""The yearly roll-over (issue 14): unfinished actions carried into the next year, codes mapped
explicitly, links both ways, all or nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from plans import rollover
from plans.models import Action, ActionChange, Plan, Priority
from plans.periods import Month
from plans.rollover import CodeMapping
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_sized_plan

pytestmark = pytest.mark.django_db

JULY_2010 = Month(2010, 7)


@pytest.fixture
def old():
    """A 2009/10 plan: CP1 with an unfinished and a completed action, PR3 with one re-programmed
    past the year end (14.1.1 -> December 2010), CP2 with a completed action only."""
    plan = make_plan(slug="council-2009-10", title="Improvement Plan 2009/10", first_month="2009-07")
    cp1 = make_measure(make_priority(plan, "CP1", "Town Centre"), "1.1", "Unified vision")
    make_action(
        cp1, "1.1.1", "Engage specialist", leads=[make_lead("PS")], original="2009-07", revised="2009-09"
    )
    make_action(cp1, "1.1.2", "Identify partner", original="2009-08", completed="2009-08")
    pr3 = make_measure(make_priority(plan, "PR3", "Joint CEO with Redditch"), "14.1", "Shared services")
    make_action(
        pr3, "14.1.1", "Shared services board", leads=[make_lead("KD")], original="2009-07",
        revised="2010-12", reprogrammed=True, corrective_action="Put on hold",
    )  # fmt: skip
    cp2 = make_measure(make_priority(plan, "CP2", "Housing"), "2.1", "Homes")
    make_action(cp2, "2.1.1", "Done already", original="2009-07", completed="2009-07")
    return plan


def roll(old, user, **kwargs):
    arguments = {"first_month": JULY_2010, "slug": "council-2010-11", "title": "Improvement Plan 2010/11"}
    return rollover.roll_over(user=user, plan=old, **{**arguments, **kwargs})


@pytest.fixture
def performance(role_user):
    return role_user("performance")


def test_unfinished_actions_are_carried_with_their_ref_measure_lead_and_dates(old, performance):
    result = roll(old, performance)
    new = result.plan
    assert (result.carried, result.left) == (2, 2)
    assert new.previous_plan == old and new.start == JULY_2010 and new.months == 12
    carried = {a.ref: a for a in new.actions.select_related("measure__priority")}
    assert sorted(carried) == ["1.1.1", "14.1.1"]
    first = carried["1.1.1"]
    assert (first.measure.priority.code, first.measure.ref, first.lead_initials) == ("CP1", "1.1", "PS")
    assert (str(Month.from_date(first.original_target)), str(Month.from_date(first.revised_target))) == (
        "2009-07",
        "2009-09",
    )
    assert not first.statuses.exists()
    # Priorities keep their order; CP2 has nothing carried but the new year still has it.
    assert list(new.priorities.values_list("code", flat=True)) == ["CP1", "PR3", "CP2"]


def test_a_target_past_the_year_end_is_live_in_that_month_of_the_new_year(old, performance):
    new = roll(old, performance).plan
    later = new.actions.get(ref="14.1.1")
    assert later.planned_month_list == [Month(2010, 12)]
    assert later in Action.objects.filter(plan=new).live_in(Month(2010, 12))
    assert later not in Action.objects.filter(plan=new).live_in(Month(2010, 11))
    assert later.corrective_action == "Put on hold" and later.reprogrammed


def test_a_code_is_renamed_merged_or_dropped_by_the_mapping(old, performance):
    codes = [
        CodeMapping("PR3", "PR6", "Joint CEO with Redditch Borough Council"),
        CodeMapping("cp 1", "CP3", "Sense of Community"),  # compared ignoring case and spaces
        CodeMapping("CP2", "", ""),  # nothing carried under it: it may go
    ]
    new = roll(old, performance, codes=codes).plan
    assert list(new.priorities.values_list("code", "title")) == [
        ("CP3", "Sense of Community"),
        ("PR6", "Joint CEO with Redditch Borough Council"),
    ]
    assert new.actions.get(ref="14.1.1").measure.priority.code == "PR6"


def test_two_codes_merged_into_one_make_one_priority(old, performance):
    codes = [CodeMapping("PR3", "CP1", "")]
    new = roll(old, performance, codes=codes).plan
    assert list(new.priorities.values_list("code", flat=True)) == ["CP1", "CP2"]
    assert set(new.actions.values_list("measure__priority__code", flat=True)) == {"CP1"}


def test_dropping_a_code_with_carried_actions_is_refused_and_nothing_is_saved(old, performance):
    with pytest.raises(rollover.RollOverError, match="PR3 cannot be dropped: 1 action under it"):
        roll(old, performance, codes=[CodeMapping("PR3", "", "")])
    assert not Plan.objects.filter(slug="council-2010-11").exists()


def test_history_and_links_both_ways(old, performance, client_as):
    new = roll(old, performance).plan
    carried = new.actions.get(ref="1.1.1")
    source = old.actions.get(ref="1.1.1")
    assert carried.carried_from == source
    change = ActionChange.objects.get(action=carried)
    assert (change.field, change.new_value, change.source) == ("carried from", "2009/10 1.1.1", "roll-over")
    # Nothing is written into the old year's history: its published months show no change since.
    assert not ActionChange.objects.filter(action=source).exists()
    client = client_as("cmt")
    assert "carried from 2009/10 1.1.1" in client.get(carried.get_absolute_url()).content.decode()
    assert "carried into 2010/11 1.1.1" in client.get(source.get_absolute_url()).content.decode()
    assert AuditEvent.objects.get(kind="roll-over").details["carried"] == 2


def test_the_new_year_shows_the_old_year_beside_it_and_both_link(old, performance, client_as):
    new = roll(old, performance).plan
    client = client_as("cmt")
    assert (
        'Previous year: <a href="/plans/council-2009-10/">'
        in client.get(new.get_absolute_url()).content.decode()
    )
    assert (
        'Next year: <a href="/plans/council-2010-11/">' in client.get(old.get_absolute_url()).content.decode()
    )
    report = client.get(f"/reports/{new.slug}/2010-07/")
    assert report.context["report"].previous_year_label == "2009/10"


def test_a_second_roll_over_onto_the_same_slug_is_refused(old, performance):
    roll(old, performance)
    with pytest.raises(rollover.RollOverError, match="already a plan called 'council-2010-11'"):
        roll(old, performance)


def test_a_first_month_inside_the_old_year_is_refused(old, performance):
    with pytest.raises(rollover.RollOverError, match="June 2010"):
        roll(old, performance, first_month=Month(2010, 6))


# --- the command ------------------------------------------------------------------------------


def test_dry_run_prints_the_carried_actions_and_saves_nothing(old, tmp_path):
    codes = tmp_path / "codes.csv"
    codes.write_text("old_code,new_code,new_title\nPR3,PR6,Joint CEO\n")
    out = io.StringIO()
    plans = Plan.objects.count()
    call_command(
        "roll_over", "--plan", old.slug, "--first-month", "2010-07", "--slug", "council-2010-11",
        "--codes", str(codes), "--dry-run", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "PR3        -> PR6 Joint CEO  (1 carried)" in text
    assert "14.1.1" in text and "planned December 2010" in text
    assert "Dry run: nothing was saved." in text
    assert Plan.objects.count() == plans


def test_the_command_rolls_over(old):
    out = io.StringIO()
    call_command(
        "roll_over", "--plan", old.slug, "--first-month", "2010-07", "--slug", "council-2010-11", stdout=out
    )
    assert "2 action(s) carried, 2 completed" in out.getvalue()
    assert Plan.objects.get(slug="council-2010-11").title == "Improvement Plan 2010/11"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--plan", "nope"], "No plan with slug 'nope'."),
        (["--slug", "council-2009-10"], "There is already a plan called 'council-2009-10'"),
        (["--first-month", "2010-01"], "January 2010 overlaps it"),
        (["--codes", "CODES"], "has no priority 'XX9'"),
    ],
)
def test_command_problems_are_one_line_and_save_nothing(old, tmp_path, arguments, message):
    codes = tmp_path / "codes.csv"
    codes.write_text("old_code,new_code,new_title\nXX9,XX1,Unknown\n")
    base = {"--plan": old.slug, "--first-month": "2010-07", "--slug": "council-2010-11"}
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    argv = [x for k, v in {**base, **given}.items() for x in (k, str(codes) if v == "CODES" else v)]
    plans = Plan.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("roll_over", *argv, stdout=io.StringIO())
    assert Plan.objects.count() == plans


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk"])
def test_only_the_performance_team_may_roll_over(old, client_as, role):
    assert client_as(role).get(f"/plans/{old.slug}/roll-over/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(old, client):
    response = client.get(f"/plans/{old.slug}/roll-over/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def page_data(form: dict, **changes) -> dict:
    return {**form, **changes}


def test_the_page_previews_then_creates_renaming_pr3_to_pr6(old, client_as):
    client = client_as("performance")
    page = client.get(f"/plans/{old.slug}/roll-over/")
    assert page.context["form"].initial == {
        "first_month": "2010-07",
        "title": "Improvement Plan 2010/11",
        "slug": "council-2010-11",
    }
    form = {
        "first_month": "2010-07",
        "title": "Improvement Plan 2010/11",
        "slug": "council-2010-11",
        "codes-TOTAL_FORMS": 3,
        "codes-INITIAL_FORMS": 3,
        "codes-0-old_code": "CP1", "codes-0-new_code": "CP1", "codes-0-new_title": "Town Centre",
        "codes-1-old_code": "PR3", "codes-1-new_code": "PR6", "codes-1-new_title": "Joint CEO with Redditch",
        "codes-2-old_code": "CP2", "codes-2-new_code": "CP2", "codes-2-new_title": "Housing",
    }  # fmt: skip
    preview = client.post(f"/plans/{old.slug}/roll-over/", form)
    html = preview.content.decode()
    assert "Check before you create Improvement Plan 2010/11" in html
    assert "2 actions will be carried" in html and "2 completed actions will not be carried" in html
    assert not Plan.objects.filter(slug="council-2010-11").exists()
    checked = preview.context["checked"]
    created = client.post(f"/plans/{old.slug}/roll-over/", {**form, "confirm": "1", "checked": checked})
    assert created.status_code == 302 and created["Location"] == "/plans/council-2010-11/"
    new = Plan.objects.get(slug="council-2010-11")
    assert new.actions.get(ref="14.1.1").measure.priority.code == "PR6"
    landing = client.get(created["Location"]).content.decode()
    assert "Improvement Plan 2010/11 is created: 2 actions carried from Improvement Plan 2009/10" in landing
    # Again onto the same slug: refused, with the reason in the error summary.
    again = client.post(f"/plans/{old.slug}/roll-over/", form).content.decode()
    assert "There is already a plan called &#x27;council-2010-11&#x27;" in again


def test_a_confirmation_after_changing_an_answer_shows_the_preview_again(old, client_as):
    client = client_as("performance")
    form = {
        "first_month": "2010-07", "title": "Improvement Plan 2010/11", "slug": "council-2010-11",
        "codes-TOTAL_FORMS": 0, "codes-INITIAL_FORMS": 0,
    }  # fmt: skip
    checked = client.post(f"/plans/{old.slug}/roll-over/", form).context["checked"]
    response = client.post(
        f"/plans/{old.slug}/roll-over/",
        {**form, "title": "Another title", "confirm": "1", "checked": checked},
    )
    assert response.status_code == 200
    assert "You changed something after the preview" in response.content.decode()
    assert not Plan.objects.filter(slug="council-2010-11").exists()


def test_dropping_a_code_with_carried_actions_on_the_page_is_an_error_beside_the_table(old, client_as):
    client = client_as("performance")
    form = {
        "first_month": "2010-07", "title": "Improvement Plan 2010/11", "slug": "council-2010-11",
        "codes-TOTAL_FORMS": 1, "codes-INITIAL_FORMS": 1,
        "codes-0-old_code": "PR3", "codes-0-new_code": "", "codes-0-new_title": "",
    }  # fmt: skip
    html = client.post(f"/plans/{old.slug}/roll-over/", form).content.decode()
    assert '<a href="#codes">PR3 cannot be dropped: 1 action under it would be carried.' in html
    assert "Create Improvement Plan 2010/11" not in html


@pytest.mark.parametrize("size", [10, 100])
def test_the_preview_queries_do_not_grow_with_the_plan(db, size, django_assert_max_num_queries):
    plan = make_sized_plan(size, first_month="2009-07", months_reported=1)
    # the slug, the priorities, the actions with their measures and priorities, their leads
    with django_assert_max_num_queries(4):
        preview = rollover.preview_roll_over(
            plan=plan, first_month=JULY_2010, slug="next-year", title="Next year"
        )
    assert len(preview.carried) == size and preview.ok
    assert Priority.objects.filter(plan=plan).count() == 10
