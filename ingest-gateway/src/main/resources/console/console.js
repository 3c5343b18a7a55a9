// PR Telemetry console: the live dashboard and the in-browser verification of a trace document.
// No build step: plain ES2020, served as a static file next to uPlot.
(function () {
  'use strict';

  // ---- verification: RFC 8785 canonical JSON, SHA-256 (WebCrypto), the hash chain, RFC 6962 Merkle root ----

  const enc = new TextEncoder();

  function hex(bytes) {
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  }

  function unhex(s) {
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  // RFC 8785: members sorted by UTF-16 code units (what Array.prototype.sort does), ECMAScript number
  // and string serialization (what JSON.stringify does), no whitespace.
  function jcs(v) {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
    return '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';
  }

  function without(obj, names) {
    const copy = {};
    for (const k of Object.keys(obj)) if (!names.includes(k)) copy[k] = obj[k];
    return copy;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  // RFC 6962 §2.1: MTH over leaves (the 32 raw bytes of each event hash).
  async function merkle(leaves) {
    if (leaves.length === 0) return sha256(new Uint8Array(0));
    let level = [];
    for (const l of leaves) level.push(await sha256(concat(new Uint8Array([0]), l)));
    return mth(level, 0, level.length);
  }

  async function mth(hashes, from, to) {
    const n = to - from;
    if (n === 1) return hashes[from];
    let k = 1;
    while (k * 2 < n) k *= 2;
    return sha256(concat(new Uint8Array([1]), await mth(hashes, from, from + k), await mth(hashes, from + k, to)));
  }

  /** The first problem in a document (seq and reason), or null; with the recomputed root and head. */
  async function verifyDocument(doc) {
    const events = doc.events || [];
    let prev = hex(await sha256(enc.encode('prt-genesis:' + doc.trace_id)));
    const leaves = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.seq !== i) return { seq: i, reason: 'expected seq ' + i + ' at this position, found ' + e.seq };
      const redacted = e.server_redaction !== undefined;
      const content = hex(await sha256(enc.encode(jcs(without(e, redacted ? ['hash', 'ts_server_s', 'server_redaction'] : ['hash', 'ts_server_s'])))));
      const claimed = redacted ? e.server_redaction.content_hash : e.hash;
      if (content !== claimed) return { seq: i, reason: 'its content hashes to ' + content + ' but ' + (redacted ? 'its redaction record' : 'the event') + ' says ' + claimed };
      if (e.prev_hash !== prev) return { seq: i, reason: 'prev_hash ' + e.prev_hash + ' is not ' + (i === 0 ? 'the genesis value ' : 'the hash of seq ' + (i - 1) + ', ') + prev };
      if (!/^[0-9a-f]{64}$/.test(e.hash)) return { seq: i, reason: 'hash is not 64 hex digits' };
      leaves.push(unhex(e.hash));
      prev = e.hash;
    }
    const integrity = doc.integrity || {};
    const root = hex(await merkle(leaves));
    if (integrity.event_count !== events.length) return { seq: null, reason: 'integrity.event_count is ' + integrity.event_count + ' but the document has ' + events.length + ' events' };
    if (events.length && integrity.chain_head !== prev) return { seq: null, reason: 'integrity.chain_head ' + integrity.chain_head + ' is not the last event hash ' + prev };
    if (integrity.merkle_root !== root) return { seq: null, reason: 'the Merkle root of the event hashes is ' + root + ', not integrity.merkle_root ' + integrity.merkle_root };
    return { ok: true, root: root, head: prev, count: events.length };
  }

  function setupVerify() {
    const button = document.getElementById('verify');
    const trace = document.getElementById('trace');
    if (!button || !trace) return;
    const out = document.getElementById('verify-result');
    button.addEventListener('click', async () => {
      document.querySelectorAll('.event.bad').forEach(el => el.classList.remove('bad'));
      out.className = 'pending';
      out.textContent = 'verifying…';
      if (!window.crypto || !crypto.subtle) {
        out.className = 'bad';
        out.textContent = 'This browser offers no WebCrypto here (it needs https or localhost); verify with ./prt verify instead.';
        return;
      }
      const started = performance.now();
      try {
        const res = await fetch('/console/traces/' + encodeURIComponent(trace.dataset.trace) + '/document', { credentials: 'same-origin', cache: 'no-store' });
        if (!res.ok) throw new Error('the document could not be read (HTTP ' + res.status + ')');
        const result = await verifyDocument(JSON.parse(await res.text()));
        const ms = Math.round(performance.now() - started);
        if (result.ok) {
          out.className = 'ok';
          out.dataset.result = 'ok';
          out.textContent = 'OK — ' + result.count + ' events: every event hash, the chain and the Merkle root ' + result.root.slice(0, 16) + '… match (' + ms + ' ms)';
        } else {
          out.className = 'bad';
          out.dataset.result = 'bad';
          out.dataset.badSeq = result.seq === null ? '' : String(result.seq);
          out.textContent = (result.seq === null ? 'FAILED: ' : 'FAILED at seq ' + result.seq + ': ') + result.reason;
          if (result.seq !== null) {
            const el = document.querySelector('.event[data-seq="' + result.seq + '"]');
            if (el) {
              el.classList.add('bad');
              const link = document.createElement('a');
              link.href = '#' + el.id;
              link.id = 'bad-event-link';
              link.textContent = ' → show event ' + result.seq;
              out.appendChild(link);
            }
          }
        }
      } catch (err) {
        out.className = 'bad';
        out.dataset.result = 'error';
        out.textContent = 'Could not verify: ' + err.message;
      }
    });
  }

  // ---- dashboard ----

  function setupDashboard() {
    const root = document.getElementById('dashboard');
    if (!root) return;
    const range = document.getElementById('range');
    const task = document.getElementById('task');
    const live = document.getElementById('live');
    const windows = new Map();
    const meta = { size: '1m', from: 0, to: 0 };
    let source = null;
    const charts = {};

    function params() {
      const p = new URLSearchParams({ range: range.value });
      if (task && task.value) p.set('task', task.value);
      return p.toString();
    }

    function set(id, value) {
      const el = document.getElementById('m-' + id);
      if (el) el.textContent = value;
    }

    function chart(id, series, data) {
      const el = document.getElementById(id);
      const width = Math.max(300, el.clientWidth || 500);
      if (!charts[id]) {
        charts[id] = new uPlot({ width: width, height: 180, series: [{}].concat(series), axes: [{}, { size: 72 }],
          scales: { x: { time: true } } }, data, el);
      } else {
        charts[id].setData(data);
      }
    }

    function render() {
      const list = Array.from(windows.values()).sort((a, b) => a.start < b.start ? -1 : 1);
      const t = { events: 0, chunks: 0, bytes: 0, opened: 0, completed: 0, rejected: 0, abandoned: 0, duplicates: 0, sandbox: 0 };
      const verdicts = {};
      const scores = {};
      for (const w of list) {
        t.events += w.events; t.chunks += w.chunks; t.bytes += w.bytes; t.duplicates += w.duplicates_dropped;
        t.opened += w.traces.opened; t.completed += w.traces.completed; t.rejected += w.traces.rejected; t.abandoned += w.traces.abandoned;
        t.sandbox += (w.sandbox_ms && w.sandbox_ms.total) || 0;
        for (const [k, v] of Object.entries(w.verdicts || {})) verdicts[k] = (verdicts[k] || 0) + v;
        for (const [rubric, dims] of Object.entries(w.scores || {})) {
          for (const [dim, s] of Object.entries(dims)) {
            const key = rubric + ' · ' + dim.replace(/_/g, ' ');
            const acc = scores[key] || (scores[key] = { count: 0, sum: 0, buckets: new Array(10).fill(0) });
            acc.count += s.count; acc.sum += s.mean * s.count;
            s.buckets.forEach((n, i) => { acc.buckets[i] += n; });
          }
        }
      }
      set('events', t.events.toLocaleString('en'));
      set('chunks', t.chunks.toLocaleString('en'));
      set('megabytes', (t.bytes / 1e6).toFixed(2));
      set('opened', t.opened); set('completed', t.completed); set('rejected', t.rejected); set('abandoned', t.abandoned);
      set('duplicates', t.duplicates);
      for (const v of ['resolved', 'not_resolved', 'waiting', 'error']) set(v, verdicts[v] || 0);
      const lastLatency = list.filter(w => w.latency_ms && w.latency_ms.count > 0).pop();
      set('p99', lastLatency ? lastLatency.latency_ms.p99 : '–');
      set('sandbox', (t.sandbox / 1000).toFixed(1));
      root.dataset.events = String(t.events);
      root.dataset.windows = String(list.length);

      // every window of the range on the x axis, the empty ones as zero (no line drawn across a quiet gap)
      const step = meta.size === '1h' ? 3600 : 60;
      const byStart = new Map(list.map(w => [Date.parse(w.start) / 1000, w]));
      const x = [];
      for (let t = Math.floor(meta.from / step) * step; t <= meta.to; t += step) x.push(t);
      const at = (t, f) => { const w = byStart.get(t); return w ? f(w) : 0; };
      chart('chart-events', [{ label: 'events', stroke: '#2b6cb0', fill: 'rgba(43,108,176,0.15)' }], [x, x.map(t => at(t, w => w.events))]);
      chart('chart-traces', [{ label: 'opened', stroke: '#718096' }, { label: 'completed', stroke: '#2f855a' },
        { label: 'rejected', stroke: '#c53030' }], [x, x.map(t => at(t, w => w.traces.opened)), x.map(t => at(t, w => w.traces.completed)),
        x.map(t => at(t, w => w.traces.rejected))]);
      const lat = (t, p) => { const w = byStart.get(t); return w && w.latency_ms.count ? w.latency_ms[p] : null; };
      // points as well as lines: a window with latencies between quiet ones is a lone point, which a line alone never draws
      chart('chart-latency', [{ label: 'p50', stroke: '#2b6cb0', spanGaps: false, points: { show: true, size: 6, fill: '#2b6cb0' } },
        { label: 'p99', stroke: '#c05621', spanGaps: false, points: { show: true, size: 6, fill: '#c05621' } }],
        [x, x.map(t => lat(t, 'p50')), x.map(t => lat(t, 'p99'))]);

      const box = document.getElementById('scores');
      box.replaceChildren();
      const names = Object.keys(scores).sort();
      if (!names.length) {
        const p = document.createElement('p');
        p.className = 'muted';
        p.textContent = 'No judgements in this range yet.';
        box.appendChild(p);
      }
      for (const name of names) {
        const s = scores[name];
        const row = document.createElement('div');
        row.className = 'score-row';
        const label = document.createElement('span');
        label.className = 'score-name';
        label.textContent = name;
        const mean = document.createElement('span');
        mean.className = 'score-mean';
        mean.textContent = (s.sum / s.count).toFixed(2) + ' (n=' + s.count + ')';
        const hist = document.createElement('span');
        hist.className = 'hist';
        const max = Math.max(...s.buckets, 1);
        s.buckets.forEach((n, i) => {
          const bar = document.createElement('span');
          bar.className = 'bar';
          bar.style.height = Math.round(100 * n / max) + '%';
          bar.title = (i / 2).toFixed(1) + '–' + ((i + 1) / 2).toFixed(1) + ': ' + n;
          hist.appendChild(bar);
        });
        row.append(label, hist, mean);
        box.appendChild(row);
      }
    }

    async function load() {
      if (source) source.close();
      live.textContent = 'loading…';
      const res = await fetch('/console/dashboard/data?' + params(), { credentials: 'same-origin', cache: 'no-store' });
      if (res.status === 401) { location.href = '/console/sign-in'; return; }
      const data = await res.json();
      meta.size = data.window;
      meta.from = Date.parse(data.from) / 1000;
      meta.to = Date.parse(data.to) / 1000;
      windows.clear();
      for (const w of data.windows) windows.set(w.id, w);
      render();
      source = new EventSource('/console/dashboard/stream?' + params());
      source.addEventListener('windows', ev => {
        for (const w of JSON.parse(ev.data)) windows.set(w.id, w);
        meta.to = Math.max(meta.to, Date.now() / 1000);
        render();
        live.textContent = 'live · updated ' + new Date().toLocaleTimeString();
        root.dataset.updatedAt = String(Date.now());
      });
      source.onopen = () => { live.textContent = 'live'; };
      source.onerror = () => { live.textContent = 'reconnecting…'; };
    }

    range.addEventListener('change', load);
    if (task) task.addEventListener('change', load);
    load();
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { jcs: jcs, verifyDocument: verifyDocument }; // for the tests, which run it under Node
  }
  if (typeof document !== 'undefined') {
    setupVerify();
    setupDashboard();
  }
})();
