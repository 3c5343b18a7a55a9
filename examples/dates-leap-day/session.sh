# The simple session: one wrong operator in one file.
# Run by ../record.sh inside a scratch copy of repo/, with prt, replace and pause defined.
prt start --task dates-leap-day --title "parse_date rejects 29 February in leap years" \
  --description "parse_date('2024-02-29') raises ValueError: day is out of range for month." \
  --test-command "python3 -m pytest -q" --no-watch
prt note plan "Reproduce with the test suite, then read how parse_date decides a month's length."
prt run -- python3 -m pytest -q || true
prt note observation "2024-02-29 and 2000-02-29 are refused; 2023-02-29 and 1900-02-29 are refused correctly." --ref last-test
prt run -- grep -n "def is_leap" -A 3 dates/parse.py
prt note hypothesis "is_leap joins the century rules with 'and': (year % 100 != 0 and year % 400 == 0) is false for 2024, so no ordinary leap year counts. It must be 'or'." --ref last-run --ref last-test
pause
replace dates/parse.py "(year % 100 != 0 and year % 400 == 0)" "(year % 100 != 0 or year % 400 == 0)"
prt run -- python3 -m pytest -q
prt note decision "Fixed the operator; the century and 400-year tests still pass, so the rule is whole." --ref last-test --ref last-edit
git commit -qam "is_leap: a leap year is divisible by 4 and (not by 100 or by 400)"
prt finish --outcome fixed --wait 120
