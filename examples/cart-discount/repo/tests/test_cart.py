from cart.cart import Cart


def test_no_discount():
    c = Cart()
    c.add("book", 12.5, 2)
    assert c.total() == 25.0


def test_prices_are_exact_cents():
    c = Cart()
    c.add("tea", 4.35, 3)
    assert c.total() == 13.05


def test_discount_rounds_half_up():
    c = Cart(discount=10)
    c.add("pad", 2.45, 2)
    assert c.total() == 4.42


def test_discount_on_two_lines():
    c = Cart(discount=10)
    c.add("pen", 1.15, 1)
    c.add("pad", 2.45, 1)
    assert c.total() == 3.25
