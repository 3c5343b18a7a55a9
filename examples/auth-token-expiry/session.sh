# The failed attempt: an authentication bug the session never fixes.
prt start --task auth-token-expiry --title "Valid tokens are refused as expired" \
  --description "Tokens issued to expire after 2286-11-20 (10000000000) are refused while still valid." \
  --test-command "python3 -m pytest -q" --no-watch
prt note plan "Reproduce, then look at how verify decides a token has expired."
prt run -- python3 -m pytest -q || true
prt note observation "test_a_token_valid_past_the_next_digit_is_accepted fails: verify returns None for a token that expires later than now." --ref last-test
prt note hypothesis "Clock skew: the check has no leeway, so a token close to its expiry is refused. Allow 30 seconds." --ref last-test
pause
replace auth/tokens.py "if expires_at < str(now):" "if expires_at < str(now - 30):"
prt run -- python3 -m pytest -q || true
prt note observation "Still refused: the token expires 1 s after now but was refused with 30 s leeway too, so skew is not it." --ref last-test --ref last-edit
prt note hypothesis "The ':' split may cut a user name apart; pass maxsplit so the signature stays whole." --ref last-test
pause
replace auth/tokens.py 'user, expires_at, signature = token.split(":")' 'user, expires_at, signature = token.rsplit(":", 2)'
prt run -- python3 -m pytest -q || true
prt note observation "Same failure; the other three tests still pass. Neither the leeway nor the split is the cause." --ref last-test
prt note next "Print expires_at and now with their types inside verify before the comparison; hand over to someone who knows the token format." --ref last-note
prt finish --outcome not-fixed --wait 120
