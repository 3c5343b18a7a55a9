# The complex session: two bugs in two files, found by testing one hypothesis after another.
prt start --task cart-discount --title "Discounted cart totals are a few cents off" \
  --description "Totals come out 2-3 cents low, with or without a discount." \
  --test-command "python3 -m pytest -q" --no-watch
prt note plan "Run the tests, then follow a price from Cart.add through pricing to the total."
prt run -- python3 -m pytest -q || true
prt note observation "Three tests fail: 4.35 x 3 gives 13.02, 10% off 2.45 x 2 gives 4.40, two discounted lines give 3.22." --ref last-test
prt note hypothesis "discounted() floors with //: 245 cents at 10% off is 220.5 and becomes 220, not 221." --ref last-test
pause
replace cart/pricing.py "return price_cents * (100 - percent) // 100" "return (price_cents * (100 - percent) + 50) // 100"
prt run -- python3 -m pytest -q || true
prt note observation "The half-up test passes now, but 4.35 x 3 is still 13.02 and two lines give 3.24: something loses a cent before the discount." --ref last-test --ref last-edit
prt run -- python3 -c "print(4.35 * 100, int(4.35 * 100))"
prt note hypothesis "to_cents truncates: 4.35 * 100 is 434.99999999999994 in binary floating point and int() makes it 434." --ref last-run
pause
replace cart/money.py "return int(amount * 100)" "return round(amount * 100)"
prt run -- python3 -m pytest -q
prt note decision "Round to the nearest cent when converting and half up after the discount; all four tests pass." --ref last-test
git commit -qam "cart: convert prices to cents by rounding, round discounts half up"
prt finish --outcome fixed --wait 120
