DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def parse_date(text):
    """'YYYY-MM-DD' -> (year, month, day), refusing days the month does not have."""
    y, m, d = (int(p) for p in text.split("-"))
    if not 1 <= m <= 12:
        raise ValueError("month is out of range")
    if d > DAYS[m - 1]:
        raise ValueError("day is out of range for month")
    return (y, m, d)
