"""What the committee paper holds besides the month's figures: the meeting, the written parts
(the plan's template with the month's overrides, placeholders filled in) and the corporate risks
set against the plan (section 7). Built into one frozen object, ``CommitteePapers``, which the
month's close keeps with the published snapshot, so a published cover never changes after.

The order of the paper and the figures around these parts are ``reports.committee_report``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Prefetch

from cabinet.models import CorporateRisk, Meeting, NarrativeText
from plans.models import Action, Plan, Priority
from plans.periods import Month
from plans.rollover import code_key


class Part(models.TextChoices):
    """The written parts of seed 000's committee report, in the paper's order. The labels are the
    edit page's."""

    SUMMARY = "summary", "1. Summary"
    RECOMMENDATION = "recommendation", "2. Recommendation, before the month's figures (2.1)"
    RECOMMENDATION_NOTE = "recommendation_note", "2.2 Added after the month's figures"
    RECOMMENDATION_AFTER = "recommendation_after", "2. Recommendation, after the month's figures"
    BACKGROUND = "background", "3. Background, before the month's figures"
    FINANCIAL = "financial", "4. Financial implications"
    LEGAL = "legal", "5. Legal implications"
    OBJECTIVES = "objectives", "6. Council objectives"
    RISK = "risk", "7. Risk management, before the corporate risks"
    CUSTOMER = "customer", "8. Customer implications"
    EQUALITIES = "equalities", "9. Equalities and diversity implications"
    VALUE_FOR_MONEY = "value_for_money", "10. Value for money implications"
    OTHER = "other", "11. Other implications"
    CONSULTED = "consulted", "12. Others consulted on the report"
    WARDS = "wards", "13. Wards affected"
    APPENDICES = "appendices", "14. Appendices"
    BACKGROUND_PAPERS = "background_papers", "15. Background papers"


# How a part is written: numbered paragraphs (a blank line between them) unless listed here.
LINES = {Part.OTHER, Part.RECOMMENDATION_NOTE}  # one line each, unnumbered (2.2's note: one sentence)
TABLE = {Part.CONSULTED}  # one row a line: who, a colon, their answer

HINTS = {
    Part.RECOMMENDATION_NOTE: (
        "Printed straight after the sentence of figures, e.g. these include the suspension of the "
        "Budget Jury (due to shared services). Usually this month's only."
    ),
    Part.OTHER: "One implication a line, e.g. Procurement Issues: See Section FP2 of the Improvement Plan.",
    Part.CONSULTED: "One a line: who, a colon, then their answer, e.g. Chief Executive: At CMT",
}

# A new plan's template: the paper's wording that does not depend on the council.
DEFAULTS = {
    Part.SUMMARY: "To ask {committee} to consider the Improvement Plan Exception Report for {month} (Appendix 1).",
    Part.RECOMMENDATION: (
        "That {committee} considers and approves the revisions to the Improvement Plan Exception Report "
        "attached as Appendix 1, and the corrective action being taken."
    ),
    Part.RECOMMENDATION_AFTER: "This month's performance is shown on the first page of Appendix 1.",
    Part.APPENDICES: "Appendix 1 Improvement Plan Exception Report {month}.",
}

# What a text may say in braces, filled in for each month.
PLACEHOLDERS = {
    "month": "the report's month, e.g. July 2009",
    "month_name": "the month alone, e.g. July",
    "committee": "the meeting's committee, e.g. Cabinet",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]


def fill(text: str, month: Month, committee: str) -> str:
    values = {"month": month.name, "month_name": month.month_name, "committee": committee}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def paragraphs(part: str, text: str) -> list[str]:
    """A part's text as the paper's paragraphs: a line each for the line-by-line parts, otherwise
    split at blank lines."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return []
    if part in LINES or part in TABLE:
        return [line.strip() for line in text.split("\n") if line.strip()]
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


def table_rows(text: str) -> list[tuple[str, str]]:
    """Section 12's rows: "Chief Executive: At CMT" -> ("Chief Executive", "At CMT")."""
    rows = []
    for line in paragraphs(Part.CONSULTED, text):
        who, _, answer = line.rpartition(":")
        rows.append((who.strip(), answer.strip()))
    return rows


def lines_without_colon(text: str) -> list[int]:
    """Line numbers (from 1) of a table part's lines that have no colon."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    return [n for n, line in enumerate(lines, start=1) if ":" not in line]


# ---------------------------------------------------------------------------------------------
# The papers of one month


@dataclass(frozen=True)
class MeetingDetails:
    committee: str
    date: date


@dataclass(frozen=True)
class RiskRow:
    """A row of section 7: the corporate risk and the parts of the plan that answer it."""

    code: str
    title: str
    merged_with: tuple[str, ...]  # the codes merged into this one (KO18 into KO5)
    references: tuple[str, ...]  # "FP1 – Managing Finances", "CP1 1.1.1 – Engage …"

    @property
    def label(self) -> str:
        return f"{self.code}{'*' if self.merged_with else ''}: {self.title}"

    @property
    def merge_note(self) -> str:
        """Seed 000: "KO5 and KO18 have been merged"."""
        codes = [self.code, *self.merged_with]
        return f"{', '.join(codes[:-1])} and {codes[-1]} have been merged"


@dataclass(frozen=True)
class CommitteePapers:
    """The meeting, the month's written parts (template or override, placeholders filled) and the
    corporate risks set against the plan."""

    meeting: MeetingDetails | None
    texts: dict[str, str]
    overridden: frozenset[str]
    risks: tuple[RiskRow, ...]

    @property
    def committee(self) -> str:
        return self.meeting.committee if self.meeting else ""

    def text(self, part: str) -> str:
        return self.texts.get(str(part), "")

    @property
    def merge_notes(self) -> tuple[str, ...]:
        return tuple(row.merge_note for row in self.risks if row.merged_with)

    def as_json(self) -> dict:
        return {
            "meeting": (
                {"committee": self.meeting.committee, "date": self.meeting.date.isoformat()}
                if self.meeting
                else None
            ),
            "texts": dict(self.texts),
            "overridden": sorted(self.overridden),
            "risks": [[r.code, r.title, list(r.merged_with), list(r.references)] for r in self.risks],
        }

    @classmethod
    def from_json(cls, data: dict) -> CommitteePapers:
        meeting = data.get("meeting")
        return cls(
            meeting=MeetingDetails(meeting["committee"], date.fromisoformat(meeting["date"]))
            if meeting
            else None,
            texts=dict(data["texts"]),
            overridden=frozenset(data.get("overridden", ())),
            risks=tuple(
                RiskRow(code, title, tuple(m), tuple(refs)) for code, title, m, refs in data["risks"]
            ),
        )


def meeting_of(plan: Plan, month: Month) -> MeetingDetails | None:
    meeting = Meeting.objects.filter(plan=plan, month=month.first_day).first()
    return MeetingDetails(meeting.committee, meeting.date) if meeting else None


def raw_texts(plan: Plan, month: Month) -> tuple[dict[str, str], dict[str, str]]:
    """The plan's template (with the defaults for parts it has not written) and the month's
    overrides, as typed (placeholders not filled). One query."""
    template = {str(part): DEFAULTS.get(part, "") for part in Part}
    overrides: dict[str, str] = {}
    for row in NarrativeText.objects.for_plan_month(plan, month):
        if row.part not in template:
            continue  # a part this version no longer prints
        (overrides if row.month else template)[row.part] = row.text
    return template, overrides


def previous_years_text(plan: Plan) -> tuple[Plan, dict[str, str]] | None:
    """For a plan that has written none of its own text yet, the previous plan year's (as typed),
    if it wrote any: what the new year's text starts from (the roll-over copies the plan, not the
    committee paper around it). Two queries."""
    previous = plan.previous_plan
    if previous is None or NarrativeText.objects.filter(plan=plan, month__isnull=True).exists():
        return None
    template, _ = raw_texts(previous, previous.start)
    has_text = NarrativeText.objects.filter(plan=previous, month__isnull=True).exists()
    return (previous, template) if has_text else None


@dataclass(frozen=True)
class StartingLinks:
    """What a risk's references in a new plan year start from: the previous year's priorities by
    their code (codes compared ignoring case and spaces) and the actions carried from its actions."""

    previous: Plan
    priorities: list[Priority]
    actions: list[Action]


def previous_years_links(risk: CorporateRisk, plan: Plan) -> StartingLinks | None:
    """For a risk with no references in ``plan`` yet, those it had in the plan year before, mapped
    into this one; None when it had none there either."""
    previous = plan.previous_plan
    if (
        previous is None
        or risk.priorities.filter(plan=plan).exists()
        or risk.actions.filter(plan=plan).exists()
    ):
        return None
    codes = {code_key(p.code) for p in risk.priorities.filter(plan=previous)}
    priorities = [p for p in plan.priorities.order_by("position", "id") if code_key(p.code) in codes]
    actions = list(
        Action.objects.filter(plan=plan, carried_from__in=risk.actions.filter(plan=previous).values("pk"))
    )
    return StartingLinks(previous, priorities, actions) if priorities or actions else None


def risks_against(plan: Plan) -> tuple[RiskRow, ...]:
    """Section 7: every risk of the register that is linked to this plan's priorities or actions
    (its own links and those of the risks merged into it), in the register's order. Six queries."""
    linked_priorities = Prefetch(
        "priorities", queryset=Priority.objects.filter(plan=plan).order_by("position", "id")
    )
    linked_actions = Prefetch(
        "actions",
        queryset=Action.objects.filter(plan=plan).select_related("measure__priority").in_plan_order(),
    )
    merged = Prefetch(
        "merged",
        queryset=CorporateRisk.objects.in_register(plan.organisation_id).prefetch_related(
            linked_priorities, linked_actions
        ),
    )
    risks = (
        CorporateRisk.objects.in_register(plan.organisation_id)
        .open()
        .prefetch_related(linked_priorities, linked_actions, merged)
    )
    rows = []
    for risk in sorted(risks, key=lambda r: r.sort_key):
        merged_risks = sorted(risk.merged.all(), key=lambda r: r.sort_key)
        priorities, actions = {}, {}
        for source in (risk, *merged_risks):
            priorities.update({p.pk: p for p in source.priorities.all()})
            actions.update({a.pk: a for a in source.actions.all()})
        if not priorities and not actions:
            continue
        references = [
            f"{p.code} – {p.title}" if p.title else p.code
            for p in sorted(priorities.values(), key=lambda p: (p.position, p.pk))
        ] + [
            f"{a.measure.priority.code} {a.ref} – {a.description}"
            for a in sorted(actions.values(), key=lambda a: (a.position, a.pk))
        ]
        rows.append(RiskRow(risk.code, risk.title, tuple(r.code for r in merged_risks), tuple(references)))
    return tuple(rows)


def committee_papers(plan: Plan, month: Month) -> CommitteePapers:
    """The month's papers as they stand (a closed month's are in its snapshot). Eight queries."""
    meeting = meeting_of(plan, month)
    template, overrides = raw_texts(plan, month)
    committee = meeting.committee if meeting else "the committee"
    texts = {part: fill(overrides.get(part, text), month, committee) for part, text in template.items()}
    return CommitteePapers(
        meeting=meeting, texts=texts, overridden=frozenset(overrides), risks=risks_against(plan)
    )
