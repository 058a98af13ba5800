"""Load the demo: Bromsgrove's Improvement Plans 2008/09 and 2009/10, Rotherham's Corporate
Improvement Plan 2007-10 and the demo logins.

The data is in ``fixtures/``: each plan is a workbook in the product's own format (its month grid
holds every status), and ``fixtures/demo.json`` holds what a workbook does not: the logins, lead
names, each plan's previous year and cover report settings, and per action the month it was
completed, the corrective action given with its statuses, and its requests with their decisions.
It goes in the way a council's would, through the same code: the importer, then the services as
the performance team uses them (``request_change``, ``decide_request``, ``set_status``,
``update_action``) and ``close_month`` for each month of the previous year, whose published PDFs
are queued for the background worker.

Rotherham's plan (``ROTHERHAM``) is the council's own one-table workbook, transcribed from seed
004's Appendix A, read by the one-table importer as a council's upload would be, with what the
file does not say: its calendar (April 2007, 36 months, reported every two months) and the month
its On Target column reports (September 2007, the report to the Corporate Improvement Board of
10 September 2007).
"""

from __future__ import annotations

import json
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from cabinet import services as cabinet_services
from cabinet.models import CorporateRisk
from plans import recommendations, services
from plans.models import (
    Action,
    ActionChange,
    ChangeRequest,
    Lead,
    Membership,
    MonthlyStatus,
    Organisation,
    Plan,
    Recommendation,
    ReportLayout,
)
from plans.periods import Month
from plans.workbook import import_plan, read_workbook
from plans.workbook.one_table import Calendar, read_one_table
from reports import documents
from reports.closing import close_month
from reports.models import Document

FIXTURES = settings.BASE_DIR / "fixtures"
SOURCE = ActionChange.Source.DEMO


ROTHERHAM = {
    "workbook": "rotherham-2007-10.xlsx",
    "slug": "rotherham-2007-10",
    "title": "Corporate Improvement Plan 2007-10",
    "organisation": {"slug": "rotherham", "name": "Rotherham Metropolitan Borough Council"},
    "calendar": Calendar(first_month=Month(2007, 4), months=36, every=2, status_month=Month(2007, 9)),
    "report_layout": ReportLayout.PROGRESS,
    # The Corporate Improvement Board saw the draft plan in May 2007 and its first progress report
    # on 10 September 2007 (seed 004): the periods before September are closed with nothing
    # reported, so that September 2007 is the period its people are asked about.
    "close": ["2007-05", "2007-07"],
}


def read_demo() -> dict:
    return json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))


def load_users(logins: dict, password: str) -> dict[str, User]:
    """The logins, each with its role in its council (a membership); ``admin`` is the site
    administrator, of no council."""
    users = {}
    for username, login in logins.items():
        user, _ = User.objects.get_or_create(username=username, defaults={"email": login["email"]})
        user.is_superuser = user.is_staff = login.get("superuser", False)
        user.set_password(password)
        user.save()
        if "role" in login:
            Membership.objects.update_or_create(
                user=user,
                organisation=Organisation.objects.get(slug=login["organisation"]),
                defaults={"role": Group.objects.get(name=login["role"])},
            )
        users[username] = user
    return users


def load_organisation(spec: dict) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
    return organisation


def load_leads(organisation: Organisation, leads: dict, logins: dict, users: dict[str, User]) -> None:
    """Names and addresses of leads the workbooks name by their initials, and the logins that lead
    actions (the officer is PS). Before the plans: a lead's requests are made through their login."""
    for initials, details in leads.items():
        lead, _ = Lead.objects.get_or_create(organisation=organisation, initials=initials)
        lead.name = details.get("name", lead.name)
        lead.email = details.get("email", lead.email)
        lead.save(update_fields=["name", "email"])
    for username, login in logins.items():
        if "lead" in login:
            # Each login leads in its own council (Rotherham's officer is a job title of its plan).
            council = Organisation.objects.get(slug=login.get("organisation", organisation.slug))
            lead, _ = Lead.objects.get_or_create(organisation=council, initials=login["lead"])
            Lead.objects.filter(user=users[username]).exclude(pk=lead.pk).update(user=None)
            lead.user = users[username]
            lead.save(update_fields=["user"])


def action_keys(plan: Plan) -> dict[str, Action]:
    """The plan's actions by their key in demo.json: the ref as written, and "4.1.3 #2" for the
    second action whose ref is 4.1.3 (real plans repeat refs)."""
    seen: dict[str, int] = {}
    keys = {}
    for action in plan.actions.in_plan_order():
        seen[action.ref] = seen.get(action.ref, 0) + 1
        keys[action.ref if seen[action.ref] == 1 else f"{action.ref} #{seen[action.ref]}"] = action
    return keys


def _month(text: str | None) -> Month | None:
    return Month.parse(text) if text else None


def load_plan(organisation: Organisation, spec: dict, users: dict[str, User]) -> Plan:
    performance = users["performance"]
    parsed = read_workbook((FIXTURES / spec["workbook"]).read_bytes())
    plan = import_plan(
        parsed, slug=spec["slug"], user=performance, filename=spec["workbook"], organisation=organisation
    ).plan
    # The plan's settings, as the admin, the cover settings and the reminders pages keep them.
    if spec["previous_plan"]:
        plan.previous_plan = Plan.objects.get(slug=spec["previous_plan"])
    values = {**spec["cover"], **spec.get("reminders", {})}
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save(update_fields=["previous_plan", *values])

    actions = action_keys(plan)
    unknown = set(spec["actions"]) - set(actions)
    if unknown:
        raise ValueError(f"demo.json names actions that {spec['workbook']} does not hold: {sorted(unknown)}")
    entries = [(actions[key], entry) for key, entry in spec["actions"].items()]
    # Completions first: deciding a request saves the action afresh, after which these
    # instances are only the actions' ids.
    record_completions(plan, entries, performance)
    make_requests(entries, users)
    record_corrective_actions(plan, entries, performance)
    load_committee_papers(plan, spec.get("committee", {}), performance)
    for month in spec["close"]:
        close_month(plan, Month.parse(month), performance)
    return plan


def load_rotherham(users: dict[str, User]) -> str:
    """Rotherham's plan through the one-table importer, in its own organisation (made here if the
    demo logins have not made it)."""
    spec = ROTHERHAM
    if Plan.objects.filter(slug=spec["slug"]).exists():
        return "already loaded"
    path = FIXTURES / spec["workbook"]
    if not path.is_file():
        return f"not loaded: {path.name} is not in fixtures/"
    organisation = load_organisation(spec["organisation"])
    parsed = read_one_table(path.read_bytes()).plan(spec["calendar"])
    parsed.title = spec["title"]  # the sheet's title names the council too ("Rotherham MBC - ...")
    plan = import_plan(
        parsed,
        slug=spec["slug"],
        user=users.get("rotherham-performance"),
        filename=spec["workbook"],
        organisation=organisation,
    ).plan
    plan.report_layout = spec["report_layout"]
    plan.save(update_fields=["report_layout"])
    for month in spec["close"]:
        close_month(plan, Month.parse(month), users["rotherham-performance"])
    return "loaded"


def record_completions(plan: Plan, entries: list[tuple[Action, dict]], user: User) -> None:
    services.lock_plan(plan)  # update_action's caller holds the plan's lock
    for action, entry in entries:
        if "completed" in entry:
            completed = Month.parse(entry["completed"]).first_day
            services.update_action(action=action, user=user, source=SOURCE, completed_month=completed)


def make_requests(entries: list[tuple[Action, dict]], users: dict[str, User]) -> None:
    """Each request made and decided, in the order they were made. Approving records the status
    of the request's month; the months after it are in the workbook, as they were reported."""
    requests = sorted(
        ((request["month"], action.position, action, request) for action, entry in entries
         for request in entry.get("requests", [])),
        key=lambda item: item[:2],
    )  # fmt: skip
    for _, _, action, request in requests:
        made = services.request_change(
            user=users[request["requested_by"]], action=action, kind=request["kind"],
            month=Month.parse(request["month"]), reason=request["reason"], new_target=_month(request.get("new_target")),
        )  # fmt: skip
        if request["state"] != ChangeRequest.State.PENDING:
            approve = request["state"] == ChangeRequest.State.APPROVED
            services.decide_request(
                user=users[request["decided_by"]], request=made, approve=approve, notify=False
            )


def record_corrective_actions(plan: Plan, entries: list[tuple[Action, dict]], user: User) -> None:
    """The corrective action given with each status: a workbook's month grid holds the status only."""
    records = {(r.action_id, r.as_month): r for r in MonthlyStatus.objects.in_plan(plan)}
    for action, entry in entries:
        for text, months in entry.get("corrective_actions", {}).items():
            for month in map(Month.parse, months):
                record = records.get((action.pk, month))
                if record is None:
                    raise ValueError(f"demo.json: {action.ref} has no status in {month.name} to explain")
                services.set_status(
                    action=action, month=month, status=record.status, word=record.word, note=record.note,
                    corrective_action=text, user=user, source=SOURCE,
                )  # fmt: skip


def load_committee_papers(plan: Plan, papers: dict, user: User) -> None:
    """The meetings, the plan's written parts of the committee report and each month's
    overrides, as the performance team records them on their pages."""
    for month, meeting in papers.get("meetings", {}).items():
        cabinet_services.record_meeting(
            user=user, plan=plan, month=Month.parse(month), committee=meeting["committee"],
            on=date.fromisoformat(meeting["date"]),
        )  # fmt: skip
    if papers.get("template"):
        cabinet_services.save_texts(user=user, plan=plan, texts=papers["template"])
    for month, texts in papers.get("months", {}).items():
        cabinet_services.save_texts(user=user, plan=plan, texts=texts, month=Month.parse(month))


def load_risks(organisation: Organisation, register: list[dict], user: User) -> None:
    """The corporate risk register (seed 000 section 7), each risk linked to the priorities of
    the plans it names, then the merges (KO18 into KO5). Risks already there are left alone."""
    fields = ("code", "title", "owner", "likelihood", "impact", "mitigation")
    for entry in register:
        if CorporateRisk.objects.filter(organisation=organisation, code=entry["code"]).exists():
            continue
        risk = cabinet_services.save_risk(
            user=user,
            organisation=organisation,
            review_date=date.fromisoformat(entry["review_date"]),
            **{f: entry[f] for f in fields},
        )
        for slug, codes in entry.get("links", {}).items():
            plan = Plan.objects.get(slug=slug)
            priorities = [plan.priorities.get(code=code) for code in codes]
            cabinet_services.link_risk(user=user, risk=risk, plan=plan, priorities=priorities, actions=[])
        if "merged_into" in entry:
            into = CorporateRisk.objects.get(organisation=organisation, code=entry["merged_into"])
            cabinet_services.merge_risk(user=user, risk=risk, into=into)


def remove_risks(organisation: Organisation, codes: list[str]) -> None:
    """The demo's risks go with its plans (their links to the plans went with them)."""
    risks = CorporateRisk.objects.filter(organisation=organisation, code__in=codes)
    risks.filter(merged_into__isnull=False).delete()  # before the risks they were merged into
    risks.delete()


def load_recommendations(organisation: Organisation, spec: dict, users: dict[str, User]) -> None:
    """Seed 002's recommendations, each linked to the actions that answer it (demo.json says why),
    through the service the performance team's page uses. Those already there are left."""
    performance = users["performance"]
    plan = Plan.objects.get(slug=spec["plan"])
    actions = action_keys(plan)
    for position, item in enumerate(spec["items"]):
        if Recommendation.objects.filter(
            organisation=organisation, source=spec["source"], code=item["code"]
        ).exists():
            continue
        recommendation = recommendations.save_recommendation(
            user=performance,
            organisation=organisation,
            source=spec["source"],
            code=item["code"],
            text=item["text"],
            position=position,
        )
        recommendations.set_linked_actions(
            user=performance,
            recommendation=recommendation,
            plan=plan,
            actions=[actions[ref] for ref in item["actions"]],
        )


def remove_plans(slugs: list[str]) -> None:
    """The demo plans go, and with them their stored PDFs (files deleted once this commits)."""
    kinds = list(Document.Kind.values)
    for plan in Plan.objects.filter(slug__in=slugs):
        for month in plan.month_list:
            documents.discard(plan, month, kinds)
        plan.delete()


@transaction.atomic
def load_demo(*, reset: bool = False) -> list[tuple[str, str]]:
    """Create what is missing; with ``reset``, replace the demo plans. Running it twice changes
    nothing the second time."""
    data = read_demo()
    organisation = load_organisation(data["organisation"])
    for other in data.get("other_organisations", []):
        load_organisation(other)
    if reset:
        remove_plans([spec["slug"] for spec in data["plans"]] + [ROTHERHAM["slug"]])
        remove_risks(organisation, [entry["code"] for entry in data["risks"]["register"]])
        Recommendation.objects.filter(
            organisation=organisation, source=data["recommendations"]["source"]
        ).delete()
    users = load_users(data["logins"], data["password"])
    load_leads(organisation, data["leads"], data["logins"], users)
    report = []
    for spec in data["plans"]:
        if Plan.objects.filter(slug=spec["slug"]).exists():
            report.append((spec["slug"], "already loaded"))
            continue
        load_plan(organisation, spec, users)
        report.append((spec["slug"], "loaded"))
    report.append((ROTHERHAM["slug"], load_rotherham(users)))
    load_risks(organisation, data["risks"]["register"], users["performance"])
    load_recommendations(organisation, data["recommendations"], users)
    return report
