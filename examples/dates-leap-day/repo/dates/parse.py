DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def is_leap(year):
    """Gregorian rule: every 4th year is a leap year, except centuries, except every 4th century."""
    return year % 4 == 0 and (year % 100 != 0 and year % 400 == 0)


def days_in_month(year, month):
    return 29 if month == 2 and is_leap(year) else DAYS[month - 1]


def parse_date(text):
    """'YYYY-MM-DD' -> (year, month, day), refusing days the month does not have."""
    y, m, d = (int(p) for p in text.split("-"))
    if not 1 <= m <= 12:
        raise ValueError("month is out of range")
    if not 1 <= d <= days_in_month(y, m):
        raise ValueError("day is out of range for month")
    return (y, m, d)
