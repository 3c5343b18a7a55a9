def to_cents(amount):
    """A price in currency units (a float such as 3.99) as whole cents."""
    return int(amount * 100)


def from_cents(cents):
    return cents / 100
