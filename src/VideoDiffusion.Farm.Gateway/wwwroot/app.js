// VideoDiffusion.Farm gateway page: submit jobs, watch them live, play the result.
// Plain ES2020, no build step. Server text is only ever inserted with textContent.
'use strict';

(() => {
  const KEY_STORAGE = 'vdf.apiKey';
  const FINISHED = new Set(['completed', 'failed', 'cancelled']);
  const ACTIVE = new Set(['queued', 'running', 'stitching']);
  const SSE_RETRY_MS = 1000;      // wait before re-opening a broken event stream
  const SSE_MAX_FAILURES = 3;     // consecutive failures (no message in between) before polling instead
  const POLL_MS = 2000;
  const JOBS_REFRESH_MS = 5000;
  const DEFAULT_STEPS = 20;       // grid width when neither the job nor the model says

  const $ = (id) => document.getElementById(id);
  const els = {
    apiKey: $('api-key'), apiKeyToggle: $('api-key-toggle'),
    error: $('error'),
    form: $('job-form'), modePrompt: $('mode-prompt'), modeStoryboard: $('mode-storyboard'),
    promptField: $('prompt-field'), storyboardField: $('storyboard-field'),
    prompt: $('prompt'), storyboard: $('storyboard'),
    seconds: $('seconds'), steps: $('steps'), guidance: $('guidance'), guidanceFocus: $('guidance-focus'),
    seed: $('seed'), strategy: $('strategy'),
    window: $('window'), overlap: $('overlap'), syncEvery: $('sync-every'), blend: $('blend'), anchors: $('anchors'),
    firstFrame: $('first-frame'), model: $('model'), modelNote: $('model-note'),
    submit: $('submit'),
    jobEmpty: $('job-empty'), jobDetails: $('job-details'),
    jobId: $('job-id'), state: $('state'), eta: $('eta'), windows: $('windows'),
    jobPrompt: $('job-prompt'), jobMeta: $('job-meta'),
    progress: $('progress'), progressText: $('progress-text'),
    cancel: $('cancel'), live: $('live'),
    result: $('result'), video: $('video'), download: $('download'), videoNote: $('video-note'),
    gridCaption: $('grid-caption'), grid: $('grid'),
    jobs: $('jobs'), jobsEmpty: $('jobs-empty'), jobsError: $('jobs-error'), jobsRefresh: $('jobs-refresh'),
  };

  // Form inputs a problem's `field` can point at (field "storyboard[1].from" -> #storyboard).
  const FIELD_INPUTS = {
    apiKey: els.apiKey, prompt: els.prompt, storyboard: els.storyboard, seconds: els.seconds, steps: els.steps,
    guidance: els.guidance, guidanceFocus: els.guidanceFocus,
    seed: els.seed, strategy: els.strategy, window: els.window, overlap: els.overlap, syncEvery: els.syncEvery,
    blend: els.blend, anchors: els.anchors, firstFrame: els.firstFrame, model: els.model,
  };

  let models = [];        // from GET /v1/models
  let current = null;     // the watched job: { id, es, timer, failures, finished, polling }

  // ---------- small helpers ----------

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // Only touch the DOM when the text really changes (status messages arrive often).
  function setText(node, text) {
    const t = String(text);
    if (node.textContent !== t) node.textContent = t;
  }

  function apiKey() { return els.apiKey.value.trim(); }

  function withKey(path) {
    return path + (path.includes('?') ? '&' : '?') + 'api_key=' + encodeURIComponent(apiKey());
  }

  function jobPath(id) { return '/v1/jobs/' + encodeURIComponent(id); }

  function uuid() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    // randomUUID only exists in secure contexts (https, localhost); a gateway reached over plain http on the LAN
    // still has getRandomValues, so build a v4 UUID from that.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function percentOf(s) {
    if (s.state === 'completed') return 100;
    const p = Number(s.progress);
    if (!Number.isFinite(p) || p < 0) return 0;
    return Math.min(100, Math.round(p <= 1 ? p * 100 : p)); // the API sends a fraction; tolerate a percentage
  }

  function formatEta(sec) {
    if (sec === null || sec === undefined || !Number.isFinite(Number(sec)) || sec < 0) return '—';
    let s = Math.round(Number(sec));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60); s %= 60;
    if (m < 60) return `${m} min ${s} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  function formatTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const sameDay = d.toDateString() === new Date().toDateString();
    return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
  }

  // ---------- HTTP ----------

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || 'Request failed');
      this.status = status;
      this.problem = problem;
    }
  }

  async function request(method, path, body, headers = {}) {
    const h = { Accept: 'application/json, application/problem+json', ...headers };
    const key = apiKey();
    if (key) h.Authorization = 'Bearer ' + key;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method, headers: h, cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, { title: 'Network error', detail: 'Could not reach the gateway: ' + e.message });
    }
    const text = await res.text();
    let data = null;
    if (text) { try { data = JSON.parse(text); } catch { data = null; } }
    if (!res.ok) {
      const p = data && typeof data === 'object' ? data : {};
      throw new ApiError(res.status, {
        type: p.type, title: p.title || res.statusText || 'Request failed', status: p.status || res.status,
        field: p.field, detail: p.detail || (data ? '' : text.slice(0, 300)),
      });
    }
    return { status: res.status, data, headers: res.headers };
  }

  async function api(method, path, body, headers) {
    return (await request(method, path, body, headers)).data;
  }

  // ---------- errors ----------

  function clearError() {
    els.error.hidden = true;
    els.error.replaceChildren();
    for (const input of Object.values(FIELD_INPUTS)) {
      input.removeAttribute('aria-invalid');
    }
  }

  function showProblem(problem) {
    const p = problem || {};
    const parts = [el('strong', 'error-title', p.title || 'Error')];
    if (p.status) parts.push(el('span', 'error-status', ` (${p.status})`));
    if (p.field) {
      const f = el('span', 'error-field', ' — field ');
      f.append(el('code', null, p.field));
      parts.push(f);
    }
    if (p.detail) parts.push(el('span', 'error-detail', ': ' + p.detail));
    els.error.replaceChildren(...parts);
    els.error.hidden = false;
    const input = p.field ? FIELD_INPUTS[String(p.field).split(/[.[]/)[0]] : null;
    if (input) input.setAttribute('aria-invalid', 'true');
  }

  function showJobError(s) {
    const verb = s.state === 'failed' ? 'failed' : 'was cancelled';
    showProblem({ title: `Job ${s.id} ${verb}`, detail: s.error || '' });
  }

  // ---------- API key ----------

  function loadKey() {
    try { els.apiKey.value = localStorage.getItem(KEY_STORAGE) || ''; } catch { /* storage disabled */ }
  }

  function saveKey() {
    try { localStorage.setItem(KEY_STORAGE, apiKey()); } catch { /* storage disabled */ }
  }

  let keyTimer = 0;
  function onKeyChanged(immediate) {
    saveKey();
    clearTimeout(keyTimer);
    // Debounced so typing a key does not fire a request per keystroke.
    keyTimer = setTimeout(() => { loadModels(); refreshJobs(); }, immediate ? 0 : 400);
  }

  // ---------- models ----------

  async function loadModels() {
    if (!apiKey()) return;
    try {
      const d = await api('GET', '/v1/models');
      const list = d && Array.isArray(d.models) ? d.models.filter((m) => m && m.name) : [];
      if (!list.length) return; // keep the fallback option
      models = list;
      const selected = els.model.value;
      const options = list.map((m) => {
        const o = el('option', null, m.width && m.height
          ? `${m.name} (${m.width}×${m.height}, ${m.fps} fps)` : m.name);
        o.value = m.name;
        return o;
      });
      els.model.replaceChildren(...options);
      if (list.some((m) => m.name === selected)) els.model.value = selected;
      setText(els.modelNote, '');
      applyModelDefaults();
    } catch (e) {
      setText(els.modelNote, `Model list unavailable (${e.message}); using ${els.model.value || 'moonwalk-tiny'}.`);
    }
  }

  function selectedModel() { return models.find((m) => m.name === els.model.value) || null; }

  // The model's defaults become the placeholders, so an empty field says what it will mean.
  function applyModelDefaults() {
    const m = selectedModel();
    els.steps.placeholder = m && m.steps ? `default ${m.steps}` : 'model default';
    els.window.placeholder = m && m.window ? `default ${m.window}` : 'optional';
    els.overlap.placeholder = m && m.overlap !== undefined && m.overlap !== null ? `default ${m.overlap}` : 'optional';
    // a model without a first-frame model cannot turn it on: say so instead of letting the gateway refuse it
    const hasFirstFrame = !m || m.firstFrame !== false;
    setText(els.firstFrame.options[0], m ? `model default (${m.firstFrame ? 'on' : 'off'})` : 'model default');
    els.firstFrame.options[1].disabled = !hasFirstFrame;
    if (!hasFirstFrame && els.firstFrame.value === 'true') els.firstFrame.value = '';
  }

  // ---------- submit ----------

  function localProblem(field, detail) {
    const e = new Error(detail);
    e.problem = { title: 'Invalid input', field, detail };
    return e;
  }

  function buildBody() {
    const body = {};
    if (els.modeStoryboard.checked) {
      const text = els.storyboard.value.trim();
      if (text) {
        let sb;
        try { sb = JSON.parse(text); } catch (e) { throw localProblem('storyboard', 'not valid JSON: ' + e.message); }
        if (!Array.isArray(sb)) throw localProblem('storyboard', 'must be a JSON array of {"prompt", "from", "to"}');
        body.storyboard = sb;
      }
    } else {
      const p = els.prompt.value.trim();
      if (p) body.prompt = p;
    }
    for (const name of ['seconds', 'steps', 'guidance', 'guidanceFocus', 'seed', 'window', 'overlap', 'syncEvery']) {
      const input = els[name];
      // A number input holding text reports value "" — do not silently drop what the user typed.
      if (input.validity.badInput) throw localProblem(name, 'must be a number');
      const v = input.value.trim();
      if (v === '') continue;
      const n = Number(v);
      if (!Number.isFinite(n)) throw localProblem(name, 'must be a number');
      body[name] = n;
    }
    for (const name of ['strategy', 'blend', 'anchors']) {
      if (els[name].value) body[name] = els[name].value;
    }
    if (els.firstFrame.value) body.firstFrame = els.firstFrame.value === 'true';
    if (els.model.value) body.model = els.model.value;
    return body;
  }

  async function submit(ev) {
    ev.preventDefault();
    clearError();
    if (!apiKey()) {
      showProblem({ title: 'API key required', field: 'apiKey', detail: 'enter your API key above' });
      els.apiKey.focus();
      return;
    }
    let body;
    try { body = buildBody(); } catch (e) {
      if (!e.problem) throw e;
      showProblem(e.problem);
      return;
    }
    els.submit.disabled = true;
    try {
      // A fresh Idempotency-Key per click: a network retry of this request returns the same job,
      // a second click makes a second job.
      const r = await request('POST', '/v1/jobs', body, { 'Idempotency-Key': uuid() });
      const s = r.data || {};
      const id = s.id || (r.headers.get('Location') || '').split('/').pop();
      if (id) watchJob(decodeURIComponent(id), s.id ? s : null);
      refreshJobs();
    } catch (e) {
      showProblem(e.problem || { title: 'Error', detail: e.message });
    } finally {
      els.submit.disabled = false;
    }
  }

  function updateMode() {
    const sb = els.modeStoryboard.checked;
    els.storyboardField.hidden = !sb;
    els.promptField.hidden = sb;
  }

  // ---------- watching a job ----------

  function stopWatching() {
    if (!current) return;
    if (current.es) current.es.close();
    clearTimeout(current.timer);
    current = null;
  }

  async function watchJob(id, initial) {
    if (current && current.id === id && !current.finished) return; // already live
    stopWatching();
    clearError();
    const w = current = { id, es: null, timer: 0, failures: 0, finished: false, polling: false };
    resetJobView(id);
    try { history.replaceState(null, '', '#job=' + encodeURIComponent(id)); } catch { /* file:// etc. */ }
    markSelected(id);

    let s = initial;
    if (!s) {
      try { s = await api('GET', jobPath(id)); } catch (e) {
        if (w !== current) return;
        if (e.status === 401 || e.status === 403 || e.status === 404) {
          w.finished = true;
          showProblem(e.problem);
          setText(els.live, '');
          return;
        }
        s = null; // transient: the event stream will bring the status
      }
    }
    if (w !== current) return;
    if (s) applyStatus(w, s);
    if (!w.finished) openStream(w);
  }

  function applyStatus(w, s) {
    if (w !== current || !s || typeof s !== 'object') return;
    if (s.id && s.id !== w.id) return;
    render(s);
    updateJobItem(s);
    if (FINISHED.has(s.state) && !w.finished) {
      w.finished = true;
      if (w.es) { w.es.close(); w.es = null; } // otherwise EventSource would reconnect on its own
      clearTimeout(w.timer);
      setText(els.live, '');
      if (s.state !== 'completed') showJobError(s);
      refreshJobs();
    }
  }

  function openStream(w) {
    const es = new EventSource('/v1/jobs/' + encodeURIComponent(w.id) + '/events?api_key=' + encodeURIComponent(apiKey()));
    w.es = es;
    setText(els.live, w.failures ? 'reconnecting…' : 'live');
    const onMessage = (ev) => {
      if (w !== current || w.es !== es) return;
      let s;
      try { s = JSON.parse(ev.data); } catch { return; }
      w.failures = 0;
      setText(els.live, 'live');
      applyStatus(w, s);
    };
    es.addEventListener('status', onMessage);
    es.onmessage = onMessage; // unnamed events, just in case
    es.onerror = () => {
      // We reconnect ourselves: the browser gives up for good on an HTTP error, and its own retry
      // would not tell us when to switch to polling.
      es.close();
      if (w !== current || w.finished || w.es !== es) return;
      w.es = null;
      w.failures += 1;
      if (w.failures >= SSE_MAX_FAILURES) { startPolling(w); return; }
      setText(els.live, 'reconnecting…');
      w.timer = setTimeout(() => { if (w === current && !w.finished) openStream(w); }, SSE_RETRY_MS);
    };
  }

  function startPolling(w) {
    w.polling = true;
    setText(els.live, 'polling');
    const tick = async () => {
      if (w !== current || w.finished) return;
      try {
        applyStatus(w, await api('GET', jobPath(w.id)));
      } catch (e) {
        if (w !== current) return;
        if (e.status === 401 || e.status === 403 || e.status === 404) {
          showProblem(e.problem);
          setText(els.live, '');
          return; // permanent: stop
        }
      }
      if (w === current && !w.finished) w.timer = setTimeout(tick, POLL_MS);
    };
    tick();
  }

  async function cancelJob() {
    if (!current) return;
    const w = current;
    els.cancel.disabled = true;
    try {
      const s = await api('POST', jobPath(w.id) + ':cancel');
      applyStatus(w, s);
    } catch (e) {
      showProblem(e.problem || { title: 'Error', detail: e.message });
    } finally {
      els.cancel.disabled = false;
    }
  }

  // ---------- rendering the watched job ----------

  function resetJobView(id) {
    els.jobEmpty.hidden = true;
    els.jobDetails.hidden = false;
    setText(els.jobId, id);
    setText(els.state, '');
    els.state.className = 'state';
    setText(els.eta, '—');
    setText(els.windows, '—');
    setText(els.jobPrompt, '');
    setText(els.jobMeta, '');
    els.progress.value = 0;
    setText(els.progress, '0%');
    setText(els.progressText, '0%');
    els.cancel.hidden = true;
    els.result.hidden = true;
    els.video.pause();
    els.video.removeAttribute('src');
    delete els.video.dataset.src;
    els.video.load(); // drop the previous job's media
    els.download.setAttribute('href', '#');
    setText(els.videoNote, '');
    resetGrid();
  }

  function render(s) {
    const state = String(s.state || '');
    setText(els.state, state);
    const cls = 'state state-' + state;
    if (els.state.className !== cls) els.state.className = cls;

    const pct = percentOf(s);
    if (els.progress.value !== pct) els.progress.value = pct;
    setText(els.progress, pct + '%'); // fallback content of <progress>
    setText(els.progressText, pct + '%');
    setText(els.eta, ACTIVE.has(state) ? formatEta(s.etaSeconds) : '—');

    const total = Number(s.windowsTotal) || 0;
    let win = total ? `${Number(s.windowsDone) || 0} / ${total}` : '—';
    if ((s.phase || '').startsWith('key')) win += ' (key frames)';
    setText(els.windows, win);

    setText(els.jobPrompt, s.prompt || '');
    const meta = [];
    if (s.frames) meta.push(`${s.frames} frames`);
    if (s.fps) meta.push(`${s.fps} fps`);
    if (s.steps) meta.push(`${s.steps} steps`);
    if (s.firstFrame) meta.push('first-frame model');
    if (s.submittedAt) meta.push('submitted ' + formatTime(s.submittedAt));
    if (s.finishedAt) meta.push('finished ' + formatTime(s.finishedAt));
    if (s.modelHash) meta.push('model ' + String(s.modelHash).slice(0, 12));
    if (s.waiting) meta.push('waiting: ' + s.waiting);
    setText(els.jobMeta, meta.join(' · '));

    els.cancel.hidden = !ACTIVE.has(state);
    renderGrid(s);
    if (state === 'completed') showVideo(s);
  }

  function showVideo(s) {
    // Only trust a same-origin API path from the server; otherwise build it.
    const path = typeof s.video === 'string' && s.video.startsWith('/v1/') ? s.video : jobPath(s.id) + '/video';
    const url = withKey(path); // <video src> cannot send headers, hence ?api_key=
    if (els.video.dataset.src !== url) {
      els.video.dataset.src = url;
      els.video.src = url;
      els.download.href = url;
      els.download.setAttribute('download', `${s.id}.mp4`);
      setText(els.videoNote, '');
    }
    els.result.hidden = false;
  }

  // ---------- the window × step grid ----------
  // Hundreds of windows × tens of steps is thousands of cells, so rows are built once per plan
  // (cloned from one template row) and each status only touches rows whose filled count changed.

  const grid = { key: '', rows: [] };

  function resetGrid() {
    grid.key = '';
    grid.rows = [];
    els.grid.replaceChildren();
    setText(els.gridCaption, 'Windows');
  }

  function buildGrid(n, steps, key) {
    grid.key = key;
    grid.rows = [];
    els.grid.style.setProperty('--steps', String(steps));
    const template = el('div', 'row');
    template.append(el('span', 'idx'));
    const cells = el('div', 'cells');
    cells.setAttribute('aria-hidden', 'true');
    for (let j = 0; j < steps; j++) cells.append(el('span', 'cell'));
    template.append(cells, el('span', 'pct', '0%'));

    const frag = document.createDocumentFragment();
    for (let i = 0; i < n; i++) {
      const row = template.cloneNode(true);
      row.dataset.window = String(i);
      row.firstChild.textContent = String(i);
      frag.append(row);
      grid.rows.push({ el: row, cells: row.children[1].children, pctEl: row.lastChild, filled: 0, pct: 0 });
    }
    els.grid.replaceChildren(frag);
  }

  function renderGrid(s) {
    const wp = Array.isArray(s.windowProgress) ? s.windowProgress : [];
    const n = Math.max(Number(s.windowsTotal) || 0, wp.length);
    const m = selectedModel();
    const steps = Math.max(1, Math.min(1000, Math.round(Number(s.steps) || (m && m.steps) || DEFAULT_STEPS)));
    const phase = s.phase || 'main';

    if (n === 0) {
      if (grid.key) resetGrid();
      setText(els.gridCaption, s.state === 'queued' ? 'Windows (waiting for a plan…)' : 'Windows');
      return;
    }
    // A new plan (other job, phase switch from key frames to main, other sizes) gets a fresh grid.
    const key = `${s.id}|${phase}|${n}|${steps}`;
    if (key !== grid.key) buildGrid(n, steps, key);
    setText(els.gridCaption, `${phase.startsWith('key') ? 'Key-frame windows' : 'Windows'}: ${n} × ${steps} steps`);

    const all = s.state === 'completed';
    for (let i = 0; i < n; i++) {
      const row = grid.rows[i];
      const pct = all ? 100 : Math.max(0, Math.min(100, Number(wp[i]) || 0));
      const filled = Math.round(pct * steps / 100);
      const shown = Math.round(pct);
      if (filled !== row.filled) {
        // Toggle only the cells between the old and new fill level.
        const lo = Math.min(filled, row.filled), hi = Math.max(filled, row.filled);
        for (let j = lo; j < hi; j++) row.cells[j].classList.toggle('done', j < filled);
        row.filled = filled;
        row.el.classList.toggle('complete', filled === steps);
      }
      if (shown !== row.pct) {
        row.pct = shown;
        row.pctEl.textContent = shown + '%';
        row.el.title = `Window ${i}: ${shown}%`;
      }
    }
  }

  // ---------- My jobs ----------

  const jobItems = new Map(); // id -> { li, btn, state, pct, prompt, time, status }
  let jobsInFlight = false;

  async function refreshJobs() {
    if (!apiKey()) {
      renderJobs([]);
      els.jobsError.hidden = true;
      setText(els.jobsEmpty, 'Enter an API key to see your jobs.');
      return;
    }
    if (jobsInFlight) return;
    jobsInFlight = true;
    try {
      const d = await api('GET', '/v1/jobs');
      renderJobs(d && Array.isArray(d.jobs) ? d.jobs : []);
      els.jobsError.hidden = true;
      setText(els.jobsEmpty, 'No jobs yet.');
    } catch (e) {
      const p = e.problem || {};
      setText(els.jobsError, [p.title, p.status && `(${p.status})`, p.field && `field ${p.field}`, p.detail]
        .filter(Boolean).join(' '));
      els.jobsError.hidden = false;
    } finally {
      jobsInFlight = false;
    }
  }

  function makeJobItem(id) {
    const li = el('li', 'job-item');
    const btn = el('button', 'job');
    btn.type = 'button';
    btn.dataset.jobId = id;
    const item = {
      li, btn, status: null,
      id: el('code', 'job-id', id), state: el('span', 'state'), pct: el('span', 'job-pct'),
      prompt: el('span', 'job-prompt-line'), time: el('span', 'job-time'),
    };
    const top = el('span', 'job-top');
    top.append(item.id, item.state, item.pct);
    btn.append(top, item.prompt, item.time);
    btn.addEventListener('click', () => watchJob(id, item.status));
    li.append(btn);
    return item;
  }

  function fillJobItem(item, s) {
    item.status = s;
    const state = String(s.state || '');
    setText(item.state, state);
    const cls = 'state state-' + state;
    if (item.state.className !== cls) item.state.className = cls;
    setText(item.pct, ACTIVE.has(state) ? percentOf(s) + '%' : '');
    setText(item.prompt, s.prompt || '(storyboard)');
    setText(item.time, formatTime(s.submittedAt));
  }

  function renderJobs(list) {
    const seen = new Set();
    const order = [];
    for (const s of list) {
      if (!s || !s.id || seen.has(s.id)) continue;
      seen.add(s.id);
      let item = jobItems.get(s.id);
      if (!item) { item = makeJobItem(s.id); jobItems.set(s.id, item); }
      fillJobItem(item, s);
      order.push(item.li);
    }
    for (const [id, item] of jobItems) {
      if (!seen.has(id)) { item.li.remove(); jobItems.delete(id); }
    }
    // Re-append only when the order changed: moving nodes would steal focus from a job button.
    const children = els.jobs.children;
    const same = children.length === order.length && order.every((li, i) => children[i] === li);
    if (!same) els.jobs.replaceChildren(...order);
    els.jobsEmpty.hidden = order.length > 0;
    if (current) markSelected(current.id);
  }

  function updateJobItem(s) {
    const item = jobItems.get(s.id);
    if (item) fillJobItem(item, s);
  }

  function markSelected(id) {
    for (const [jid, item] of jobItems) {
      if (jid === id) item.btn.setAttribute('aria-current', 'true');
      else item.btn.removeAttribute('aria-current');
    }
  }

  // ---------- wiring ----------

  function init() {
    loadKey();
    updateMode();
    applyModelDefaults();

    els.apiKey.addEventListener('input', () => onKeyChanged(false));
    els.apiKey.addEventListener('change', () => onKeyChanged(true));
    els.apiKeyToggle.addEventListener('click', () => {
      const show = els.apiKey.type === 'password';
      els.apiKey.type = show ? 'text' : 'password';
      els.apiKeyToggle.setAttribute('aria-pressed', String(show));
      els.apiKeyToggle.textContent = show ? 'Hide' : 'Show';
    });
    els.modePrompt.addEventListener('change', updateMode);
    els.modeStoryboard.addEventListener('change', updateMode);
    els.model.addEventListener('change', applyModelDefaults);
    els.form.addEventListener('submit', submit);
    els.cancel.addEventListener('click', cancelJob);
    els.jobsRefresh.addEventListener('click', refreshJobs);
    els.video.addEventListener('error', () => {
      if (els.video.getAttribute('src')) {
        setText(els.videoNote, 'The browser cannot play this video here; use the download link.');
      }
    });

    setInterval(() => { if (!document.hidden) refreshJobs(); }, JOBS_REFRESH_MS);
    document.addEventListener('visibilitychange', () => { if (!document.hidden) refreshJobs(); });

    loadModels();
    refreshJobs();

    // #job=<id> keeps the watched job across reloads and makes a job linkable.
    watchFromHash();
    window.addEventListener('hashchange', watchFromHash);
  }

  function watchFromHash() {
    const m = /^#job=(.+)$/.exec(location.hash);
    if (!m || !apiKey()) return;
    let id = m[1];
    try { id = decodeURIComponent(id); } catch { /* keep raw */ }
    if (!current || current.id !== id) watchJob(id, null);
  }

  init();
})();
