// Vigil web console: the status of this node's view of the cluster, live (server-sent events), and the admin's
// actions through the REST API (session cookie + CSRF token). Text from the cluster only ever goes in textContent.
'use strict';

const API = '/api/v1';
const state = { session: null, stream: null, status: null, placedSince: {}, busy: false };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function badge(text, kind) {
  return el('span', { class: 'badge ' + kind }, text);
}

function message(text, isError) {
  const m = $('message');
  m.textContent = text || '';
  m.className = isError ? 'error' : '';
}

// ---------------------------------------------------------------- session

async function start() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('maintenance-on').addEventListener('click', () => act({ kind: 'maintenance', mode: 'on' }));
  $('maintenance-off').addEventListener('click', () => act({ kind: 'maintenance', mode: 'off' }));
  const r = await fetch('session', { credentials: 'same-origin' });
  if (r.ok) {
    loggedIn(await r.json());
  } else {
    showLogin('');
  }
}

function showLogin(error) {
  if (state.stream) {
    state.stream.close();
    state.stream = null;
  }
  state.session = null;
  $('cluster-view').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('who').textContent = '';
  setLive(false, 'not connected');
  $('login-error').textContent = error || '';
  $('login-user').focus();
}

async function login(ev) {
  ev.preventDefault();
  $('login-error').textContent = '';
  $('login-submit').disabled = true;
  try {
    const r = await fetch('login', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: $('login-user').value, password: $('login-password').value })
    });
    const body = await r.json().catch(() => ({}));
    $('login-password').value = '';
    if (r.ok) {
      loggedIn(body);
    } else {
      showLogin(body.error || ('login refused: HTTP ' + r.status));
    }
  } finally {
    $('login-submit').disabled = false;
  }
}

async function logout() {
  if (state.session) {
    await fetch('logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Vigil-Csrf': state.session.csrf } });
  }
  showLogin('');
}

function loggedIn(session) {
  state.session = session;
  $('login-view').hidden = true;
  $('cluster-view').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = session.user + (session.admin ? ' (admin)' : ' (read only)');
  document.body.dataset.role = session.admin ? 'admin' : 'viewer';
  for (const b of document.querySelectorAll('.cluster-actions button')) {
    b.disabled = !session.admin;
    b.title = session.admin ? '' : 'read-only user: changes need an admin role';
  }
  connect();
}

function readOnly(button) {
  if (!state.session || !state.session.admin) {
    button.disabled = true;
    button.title = 'read-only user: changes need an admin role';
  }
  return button;
}

// ---------------------------------------------------------------- live status

function setLive(on, text) {
  const l = $('live');
  l.textContent = text;
  l.className = 'badge ' + (on ? 'ok' : 'off');
  document.body.dataset.live = on ? 'yes' : 'no';
}

function connect() {
  if (state.stream) state.stream.close();
  const s = new EventSource('events');
  state.stream = s;
  s.addEventListener('open', () => setLive(true, 'live'));
  s.addEventListener('status', (e) => {
    setLive(true, 'live');
    render(JSON.parse(e.data));
  });
  s.addEventListener('problem', (e) => {
    setLive(false, 'status unavailable');
    message(JSON.parse(e.data).error, true);
  });
  s.addEventListener('ended', () => {
    s.close();
    showLogin('Your session ended: log in again.');
  });
  s.addEventListener('error', async () => {
    setLive(false, 'reconnecting…');
    if (s.readyState === EventSource.CLOSED) {
      // refused (not 200): find out whether the session is gone or the node is
      const r = await fetch('session', { credentials: 'same-origin' }).catch(() => null);
      if (r && r.status === 401) {
        showLogin('Your session ended: log in again.');
      } else if (state.stream === s) {
        setTimeout(() => { if (state.stream === s) connect(); }, 2000);
      }
    }
  });
}

function render(st) {
  state.status = st;
  $('cluster-node').textContent = 'node ' + st.node + ' · document v' + st.documentVersion
      + (st.maintenance ? ' · CLUSTER MAINTENANCE' : '');
  const h = st.health || { state: 'unknown', reasons: [] };
  const hb = $('health');
  hb.replaceChildren(badge(h.state, h.state === 'ok' ? 'ok' : h.state === 'degraded' ? 'warn' : 'bad'),
      ' ', (h.reasons || []).join(' · '), st.quorum ? el('span', { class: 'reason' }, ' · quorum: ' + st.quorum.detail) : null);
  renderNodes(st);
  tickAges();
  renderPaths(st);
  renderGroups(st);
  renderEvents(st);
}

function stateKind(s) {
  return s === 'online' || s === 'open' || s === 'running' ? 'ok' : s === 'suspect' || s === 'waiting' || s === 'starting'
      || s === 'stopping' ? 'warn' : 'bad';
}

function renderNodes(st) {
  const rows = st.nodes.map((n) => {
    const paths = n.self ? el('span', { class: 'reason' }, 'this node')
      : el('span', {}, ...n.paths.map((p) => el('span', { class: 'res', 'data-path': p.path },
          badge(p.path + (p.up ? ' up' : ' down'), p.up ? 'ok' : 'bad'), ' ')));
    const lost = n.lost ? el('div', { class: 'reason', 'data-lost-since': String(Date.now() - n.lost.millisAgo),
      'data-proof': n.lost.proof ? ': ' + n.lost.proof : '' }) : null;
    const actions = el('span', {});
    if (!n.self) {
      actions.append(readOnly(el('button', { type: 'button', 'data-action': 'fence',
        onclick: () => act({ kind: 'fence', node: n.name }) }, 'Fence')),
        readOnly(el('button', { type: 'button', 'data-action': 'fence-confirm',
          onclick: () => act({ kind: 'fence-confirm', node: n.name }) }, 'Confirm fenced')));
    }
    return el('tr', { 'data-node': n.name, 'data-state': n.state },
      el('td', {}, n.name), el('td', { class: 'state' }, badge(n.state, stateKind(n.state)), lost),
      el('td', {}, n.quorate ? 'yes' : 'no'), el('td', {}, paths, ' ', actions));
  });
  $('nodes').tBodies[0].replaceChildren(...rows);
}

// ages go on between two statuses (the stream sends only changes)
function tickAges() {
  for (const e of document.querySelectorAll('[data-lost-since]')) {
    e.textContent = 'lost ' + Math.max(0, Math.round((Date.now() - Number(e.dataset.lostSince)) / 1000)) + ' s ago'
        + e.dataset.proof;
  }
}
setInterval(tickAges, 1000);

function renderPaths(st) {
  $('paths-node').textContent = st.node;
  const rows = st.paths.map((p) => el('tr', { 'data-path': p.name, 'data-state': p.state },
    el('td', {}, p.name), el('td', {}, p.type), el('td', {}, badge(p.state, stateKind(p.state))),
    el('td', { class: 'reason' }, p.detail || '')));
  $('paths').tBodies[0].replaceChildren(...rows);
}

function renderGroups(st) {
  const now = Date.now();
  const rows = st.groups.map((g) => {
    const on = g.runningOn.join(',');
    const seen = state.placedSince[g.name];
    if (!seen || seen.on !== on) {
      state.placedSince[g.name] = { on, since: now };
    }
    const placement = g.placement ? (g.placement.target ? '→ ' + g.placement.target + ': ' : 'not placed: ')
        + g.placement.reason : '';
    const resources = el('div', {}, ...g.resources.map((r) => el('div', { class: 'res' }, r.name + ' (' + r.type + ') ',
      ...Object.entries(r.states).map(([node, s]) => badge(node + ' ' + s, stateKind(s))),
      r.message ? el('span', { class: 'reason' }, ' ' + r.message) : null)));
    const notes = g.notes.map((n) => el('div', { class: 'reason' }, (n.banned ? 'BANNED on ' : 'on ') + n.node + ': ' + n.note));
    const actions = el('td', { class: 'actions' },
      groupButton(g, 'switchover', 'Switch over'), groupButton(g, 'bring-in', 'Bring in'),
      groupButton(g, 'bring-out', 'Bring out'), groupButton(g, 'cleanup', 'Clean up'),
      groupButton(g, g.maintenance ? 'maintenance-off' : 'maintenance-on', g.maintenance ? 'Maintenance off' : 'Maintenance on'));
    return el('tr', { 'data-group': g.name, 'data-running-on': on, 'data-changed-at': String(state.placedSince[g.name].since) },
      el('td', {}, g.name, g.maintenance ? el('div', { class: 'reason' }, 'maintenance') : null),
      el('td', {}, g.role),
      el('td', { class: 'running' }, on ? badge(on, g.runningOn.length === 1 ? 'ok' : 'warn') : badge('nowhere', g.role === 'started' ? 'bad' : 'off')),
      el('td', { class: 'placement reason' }, placement, ...notes),
      el('td', {}, resources), actions);
  });
  $('groups').tBodies[0].replaceChildren(...rows);
}

function groupButton(g, action, label) {
  return readOnly(el('button', { type: 'button', 'data-action': action, onclick: () => act({ kind: action, group: g.name }) }, label));
}

function renderEvents(st) {
  const items = (st.events || []).slice().reverse().map((e) => el('li', { class: e.severity },
    e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z') + ' ' + e.severity + ' ' + e.kind + ' [' + e.node + '] ' + e.message));
  $('events').replaceChildren(...items);
}

// ---------------------------------------------------------------- actions (confirmed, then through the REST API)

const ACTIONS = {
  'switchover': (a) => ({ text: 'Switch group ' + a.group + ' over? It stops where it runs and starts on the chosen node.',
    method: 'POST', path: '/groups/' + encodeURIComponent(a.group) + '/switchover', chooseNode: true }),
  'bring-in': (a) => ({ text: 'Bring group ' + a.group + ' in (start it)?', method: 'POST',
    path: '/groups/' + encodeURIComponent(a.group) + '/bring-in', body: { wait: 60 } }),
  'bring-out': (a) => ({ text: 'Bring group ' + a.group + ' out? It stops on every node.', method: 'POST',
    path: '/groups/' + encodeURIComponent(a.group) + '/bring-out' }),
  'cleanup': (a) => ({ text: 'Clean up group ' + a.group + ' (forget its failures and bans)?', method: 'POST',
    path: '/groups/' + encodeURIComponent(a.group) + '/cleanup' }),
  'maintenance-on': (a) => ({ text: 'Put group ' + a.group + ' in maintenance? Vigil takes no action for it until off.',
    method: 'POST', path: '/maintenance', body: { mode: 'on', group: a.group } }),
  'maintenance-off': (a) => ({ text: 'Take group ' + a.group + ' out of maintenance?', method: 'POST', path: '/maintenance',
    body: { mode: 'off', group: a.group } }),
  'maintenance': (a) => ({ text: 'Cluster maintenance ' + a.mode + '?' + (a.mode === 'on' ? ' Vigil takes no action at all until off.' : ''),
    method: 'POST', path: '/maintenance', body: { mode: a.mode } }),
  'fence': (a) => ({ text: 'Fence node ' + a.node + '? Its fence device powers it off.', method: 'POST',
    path: '/nodes/' + encodeURIComponent(a.node) + '/fence' }),
  'fence-confirm': (a) => ({ text: 'Confirm that node ' + a.node + ' is really down (powered off by hand)? '
    + 'Its groups then start elsewhere: if it still runs, they run twice.', method: 'POST',
  path: '/nodes/' + encodeURIComponent(a.node) + '/fence-confirm' })
};

function confirmDialog(text, nodes) {
  return new Promise((resolve) => {
    const d = $('confirm');
    $('confirm-text').textContent = text;
    const sel = $('confirm-node');
    $('confirm-node-label').hidden = !nodes;
    if (nodes) {
      sel.replaceChildren(...nodes.map((n) => el('option', { value: n }, n)));
    }
    d.addEventListener('close', () => resolve(d.returnValue === 'ok' ? { node: nodes ? sel.value : null } : null), { once: true });
    d.returnValue = '';
    d.showModal();
  });
}

async function act(a) {
  if (!state.session || !state.session.admin || state.busy) return;
  const what = ACTIONS[a.kind](a);
  let nodes = null;
  if (what.chooseNode) {
    const g = state.status.groups.find((x) => x.name === a.group);
    nodes = state.status.nodes.map((n) => n.name).filter((n) => !g || !g.runningOn.includes(n));
    if (nodes.length === 0) {
      message('No other node to switch ' + a.group + ' over to.', true);
      return;
    }
  }
  const ok = await confirmDialog(what.text, nodes);
  if (!ok) {
    message('Cancelled: nothing changed.');
    return;
  }
  const body = Object.assign({}, what.body || {}, ok.node ? { node: ok.node } : {});
  state.busy = true;
  message('Running…');
  try {
    const r = await api(what.method, what.path, body);
    if (r.status === 202) {
      message('Accepted, operation ' + r.body.operation + ' running…');
      const op = await poll(r.body.location);
      message(op.state + ': ' + (op.error || (op.output || '').trim() || op.command), op.state !== 'succeeded');
    } else if (r.ok) {
      message((r.body.output || '').trim() || 'done: ' + r.body.command);
    } else {
      message('Refused (HTTP ' + r.status + '): ' + (r.body.error || ''), true);
    }
  } finally {
    state.busy = false;
  }
}

async function api(method, path, body) {
  const r = await fetch(API + path, {
    method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Vigil-Csrf': state.session.csrf },
    body: body ? JSON.stringify(body) : undefined
  });
  if (r.status === 401) {
    showLogin('Your session ended: log in again.');
  }
  return { status: r.status, ok: r.ok, body: await r.json().catch(() => ({})) };
}

async function poll(location) {
  for (let i = 0; i < 1800; i++) {
    const r = await fetch(location, { credentials: 'same-origin' });
    const op = await r.json().catch(() => ({}));
    if (!r.ok) return { state: 'unknown', error: op.error || ('HTTP ' + r.status) };
    if (op.state !== 'running') return op;
    await new Promise((res) => setTimeout(res, 500));
  }
  return { state: 'unknown', error: 'still running after 15 minutes; see the operations list' };
}

document.addEventListener('DOMContentLoaded', start);
