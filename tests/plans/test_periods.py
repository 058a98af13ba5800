import pytest

from plans.periods import Month, month_range, plan_year_label, reporting_months


def test_parse_and_print():
    assert Month.parse("2009-07") == Month(2009, 7)
    assert str(Month(2009, 7)) == "2009-07"
    assert Month(2009, 7).name == "July 2009"
    assert Month(2009, 9).short == "Sept 09"
    assert Month(2010, 12).short == "Dec 10"
    assert Month(2009, 8).grid_label == "Aug."


@pytest.mark.parametrize("bad", ["2009-13", "2009-7", "July 2009", "", "2009-00"])
def test_parse_refuses_what_is_not_a_month(bad):
    with pytest.raises(ValueError):
        Month.parse(bad)


def test_arithmetic_crosses_years():
    assert Month(2009, 12) + 1 == Month(2010, 1)
    assert Month(2010, 1) - 1 == Month(2009, 12)
    assert Month(2010, 6) - Month(2009, 7) == 11
    assert month_range(Month(2009, 7), 12)[-1] == Month(2010, 6)


def test_plan_year_labels():
    assert plan_year_label(Month(2009, 7)) == "2009/10"
    assert plan_year_label(Month(2009, 4)) == "2009/10"
    assert plan_year_label(Month(2009, 1)) == "2009"


def test_reporting_every_second_month_as_rotherham_does():
    months = reporting_months(Month(2007, 4), 12, 2)
    assert [str(m) for m in months] == ["2007-05", "2007-07", "2007-09", "2007-11", "2008-01", "2008-03"]
    assert len(reporting_months(Month(2009, 7), 12, 1)) == 12
