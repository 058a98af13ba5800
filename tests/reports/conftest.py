from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import (
    council_named,
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_status,
)
from tests.reports.pdf_helpers import Clock


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The clock at 14:32 tomorrow, London time (after every row the test made with the real one).
    Ask for it before logging in: a session started by the real clock would have expired."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    clock = Clock(
        datetime(tomorrow.year, tomorrow.month, tomorrow.day, 14, 32, tzinfo=ZoneInfo("Europe/London"))
    )
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def plan():
    """A small plan ready for Cabinet: July 2009 has one AMBER and one GREEN action, and the cover's
    people are set. (Modules with plans of their own override it.)"""
    plan = make_plan(
        slug="small",
        title="Improvement Plan 2009/10",
        organisation=council_named("Bromsgrove District Council"),
        portfolio_holder="Cllr. A Member",
        responsible_officer="An Officer",
        contact_name="A Contact",
    )
    measure = make_measure(make_priority(plan, "CP1", "Town Centre"), "1.1", "Town centre vision")
    lead = make_lead("PS", organisation=plan.organisation)
    late = make_action(measure, "1.1.1", "Engage specialists", leads=[lead], planned=["2009-07"])
    make_status(late, "2009-07", "AMBER", corrective_action="Meeting planned for September")
    done = make_action(measure, "1.1.2", "Set up the team", leads=[lead], planned=["2009-07"])
    make_status(done, "2009-07", "GREEN")
    return plan
