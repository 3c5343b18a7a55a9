from auth.tokens import issue, verify


def test_a_fresh_token_names_its_user():
    assert verify(issue("ann", 2000000000), now=1999999000) == "ann"


def test_an_expired_token_is_refused():
    assert verify(issue("ann", 1700000000), now=1800000000) is None


def test_a_forged_token_is_refused():
    token = issue("ann", 2000000000)
    assert verify(token.replace("ann", "bob", 1), now=1999999000) is None


def test_a_token_valid_past_the_next_digit_is_accepted():
    assert verify(issue("ann", 10000000000), now=9999999999) == "ann"
