import pytest

from plans.cells import neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("EXTENDED- Group to be established", "EXTENDED- Group to be established"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_formula_text_is_neutralised(value, expected):
    assert neutralise(value) == expected
