import pytest

from dates.parse import parse_date


def test_parse_plain():
    assert parse_date("2023-03-14") == (2023, 3, 14)


def test_parse_leap_day():
    assert parse_date("2024-02-29") == (2024, 2, 29)


def test_refuses_non_leap_february_29():
    with pytest.raises(ValueError):
        parse_date("2023-02-29")


def test_centuries_are_not_leap_years():
    with pytest.raises(ValueError):
        parse_date("1900-02-29")


def test_every_fourth_century_is_a_leap_year():
    assert parse_date("2000-02-29") == (2000, 2, 29)
