from cart.cart import Cart


def test_no_discount():
    c = Cart()
    c.add("book", 12.5, 2)
    assert c.total() == 25.0


def test_discount_rounds_half_up():
    c = Cart(discount=15)
    c.add("mug", 3.99, 3)
    assert c.total() == 10.17


def test_discount_on_two_lines():
    c = Cart(discount=10)
    c.add("pen", 1.15, 1)
    c.add("pad", 2.45, 1)
    assert c.total() == 3.24
