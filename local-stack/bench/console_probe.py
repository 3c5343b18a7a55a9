#!/usr/bin/env python3
"""Measures the web console in Debian's chromium (through chromedriver, W3C WebDriver), against a running stack.

  python3 local-stack/bench/console_probe.py delay [N]       event accepted (its chunk's 202) -> the number on a
                                                             participant's dashboard, N probes of one 5-event chunk
  python3 local-stack/bench/console_probe.py page TRACE_ID    the trace viewer's load (Navigation Timing) and the
                                                             in-browser verification, four times

PRT_DATA_DIR (default .prt-data) holds the researcher token; PRT_GATEWAY_PORT the gateway's port (8000).
"""
import base64, json, os, subprocess, sys, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'schemas', 'reference', 'python'))
import prt_chain  # noqa: E402  (the reference client: hashes and chains events)

G = 'http://127.0.0.1:' + os.environ.get('PRT_GATEWAY_PORT', '8000')
TOKEN = open(os.path.join(os.environ.get('PRT_DATA_DIR', '.prt-data'), 'researcher.token')).read().strip()
PORT = 9515

driver = subprocess.Popen(['/usr/bin/chromedriver', f'--port={PORT}'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.5)


def call(method, path, body=None):
    req = urllib.request.Request(f'http://127.0.0.1:{PORT}{path}', method=method, headers={'Content-Type': 'application/json'},
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())['value']


session = call('POST', '/session', {'capabilities': {'alwaysMatch': {'browserName': 'chrome', 'goog:chromeOptions': {
    'binary': '/usr/bin/chromium',
    'args': ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--window-size=1400,1000']}}}})
S = '/session/' + session['sessionId']


def go(url):
    call('POST', S + '/url', {'url': url})


def find(css):
    return list(call('POST', S + '/element', {'using': 'css selector', 'value': css}).values())[0]


def text(css):
    return call('GET', S + f'/element/{find(css)}/text')


def click(css):
    call('POST', S + f'/element/{find(css)}/click', {})


def sign_in(token):
    go(G + '/console/sign-in')
    call('POST', S + f'/element/{find("#token")}/value', {'text': token})
    click('#sign-in')


def api(method, path, body=None, token=None, headers=None):
    h = {'Content-Type': 'application/json', **(headers or {})}
    if token:
        h['Authorization'] = 'Bearer ' + token
    req = urllib.request.Request(G + path, method=method, headers=h, data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b'{}')


def delay(n):
    who = 'probe-' + uuid.uuid4().hex[:8]
    participant = api('POST', f'/v1/participants/{who}/tokens', token=TOKEN)['token']
    sign_in(participant)  # a participant's dashboard counts only their own traces
    while not text('#live').startswith('live'):
        time.sleep(0.1)
    out = []
    for i in range(n):
        created = api('POST', '/v1/traces', {'participant_id': who, 'task_id': 'probe', 'task_title': 'probe', 'repo_origin': 'probe',
                                             'start_commit': 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', 'consent': {'granted': True}},
                      token=participant)
        trace = created['trace_id']
        doc = prt_chain.chain(trace, [{'id': f'ev-{k}', 'ts_client_s': time.time(), 'type': 'rationale_note',
                                       'payload': {'kind': 'plan', 'text': f'probe {i}.{k}'}} for k in range(5)])
        api('POST', f'/v1/traces/{trace}/events:ingest', {'chunk_id': 'c0', 'chunk_seq': 0, 'events': doc['events']},
            token=created['upload_token'], headers={'Idempotency-Key': uuid.uuid4().hex})
        accepted = time.time()
        while text('#m-events') != str(5 * (i + 1)) and time.time() - accepted < 120:
            time.sleep(0.05)
        out.append(round((time.time() - accepted) * 1000))
        api('POST', f'/v1/traces/{trace}/complete', {'final_seq': 4, 'chain_head': doc['integrity']['chain_head']},
            token=created['upload_token'])
        time.sleep(1)
    print(json.dumps({'participant': who, 'accepted_to_screen_ms': out}))


def page(trace):
    sign_in(TOKEN)
    for _ in range(4):
        started = time.time()
        go(G + '/console/traces/' + trace)
        wall = time.time() - started
        nav = call('POST', S + '/execute/sync', {'args': [], 'script': "const n = performance.getEntriesByType('navigation')[0];"
                   " return {ttfb_ms: n.responseStart, dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd,"
                   " events: document.querySelectorAll('li.event').length}"})
        click('#verify')
        result = ''
        for _ in range(600):
            result = text('#verify-result')
            if result.startswith(('OK', 'FAILED', 'Could not')):
                break
            time.sleep(0.1)
        print(json.dumps({'wall_s': round(wall, 3), **{k: round(v) for k, v in nav.items()}, 'verify': result}))


try:
    if sys.argv[1] == 'delay':
        delay(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    elif sys.argv[1] == 'page':
        page(sys.argv[2])
    else:
        sys.exit(__doc__)
finally:
    try:
        call('DELETE', S)
    finally:
        driver.kill()
