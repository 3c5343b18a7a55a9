class Cart:
    """A shopping cart with an optional percentage discount on every line."""

    def __init__(self, discount=0):
        self.discount = discount
        self.lines = []

    def add(self, name, price, qty=1):
        self.lines.append((name, price, qty))

    def total(self):
        total = 0.0
        for _, price, qty in self.lines:
            line = price * (1 - self.discount / 100) * qty
            total += int(line * 100) / 100
        return total
