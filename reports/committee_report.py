"""Seed 000's committee report, sections 1-15 in the paper's order, as plain blocks that the HTML
page, the PDF cover and the Word copy all print.

The figures (2.2's sentence, 3.3, 3.4) come from the month's ``ExceptionReport`` and the
corporate risks (section 7), the meeting and the written parts from ``cabinet.committee``'s
``CommitteePapers``; for a closed month both are the published snapshot's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cabinet.committee import TABLE, CommitteePapers, Part, paragraphs, table_rows
from plans.status import Status
from reports.exception_report import ExceptionReport

# The paper's headings, in its order (seed 000).
HEADINGS = (
    "SUMMARY",
    "RECOMMENDATION",
    "BACKGROUND",
    "FINANCIAL IMPLICATIONS",
    "LEGAL IMPLICATIONS",
    "COUNCIL OBJECTIVES",
    "RISK MANAGEMENT",
    "CUSTOMER IMPLICATIONS",
    "EQUALITIES AND DIVERSITY IMPLICATIONS",
    "VALUE FOR MONEY IMPLICATIONS",
    "OTHER IMPLICATIONS",
    "OTHERS CONSULTED ON THE REPORT",
    "WARDS AFFECTED",
    "APPENDICES",
    "BACKGROUND PAPERS:",
)

# The written part of each section that is nothing but text.
WRITTEN = {
    1: Part.SUMMARY,
    4: Part.FINANCIAL,
    5: Part.LEGAL,
    6: Part.OBJECTIVES,
    8: Part.CUSTOMER,
    9: Part.EQUALITIES,
    10: Part.VALUE_FOR_MONEY,
    11: Part.OTHER,
    12: Part.CONSULTED,
    13: Part.WARDS,
    14: Part.APPENDICES,
    15: Part.BACKGROUND_PAPERS,
}

NOTE_MARK = "¹"
REPROGRAMMED_NOTE = (
    f"{NOTE_MARK} NB reprogrammed actions are those that have been moved to a later point in the year. "
    "Suspended actions are those which have been suspended completely for the period covered by the Plan."
)
MERGED_MARK = "*"


@dataclass(frozen=True)
class Block:
    """A paragraph (``number`` "2.2", or "" for a line the paper does not number), a table
    (``header`` may be empty: section 12's rows are headed by their first cell), or a note."""

    kind: str  # "paragraph" | "table" | "note"
    number: str = ""
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    name: str = ""  # the table's kind, for the layout: "by-priority", "changed", "risks", "consulted"


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return f"{self.number}. {self.heading}"


class _Numbering:
    """The paragraphs of a section numbered as the paper numbers them: 3.1, 3.2, …"""

    def __init__(self, section: int):
        self.section, self.count = section, 0

    def next(self) -> str:
        self.count += 1
        return f"{self.section}.{self.count}"

    def written(self, part: str, text: str) -> list[Block]:
        if part in TABLE:
            rows = tuple((who, answer) for who, answer in table_rows(text))
            return [Block("table", rows=rows, name="consulted")] if rows else []
        if part == Part.OTHER:
            return [Block("paragraph", text=line) for line in paragraphs(part, text)]
        return [Block("paragraph", self.next(), line) for line in paragraphs(part, text)]


def meeting_date(day: date) -> str:
    """ "2ND SEPTEMBER 2009", as the paper prints the meeting."""
    suffix = "TH" if 11 <= day.day % 100 <= 13 else {1: "ST", 2: "ND", 3: "RD"}.get(day.day % 10, "TH")
    return f"{day.day}{suffix} {day:%B %Y}".upper()


def cmt_notes(report: ExceptionReport) -> str:
    """2.2's generated sentence: the month's figures as CMT is asked to note them."""
    sentence = report.summary_sentence
    return "That CMT notes that " + sentence[:1].lower() + sentence[1:]


def recommendation_sentence(report: ExceptionReport, note: str) -> str:
    """2.2 as printed: the sentence, the footnote mark, and the performance team's note when
    there is one ("these include the suspension of …")."""
    sentence = cmt_notes(report).removesuffix(".") + NOTE_MARK
    note = " ".join(note.split())
    return f"{sentence}; {note}" if note else f"{sentence}."


def _by_priority(report: ExceptionReport, numbering: _Numbering, status: Status) -> list[Block]:
    word = report.word(status).lower()
    rows = report.ambers_by_priority if status == Status.AMBER else report.reds_by_priority
    total = report.figures.count(status)
    if not rows:
        return [Block("paragraph", numbering.next(), f"There were no {word} activities this month.")]
    activities = "activity" if total == 1 else "activities"
    verb = "was" if total == 1 else "were"
    counts = tuple(
        (row.code, row.title, str(row.amber if status == Status.AMBER else row.red)) for row in rows
    )
    return [
        Block(
            "paragraph",
            numbering.next(),
            f"There {verb} {total} {word} {activities} this month for the following areas of the Improvement Plan:-",
        ),
        Block(
            "table",
            header=("Ref.", "Council Plan Balanced Scorecard Reference", "Number"),
            rows=counts,
            name="by-priority",
        ),
    ]


def _background(report: ExceptionReport, papers: CommitteePapers) -> list[Block]:
    numbering = _Numbering(3)
    blocks = numbering.written(Part.BACKGROUND, papers.text(Part.BACKGROUND))
    blocks += _by_priority(report, numbering, Status.AMBER)
    if report.reds_by_priority:
        blocks += _by_priority(report, numbering, Status.RED)
    if report.changed_actions:
        blocks += [
            Block("paragraph", numbering.next(), "The re-programmed and suspended actions are:-"),
            Block(
                "table",
                header=("Ref.", "Action", "Reason"),
                rows=tuple((row.refs, row.action, row.reason) for row in report.changed_actions),
                name="changed",
            ),
        ]
    else:
        blocks.append(
            Block(
                "paragraph",
                numbering.next(),
                f"No action was re-programmed or suspended in {report.month.name}.",
            )
        )
    blocks.append(Block("note", text=REPROGRAMMED_NOTE))
    return blocks


def _recommendation(report: ExceptionReport, papers: CommitteePapers) -> list[Block]:
    numbering = _Numbering(2)
    blocks = numbering.written(Part.RECOMMENDATION, papers.text(Part.RECOMMENDATION))
    note = " ".join(paragraphs(Part.RECOMMENDATION_NOTE, papers.text(Part.RECOMMENDATION_NOTE)))
    blocks.append(Block("paragraph", numbering.next(), recommendation_sentence(report, note)))
    return blocks + numbering.written(Part.RECOMMENDATION_AFTER, papers.text(Part.RECOMMENDATION_AFTER))


def _risks(report: ExceptionReport, papers: CommitteePapers) -> list[Block]:
    numbering = _Numbering(7)
    blocks = numbering.written(Part.RISK, papers.text(Part.RISK))
    if not papers.risks:
        return blocks + [Block("paragraph", text="No corporate risk is linked to this plan.")]
    blocks.append(
        Block(
            "table",
            header=("Corporate Risk Title", "Improvement Plan Reference"),
            rows=tuple((row.label, "\n".join(row.references)) for row in papers.risks),
            name="risks",
        )
    )
    return blocks + [Block("note", text=f"{MERGED_MARK} {note}") for note in papers.merge_notes]


def committee_sections(report: ExceptionReport, papers: CommitteePapers) -> tuple[Section, ...]:
    """Sections 1-15 of the paper for the month."""
    sections = []
    for number, heading in enumerate(HEADINGS, start=1):
        if number == 2:
            blocks = _recommendation(report, papers)
        elif number == 3:
            blocks = _background(report, papers)
        elif number == 7:
            blocks = _risks(report, papers)
        else:
            part = WRITTEN[number]
            blocks = _Numbering(number).written(part, papers.text(part))
        sections.append(Section(number, heading, tuple(blocks)))
    return tuple(sections)
