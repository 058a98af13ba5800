"""The plan workbook: a council's plan in and out of Excel (the format is in the README).

Reading is in three steps, so that nothing is saved from a bad file:

1. ``safety``: the bytes of an untrusted upload are checked (size, zip entries, each XML part's
   size and entries, no formulas) before openpyxl opens anything.
2. ``reader``: the sheets become a ``ParsedPlan`` of plain values, or ``WorkbookInvalid`` carries
   *every* problem found, each by sheet, row and column.
3. ``importer``: one transaction creates the plan, or updates an existing one through
   ``plans.services`` so that every earlier status and its history is kept.

``writer`` writes the same format back (status word and colour in the month grid), and
``blank_template`` an empty one. The names below are the package's public ones, for views,
commands and the demo loader that need only these.
"""

from plans.workbook.importer import RESERVED_SLUGS, ImportRefused, ImportResult, import_plan, plan_slug
from plans.workbook.reader import (
    Cell,
    ParsedAction,
    ParsedMeasure,
    ParsedPlan,
    ParsedPriority,
    ParsedTerm,
    read_workbook,
)
from plans.workbook.safety import (
    MAX_UPLOAD_BYTES,
    NOT_XLSX,
    WorkbookError,
    WorkbookInvalid,
    check_archive,
    read_upload,
)
from plans.workbook.writer import (
    blank_template,
    export_plan,
    parsed_from_plan,
    workbook_bytes,
    write_workbook,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "NOT_XLSX",
    "RESERVED_SLUGS",
    "Cell",
    "ImportRefused",
    "ImportResult",
    "ParsedAction",
    "ParsedMeasure",
    "ParsedPlan",
    "ParsedPriority",
    "ParsedTerm",
    "WorkbookError",
    "WorkbookInvalid",
    "blank_template",
    "check_archive",
    "export_plan",
    "import_plan",
    "parsed_from_plan",
    "plan_slug",
    "read_upload",
    "read_workbook",
    "workbook_bytes",
    "write_workbook",
]
