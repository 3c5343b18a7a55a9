# A Java/Maven session: JUnit 5 tests run with Maven offline, a wrong rounding found by reading the failures.
# Run by ../record.sh inside a scratch copy of repo/, with prt, replace and pause defined.
prt start --task java-pagination --title "The last page of a listing is missing" \
  --description "25 items at 10 per page show pages 1-2 only; page 3 is refused: 'page 3 does not exist (1 to 2)'." \
  --test-command "mvn -q -o test" --no-watch
prt note plan "Run the JUnit suite, then read how Paginator counts pages."
prt run -- mvn -q -o test || true
prt note observation "aPartialLastPageCounts fails for 11/10, 25/10 and 7/3 (one page short each time) and theLastPageHoldsTheRest is refused page 3; exact multiples pass." --ref last-test
prt run -- grep -n "itemCount / pageSize" src/main/java/org/example/paging/Paginator.java
prt note hypothesis "pageCount divides with integer division, which rounds down: a partial last page is dropped. It must round up." --ref last-run --ref last-test
pause
replace src/main/java/org/example/paging/Paginator.java "return Math.max(1, itemCount / pageSize);" "return Math.max(1, (itemCount + pageSize - 1) / pageSize);"
prt run -- mvn -q -o test
prt note decision "Rounded the page count up; the partial-page cases pass and the exact multiples and the empty listing still do." --ref last-test --ref last-edit
git commit -qam "Paginator: a partial last page is a page (round the page count up)"
prt finish --outcome fixed --wait 120
