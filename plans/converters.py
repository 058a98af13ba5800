"""The one URL converter for a month: ``2009-07`` <-> ``Month``. Registered once, for every app's URLs."""

from django.urls import register_converter

from plans.periods import Month


class MonthConverter:
    """A month that does not exist (2009-13) is not found."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> Month:
        return Month.parse(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(MonthConverter, "month")
