from django.urls import path, register_converter

from reports import views
from reports.periods import Month


class MonthConverter:
    """``2009-07`` in a URL <-> ``Month``; a month that does not exist (2009-13) is not found."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> Month:
        return Month.parse(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(MonthConverter, "month")

app_name = "reports"

urlpatterns = [
    path("", views.PickReportView.as_view(), name="pick"),
    path("<slug:slug>/<month:month>/", views.MonthReportView.as_view(), name="month"),
    path("<slug:slug>/<month:month>/summary.json", views.SummaryJsonView.as_view(), name="summary-json"),
    path("<slug:slug>/<month:month>/close/", views.CloseMonthView.as_view(), name="close"),
    path("<slug:slug>/<month:month>/reopen/", views.ReopenMonthView.as_view(), name="reopen"),
]
