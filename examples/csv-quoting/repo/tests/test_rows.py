from csvlite.rows import split_row


def test_plain_fields():
    assert split_row("a, b, c") == ["a", "b", "c"]


def test_quoted_comma_stays_in_field():
    assert split_row('name,"Smith, Jane",42') == ["name", "Smith, Jane", "42"]
