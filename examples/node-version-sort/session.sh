# A Node session: Jest tests (reported through jest-junit), a comparison of strings where numbers were meant.
# Run by ../record.sh inside a scratch copy of repo/, with prt, replace and pause defined.
npm ci --no-audit --no-fund >/dev/null 2>&1
prt start --task node-version-sort --title "1.10.0 sorts before 1.9.0" \
  --description "sortVersions(['1.10.0', '1.9.1']) puts 1.10.0 first, and latest(['0.9.0', '0.10.0']) answers 0.9.0." \
  --test-command "npm test" --no-watch
prt note plan "Run the Jest suite and see which comparisons go wrong."
prt run --junit-xml junit.xml -- npx jest --ci --reporters=default --reporters=jest-junit || true
prt note observation "Three tests fail, all with a part of two digits: 1.10.0 vs 1.9.0, 2.0.10 vs 2.0.2, and the sort and latest built on compare." --ref last-test
prt run -- node -e "console.log('10' < '9', 10 < 9)"
prt note hypothesis "compare orders the parts as strings: '10' < '9' is true, character by character. The parts must be compared as numbers." --ref last-run --ref last-test
pause
replace src/versions.js "    const p = x.release[i] || '0';
    const q = y.release[i] || '0';" "    const p = Number(x.release[i] || 0);
    const q = Number(y.release[i] || 0);"
prt run --junit-xml junit.xml -- npx jest --ci --reporters=default --reporters=jest-junit
prt note decision "Compare release parts as numbers; all eight tests pass, pre-release ordering unchanged." --ref last-test --ref last-edit
git commit -qam "compare: order release parts as numbers, not strings"
prt finish --outcome fixed --wait 120
