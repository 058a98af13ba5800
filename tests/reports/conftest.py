from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

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
