def discounted(price_cents, percent):
    """A price in cents after a percentage discount, rounded half up to the cent."""
    return price_cents * (100 - percent) // 100
