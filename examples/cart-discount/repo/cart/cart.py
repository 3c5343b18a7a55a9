from cart.money import from_cents, to_cents
from cart.pricing import discounted


class Cart:
    """A shopping cart with an optional percentage discount on every line."""

    def __init__(self, discount=0):
        self.discount = discount
        self.lines = []

    def add(self, name, price, qty=1):
        self.lines.append((name, price, qty))

    def total(self):
        cents = 0
        for _, price, qty in self.lines:
            cents += discounted(to_cents(price), self.discount) * qty
        return from_cents(cents)
