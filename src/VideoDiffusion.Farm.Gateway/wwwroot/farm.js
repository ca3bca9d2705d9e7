// VideoDiffusion.Farm gateway page: the Farm view. Polls GET /v1/farm every 2 s (the silos report at that pace) and
// draws one row per silo with an inline SVG sparkline of its utilisation, the caller's running jobs and other
// tenants' counts. Plain ES2020, no build step. Server text is only ever inserted with textContent.
'use strict';

(() => {
  const POLL_MS = 2000;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const SPARK_POINTS = 60;   // 5 minutes at 5 s per point
  const SPARK_HEIGHT = 20;   // viewBox units; the CSS sets the drawn size

  const $ = (id) => document.getElementById(id);
  const els = {
    apiKey: $('api-key'), view: $('farm-view'), updated: $('farm-updated'), error: $('farm-error'),
    summary: $('farm-summary'), silos: document.querySelector('#farm-silos tbody'), empty: $('farm-empty'),
    jobs: $('farm-jobs'), jobsEmpty: $('farm-jobs-empty'), others: $('farm-others'),
  };

  let timer = null;
  let inFlight = false;

  function setText(node, text) {
    const t = String(text);
    if (node.textContent !== t) node.textContent = t;
  }

  function percent(ratio) {
    const r = Number(ratio);
    return Number.isFinite(r) ? Math.round(Math.min(1, Math.max(0, r)) * 100) + ' %' : '—';
  }

  function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

  function showError(text) {
    els.error.hidden = !text;
    setText(els.error, text || '');
  }

  // ---------- sparkline ----------

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  function createSparkline() {
    const s = svg('svg', { class: 'spark', viewBox: `0 0 ${SPARK_POINTS - 1} ${SPARK_HEIGHT}`, preserveAspectRatio: 'none', role: 'img' });
    s.append(
      svg('path', { class: 'spark-area' }),
      svg('line', { class: 'spark-base', x1: 0, x2: SPARK_POINTS - 1, y1: SPARK_HEIGHT, y2: SPARK_HEIGHT }),
      svg('polyline', { class: 'spark-line' }));
    return s;
  }

  // The newest point sits at the right edge; a silo younger than 5 minutes fills only the right part.
  function drawSparkline(s, series, now) {
    const points = (Array.isArray(series) ? series : []).slice(-SPARK_POINTS).map((v) => {
      const r = Number(v);
      return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
    });
    const offset = SPARK_POINTS - points.length;
    const xy = points.map((v, i) => `${offset + i},${(SPARK_HEIGHT * (1 - v)).toFixed(2)}`);
    s.querySelector('.spark-line').setAttribute('points', xy.join(' '));
    s.querySelector('.spark-area').setAttribute('d', xy.length < 2 ? ''
      : `M${offset},${SPARK_HEIGHT} L${xy.join(' L')} L${SPARK_POINTS - 1},${SPARK_HEIGHT} Z`);
    s.setAttribute('aria-label', `utilisation over the last 5 minutes, now ${percent(now)}`);
  }

  // ---------- table ----------

  function cell(className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    return td;
  }

  function rowFor(name) {
    for (const tr of els.silos.rows) {
      if (tr.dataset.silo === name) return tr;
    }
    const tr = document.createElement('tr');
    tr.dataset.silo = name;
    const spark = cell('spark-cell');
    spark.append(createSparkline());
    tr.append(cell('silo-name'), cell('slots num'), cell('util num'), spark, cell('queued num'), cell('windows num'));
    els.silos.append(tr);
    return tr;
  }

  function drawSilos(silos) {
    const seen = new Set();
    for (const s of silos) {
      seen.add(s.name);
      const tr = rowFor(s.name);
      tr.dataset.util = String(s.utilization);
      setText(tr.querySelector('.silo-name'), s.name);
      tr.querySelector('.silo-name').title = s.address || '';
      setText(tr.querySelector('.slots'), s.slots);
      setText(tr.querySelector('.util'), percent(s.utilization));
      drawSparkline(tr.querySelector('.spark'), s.utilizationSeries, s.utilization);
      setText(tr.querySelector('.queued'), s.queuedWindowSteps);
      setText(tr.querySelector('.windows'), s.runningWindows);
    }
    for (const tr of Array.from(els.silos.rows)) {
      if (!seen.has(tr.dataset.silo)) tr.remove();
    }
    els.empty.hidden = silos.length > 0;
  }

  function drawJobs(jobs, others) {
    els.jobs.replaceChildren(...jobs.map((j) => {
      const li = document.createElement('li');
      li.dataset.job = j.id;
      const id = document.createElement('code');
      id.textContent = j.id;
      const where = Object.entries(j.silos || {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([silo, n]) => `${silo} ${n}`).join(', ');
      const text = document.createElement('span');
      text.className = 'muted';
      text.textContent = `${plural(j.runningWindows, 'window')} running` + (where ? ` (${where})` : '');
      li.append(id, text);
      return li;
    }));
    els.jobsEmpty.hidden = jobs.length > 0;
    setText(els.others, `Other tenants: ${plural(others.jobs, 'job')}, ${plural(others.runningWindows, 'window')}.`);
  }

  function draw(view) {
    const t = view.totals;
    setText(els.summary, `${plural(t.silos, 'silo')}, ${plural(t.slots, 'slot')}, ${percent(t.utilization)} busy, ` +
      `${t.queuedWindowSteps} window-steps queued, ${plural(t.runningWindows, 'window')} running in ${plural(t.jobs, 'job')}.`);
    drawSilos(view.silos || []);
    drawJobs(view.jobs || [], view.otherTenants || { jobs: 0, runningWindows: 0 });
    setText(els.updated, 'updated ' + new Date(view.at).toLocaleTimeString());
    els.view.dataset.updated = view.at;
  }

  // ---------- polling ----------

  async function poll() {
    const key = els.apiKey.value.trim();
    if (!key) {
      showError('');
      setText(els.summary, 'Enter your API key to see the farm.');
      return;
    }
    if (inFlight || document.hidden) return;
    inFlight = true;
    try {
      const res = await fetch('/v1/farm', {
        headers: { Accept: 'application/json, application/problem+json', Authorization: 'Bearer ' + key }, cache: 'no-store',
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        showError((body && (body.detail || body.title)) || `the farm view failed (HTTP ${res.status})`);
        return;
      }
      showError('');
      draw(body);
    } catch (e) {
      showError('the gateway is not answering: ' + e.message);
    } finally {
      inFlight = false;
    }
  }

  function start() {
    if (timer) clearInterval(timer);
    poll();
    timer = setInterval(poll, POLL_MS);
  }

  els.apiKey.addEventListener('change', poll);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
  start();
})();
