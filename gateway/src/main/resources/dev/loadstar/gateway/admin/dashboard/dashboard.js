/*
 * Loadstar dashboard: plain JavaScript, no build step, no libraries.
 *
 * Live data: one Server-Sent Events stream (/api/events, replaying what the server kept) applies changes as they
 * happen, and one request a second (/api/stats) refreshes the per-target figures, the capacities and reconciles the
 * rows. Changes (set desired capacity, switch the health check type, stop a lab instance's web server) go through a
 * confirmation dialog and send the bearer token kept in sessionStorage; the page asks for it when a change or a read
 * answers 401 or 403, and opens a session (POST /api/session) so the event stream, which cannot send headers, is
 * allowed too.
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'loadstar.adminToken';
  var POLL_MS = 1000;
  var MAX_TRANSITIONS = 200;
  var HISTORY = 180;
  var PALETTE = ['#2f5fd0', '#e07a10', '#1f8a4c', '#c62828', '#6a3fb5', '#00838f', '#ad1457', '#5d6d00'];

  var state = {
    lab: false,
    tokenRequired: false,
    listeners: [],
    groups: [],           // [{name, stickiness, failingOpen, rows: Map id -> row}]
    scaling: [],          // describe-auto-scaling-groups objects
    activities: {},       // asg name -> Map activityId -> activity
    transitions: [],      // newest first
    history: {},          // group -> id -> [rps]
    colors: {},           // target id -> colour
    lastSampledAt: null,
    pollFailed: false,
    streamDown: false,
    everConnected: false
  };

  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') { e.textContent = attrs[k]; } else if (k === 'cls') { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
      });
    }
    (children || []).forEach(function (c) { if (c != null) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); } });
    return e;
  }

  function setText(node, text) {
    var t = text == null ? '' : String(text);
    if (node.textContent !== t) { node.textContent = t; }
  }

  function timeOf(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toTimeString().slice(0, 8);
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  function authHeaders(headers) {
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers['Authorization'] = 'Bearer ' + token; }
    return headers;
  }

  /**
   * With a token set, reads need it too: the event stream (EventSource sends no headers) then rides on the session
   * cookie that POST /api/session sets for the token.
   */
  function openSession() {
    if (!sessionStorage.getItem(TOKEN_KEY)) { return Promise.resolve(false); }
    return fetch('/api/session', { method: 'POST', headers: authHeaders({ 'Accept': 'application/json' }) })
      .then(function (r) { return r.status === 204; }, function () { return false; });
  }

  var asking = null;
  var declined = false;

  /** A read: sends the token; on 401/403 asks for one (once at a time, not again after Cancel) and retries once. */
  function getJson(path, retried) {
    return fetch(path, { cache: 'no-store', headers: authHeaders({ 'Accept': 'application/json' }) }).then(function (r) {
      if ((r.status === 401 || r.status === 403) && !retried && !declined) {
        if (!asking) {
          asking = askToken(r.status === 403 ? 'The token was not accepted. Enter the admin token:'
            : 'Reading this gateway needs the admin token:').then(function (ok) {
            asking = null;
            declined = !ok;
            return ok;
          });
        }
        return asking.then(function (ok) {
          if (!ok) { throw new Error(path + ': HTTP ' + r.status); }
          return getJson(path, true);
        });
      }
      if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  /** A change: sends the token; on 401/403 asks for one and tries once more. */
  function change(method, path, body) {
    function send() {
      var headers = { 'Accept': 'application/json' };
      var token = sessionStorage.getItem(TOKEN_KEY);
      if (token) { headers['Authorization'] = 'Bearer ' + token; }
      if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
      return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
        .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, json: j }; }); });
    }
    return send().then(function (res) {
      if (res.status !== 401 && res.status !== 403) { return res; }
      return askToken(res.status === 403 ? 'The token was not accepted. Enter the admin token:' : 'This change needs the admin token:')
        .then(function (ok) { return ok ? send() : res; });
    }).then(function (res) {
      if (res.status >= 400) {
        throw new Error((res.json && res.json.message) || ('HTTP ' + res.status));
      }
      return res.json;
    });
  }

  // ---- dialogs -------------------------------------------------------------------------------------------------

  var modalResolve = null;

  /** Shows the modal; resolves to the input's value (or true) on OK, null on Cancel. */
  function dialog(opts) {
    $('modal-title').textContent = opts.title;
    $('modal-message').textContent = opts.message || '';
    var input = $('modal-input');
    input.hidden = !opts.input;
    input.type = opts.input === 'password' ? 'password' : (opts.input === 'number' ? 'number' : 'text');
    input.value = opts.value == null ? '' : String(opts.value);
    if (opts.min != null) { input.min = opts.min; } else { input.removeAttribute('min'); }
    if (opts.max != null) { input.max = opts.max; } else { input.removeAttribute('max'); }
    $('modal-error').hidden = true;
    $('modal-ok').textContent = opts.ok || 'OK';
    $('modal-ok').className = opts.danger ? 'danger' : '';
    $('modal').hidden = false;
    (opts.input ? input : $('modal-ok')).focus();
    return new Promise(function (resolve) { modalResolve = resolve; });
  }

  function closeDialog(value) {
    $('modal').hidden = true;
    var r = modalResolve;
    modalResolve = null;
    if (r) { r(value); }
  }

  function askToken(message) {
    return dialog({ title: 'Admin token', message: message, input: 'password', ok: 'Use token' }).then(function (v) {
      if (v == null || v === '') { return false; }
      sessionStorage.setItem(TOKEN_KEY, v);
      declined = false;
      return openSession().then(function () { return true; });
    });
  }

  function notice(text, isError) {
    var n = $('notice');
    n.textContent = text;
    n.className = 'notice' + (isError ? ' error-notice' : '');
    n.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(function () { n.hidden = true; }, isError ? 8000 : 4000);
  }

  // ---- actions -------------------------------------------------------------------------------------------------

  function stopWeb(instanceId, button) {
    dialog({ title: 'Stop web server', message: 'Stop the web server of ' + instanceId + '? The instance keeps running;'
        + ' only the health checks notice.', ok: 'Stop web server', danger: true }).then(function (ok) {
      if (ok == null) { return; }
      button.disabled = true;
      change('POST', '/api/lab/instances/' + encodeURIComponent(instanceId) + '/stop-web-server').then(function () {
        button.textContent = 'web server stopped';
        notice('Web server of ' + instanceId + ' stopped');
      }).catch(function (e) {
        button.disabled = false;
        notice('Stop web server failed: ' + e.message, true);
      });
    });
  }

  function setDesired(g) {
    dialog({ title: 'Set desired capacity', message: g.AutoScalingGroupName + ': min ' + g.MinSize + ', max '
        + g.MaxSize + '. New desired capacity:', input: 'number', value: g.DesiredCapacity, min: g.MinSize, max: g.MaxSize,
      ok: 'Set desired capacity' }).then(function (v) {
      if (v == null) { return; }
      var n = String(v).trim() === '' ? NaN : Number(v);
      if (!Number.isInteger(n)) { notice('desiredCapacity: ' + v + ' (expected: a whole number)', true); return; }
      change('PUT', '/api/scaling-groups/' + encodeURIComponent(g.AutoScalingGroupName) + '/desired-capacity',
        { desiredCapacity: n }).then(function (res) {
        replaceScalingGroup(res);
        notice(g.AutoScalingGroupName + ': desired capacity set to ' + n);
      }).catch(function (e) { notice('Set desired capacity failed: ' + e.message, true); });
    });
  }

  function switchHealthCheckType(g) {
    var next = g.HealthCheckType === 'ELB' ? 'EC2' : 'ELB';
    dialog({ title: 'Health check type', message: g.AutoScalingGroupName + ': switch the health check type from '
        + g.HealthCheckType + ' to ' + next + '? ' + (next === 'ELB'
        ? 'Instances whose target is unhealthy in an attached target group are then replaced.'
        : 'Only instances that stop running are then replaced.'), ok: 'Switch to ' + next }).then(function (ok) {
      if (ok == null) { return; }
      change('PUT', '/api/scaling-groups/' + encodeURIComponent(g.AutoScalingGroupName) + '/health-check-type',
        { healthCheckType: next }).then(function (res) {
        replaceScalingGroup(res);
        notice(g.AutoScalingGroupName + ': health check type ' + next);
      }).catch(function (e) { notice('Switch health check type failed: ' + e.message, true); });
    });
  }

  // ---- state updates -------------------------------------------------------------------------------------------

  function group(name) {
    for (var i = 0; i < state.groups.length; i++) { if (state.groups[i].name === name) { return state.groups[i]; } }
    var g = { name: name, stickiness: 'off', failingOpen: false, rows: new Map() };
    state.groups.push(g);
    return g;
  }

  function color(id) {
    if (!state.colors[id]) { state.colors[id] = PALETTE[Object.keys(state.colors).length % PALETTE.length]; }
    return state.colors[id];
  }

  function applyStats(s, withHistory) {
    var at = Date.parse(s.Time);
    var newSample = s.SampledAt !== state.lastSampledAt;
    state.lastSampledAt = s.SampledAt;
    (s.TargetGroups || []).forEach(function (tg) {
      var g = group(tg.TargetGroupName);
      g.stickiness = tg.Stickiness;
      g.failingOpen = tg.FailingOpen;
      var seen = new Set();
      var hist = state.history[g.name] || (state.history[g.name] = {});
      tg.Targets.forEach(function (t) {
        seen.add(t.Id);
        var row = g.rows.get(t.Id) || { id: t.Id, stamp: 0 };
        row.address = t.Host + ':' + t.Port;
        if (at >= row.stamp) {   // an event newer than this snapshot wins until the next one
          row.state = t.State;
          row.reason = t.Reason;
          row.description = t.Description;
          row.stamp = at;
        }
        row.inFlight = t.InFlight;
        row.rps = t.RequestsPerSecond;
        row.p99 = t.P99LatencyMs;
        row.pinned = t.StickySessionsPinned;
        g.rows.set(t.Id, row);
        if (withHistory && t.RequestsPerSecondHistory) {
          hist[t.Id] = t.RequestsPerSecondHistory.slice(-HISTORY);
        } else if (newSample && t.RequestsPerSecond != null) {
          var h = hist[t.Id] || (hist[t.Id] = []);
          h.push(t.RequestsPerSecond);
          if (h.length > HISTORY) { h.shift(); }
        }
      });
      g.rows.forEach(function (row, id) {
        if (!seen.has(id) && at >= row.stamp) { g.rows.delete(id); }
      });
      Object.keys(hist).forEach(function (id) { if (!g.rows.has(id)) { delete hist[id]; } });
    });
    if (s.AutoScalingGroups) { state.scaling = s.AutoScalingGroups; }
  }

  function replaceScalingGroup(asg) {
    for (var i = 0; i < state.scaling.length; i++) {
      if (state.scaling[i].AutoScalingGroupName === asg.AutoScalingGroupName) { state.scaling[i] = asg; }
    }
    render();
  }

  function upsertActivity(a) {
    var m = state.activities[a.AutoScalingGroupName] || (state.activities[a.AutoScalingGroupName] = new Map());
    m.set(a.ActivityId, a);
  }

  function onEvent(type, d) {
    var at = Date.parse(d.time);
    var g, row;
    switch (type) {
      case 'target-registered':
        g = group(d.targetGroup);
        row = g.rows.get(d.targetId);
        if (!row || at >= row.stamp) {
          g.rows.set(d.targetId, Object.assign(row || {}, { id: d.targetId, address: d.host + ':' + d.port,
            state: (row && row.state) || 'initial', stamp: at }));
        }
        break;
      case 'target-draining':
        row = group(d.targetGroup).rows.get(d.targetId);
        if (row && at >= row.stamp) { row.state = 'draining'; row.reason = 'Target.DeregistrationInProgress'; row.stamp = at; }
        break;
      case 'target-deregistered':
        g = group(d.targetGroup);
        row = g.rows.get(d.targetId);
        if (row && at >= row.stamp) {
          g.rows.delete(d.targetId);
          if (state.history[g.name]) { delete state.history[g.name][d.targetId]; }
        }
        break;
      case 'target-health':
        row = group(d.targetGroup).rows.get(d.targetId);
        if (row && at >= row.stamp) {
          row.state = d.current.State;
          row.reason = d.current.Reason || null;
          row.description = d.current.Description || null;
          row.stamp = at;
        }
        state.transitions.unshift(d);
        if (state.transitions.length > MAX_TRANSITIONS) { state.transitions.pop(); }
        break;
      case 'fail-open':
        group(d.targetGroup).failingOpen = d.failingOpen;
        break;
      case 'scaling-activity':
        upsertActivity(d);
        break;
      case 'health-check-type':
        state.scaling.forEach(function (s) { if (s.AutoScalingGroupName === d.autoScalingGroup) { s.HealthCheckType = d.healthCheckType; } });
        break;
      case 'desired-capacity':
        state.scaling.forEach(function (s) { if (s.AutoScalingGroupName === d.autoScalingGroup) { s.DesiredCapacity = d.current; } });
        break;
      case 'instance-state':
        state.scaling.forEach(function (s) {
          if (s.AutoScalingGroupName !== d.autoScalingGroup) { return; }
          var found = false;
          s.Instances.forEach(function (i) { if (i.InstanceId === d.instanceId) { i.LifecycleState = d.current; found = true; } });
          if (!found) { s.Instances.push({ InstanceId: d.instanceId, LifecycleState: d.current, HealthStatus: 'Healthy' }); }
          if (d.current === 'Terminated') { s.Instances = s.Instances.filter(function (i) { return i.InstanceId !== d.instanceId; }); }
        });
        break;
      default:
        return;
    }
    render();
  }

  // ---- rendering -----------------------------------------------------------------------------------------------

  var renderQueued = false;

  function render() {
    if (renderQueued) { return; }
    renderQueued = true;
    requestAnimationFrame(function () {
      renderQueued = false;
      renderListeners();
      renderTargetGroups();
      renderScaling();
      renderTransitions();
      renderBanner();
    });
  }

  function describeConditions(r) {
    if (!r.Conditions || r.Conditions.length === 0) { return r.IsDefault ? '(default)' : '(any)'; }
    return r.Conditions.map(function (c) {
      if (c.HttpHeaderConfig) { return c.Field + ' ' + c.HttpHeaderConfig.HttpHeaderName + ' = ' + c.HttpHeaderConfig.Values.join(' | '); }
      if (c.QueryStringConfig) {
        return c.Field + ' ' + c.QueryStringConfig.Values.map(function (p) { return (p.Key ? p.Key + '=' : '') + p.Value; }).join(' | ');
      }
      return c.Field + ' ' + (c.Values || []).join(' | ');
    }).join(' AND ');
  }

  function describeAction(a) {
    if (a.Type === 'forward') {
      if (a.TargetGroupName) { return 'forward → ' + a.TargetGroupName; }
      return 'forward → ' + a.ForwardConfig.TargetGroups.map(function (g) { return g.TargetGroupName + ' (' + g.Weight + ')'; }).join(', ');
    }
    if (a.Type === 'redirect') { return 'redirect ' + a.RedirectConfig.StatusCode; }
    return 'fixed-response ' + a.FixedResponseConfig.StatusCode;
  }

  var listenersKey = null;

  function renderListeners() {
    var key = JSON.stringify(state.listeners);
    if (key === listenersKey) { return; }
    listenersKey = key;
    var box = $('listeners');
    box.textContent = '';
    if (state.listeners.length === 0) { box.appendChild(el('p', { cls: 'muted', text: 'no listeners' })); return; }
    state.listeners.forEach(function (l) {
      var card = el('div', { cls: 'card', 'data-listener': l.Name }, [
        el('div', { cls: 'card-head' }, [el('h3', { text: l.Name }),
          el('span', { cls: 'muted', text: l.Protocol + ' ' + l.Host + ':' + l.Port })])]);
      var tbody = el('tbody');
      if (l.Rules) {
        l.Rules.forEach(function (r) {
          tbody.appendChild(el('tr', { 'data-rule': r.Name || r.Priority }, [
            el('td', { cls: 'num', text: r.Priority }), el('td', { text: r.Name || '' }),
            el('td', { cls: 'mono', text: describeConditions(r) }),
            el('td', { text: (r.Actions || []).map(describeAction).join('; ') })]));
        });
      } else {
        tbody.appendChild(el('tr', null, [el('td', { cls: 'num', text: 'default' }), el('td'), el('td', { text: '(TCP)' }),
          el('td', { text: 'forward → ' + l.DefaultActions[0].TargetGroupName })]));
      }
      card.appendChild(el('table', { cls: 'rule-list' }, [el('thead', null, [el('tr', null, [
        el('th', { cls: 'num', text: 'priority' }), el('th', { text: 'rule' }), el('th', { text: 'conditions' }),
        el('th', { text: 'action' })])]), tbody]));
      box.appendChild(card);
    });
  }

  function isLabInstance(id) {
    if (!state.lab) { return false; }
    return state.scaling.some(function (s) {
      return s.Instances.some(function (i) { return i.InstanceId === id && i.LifecycleState !== 'Terminated'; });
    });
  }

  var groupViews = new Map();   // group name -> {card, tbody, rows: Map id -> tr, canvas, legend, head}

  function groupView(g) {
    var v = groupViews.get(g.name);
    if (v) { return v; }
    var head = el('span', { cls: 'muted' });
    var tbody = el('tbody');
    var canvas = el('canvas', { cls: 'chart', 'data-chart': g.name });
    var legend = el('div', { cls: 'legend' });
    var cols = ['target', 'address', 'state', 'reason', 'in flight', 'requests/s', 'p99 latency', 'sticky pinned', ''];
    var card = el('div', { cls: 'card', 'data-target-group': g.name }, [
      el('div', { cls: 'card-head' }, [el('h3', { text: g.name }), head]),
      el('table', { cls: 'targets' }, [el('thead', null, [el('tr', null, cols.map(function (c, i) {
        return el('th', { cls: i >= 4 && i <= 7 ? 'num' : '', text: c });
      }))]), tbody]),
      el('div', { cls: 'chart-wrap' }, [el('div', { cls: 'muted', text: 'requests per second, last 3 minutes' }), canvas, legend])]);
    v = { card: card, tbody: tbody, rows: new Map(), canvas: canvas, legend: legend, head: head };
    groupViews.set(g.name, v);
    if (groupViews.size === 1) { $('target-groups').textContent = ''; }
    $('target-groups').appendChild(card);
    return v;
  }

  function targetRow(id) {
    var tr = el('tr', { 'data-target-id': id });
    var cells = {};
    ['id', 'addr', 'state', 'reason', 'inflight', 'rps', 'p99', 'sticky', 'actions'].forEach(function (c, i) {
      cells[c] = el('td', { cls: 'c-' + c + (i >= 4 && i <= 7 ? ' num' : '') + (c === 'id' || c === 'addr' ? ' mono' : '') });
      tr.appendChild(cells[c]);
    });
    cells.badge = el('span', { cls: 'state' });
    cells.state.appendChild(cells.badge);
    tr.cells_ = cells;
    return tr;
  }

  function fmt(n, digits) { return n == null ? '–' : Number(n).toFixed(digits); }

  function renderTargetGroups() {
    state.groups.forEach(function (g) {
      var v = groupView(g);
      var counts = { healthy: 0, unhealthy: 0 };
      g.rows.forEach(function (r) { if (counts[r.state] != null) { counts[r.state]++; } });
      setText(v.head, g.rows.size + ' targets · ' + counts.healthy + ' healthy · ' + counts.unhealthy + ' unhealthy'
        + ' · stickiness ' + g.stickiness + (g.failingOpen ? ' · FAILING OPEN' : ''));
      v.rows.forEach(function (tr, id) { if (!g.rows.has(id)) { tr.remove(); v.rows.delete(id); } });
      g.rows.forEach(function (r, id) {
        var tr = v.rows.get(id);
        if (!tr) { tr = targetRow(id); v.rows.set(id, tr); v.tbody.appendChild(tr); }
        var c = tr.cells_;
        if (tr.getAttribute('data-state') !== r.state) { tr.setAttribute('data-state', r.state || ''); }
        setText(c.id, id);
        setText(c.addr, r.address);
        setText(c.badge, r.state);
        var cls = 'state state-' + r.state;
        if (c.badge.className !== cls) { c.badge.className = cls; }
        setText(c.reason, r.reason || '');
        c.reason.title = r.description || '';
        setText(c.inflight, r.inFlight == null ? '–' : r.inFlight);
        setText(c.rps, fmt(r.rps, 1));
        setText(c.p99, r.p99 == null ? '–' : fmt(r.p99, r.p99 < 10 ? 2 : 1) + ' ms');
        setText(c.sticky, g.stickiness === 'off' && !r.pinned ? '–' : (r.pinned == null ? '–' : r.pinned));
        var canStop = isLabInstance(id) && r.state !== 'draining';
        var btn = c.actions.firstChild;
        if (canStop && !btn) {
          btn = el('button', { type: 'button', cls: 'stop-web danger', 'data-instance-id': id, text: 'Stop web server' });
          btn.addEventListener('click', function () { stopWeb(id, btn); });
          c.actions.appendChild(btn);
        } else if (!canStop && btn) {
          btn.remove();
        }
      });
      drawChart(v, g);
    });
  }

  function drawChart(v, g) {
    var canvas = v.canvas;
    var dpr = window.devicePixelRatio || 1;
    var w = canvas.clientWidth || 600;
    var h = canvas.clientHeight || 180;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var hist = state.history[g.name] || {};
    var ids = Object.keys(hist);
    var max = 1;
    ids.forEach(function (id) { hist[id].forEach(function (x) { if (x > max) { max = x; } }); });
    var step = Math.pow(10, Math.floor(Math.log10(max)));
    var top = Math.ceil(max / step) * step;
    var left = 40, right = 8, tp = 8, bottom = 18;
    var pw = w - left - right, ph = h - tp - bottom;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#6b7585';
    ctx.strokeStyle = '#dfe3ea';
    ctx.lineWidth = 1;
    for (var i = 0; i <= 4; i++) {
      var y = tp + ph - ph * i / 4;
      ctx.beginPath(); ctx.moveTo(left, y + 0.5); ctx.lineTo(left + pw, y + 0.5); ctx.stroke();
      ctx.fillText(String(Math.round(top * i / 4 * 10) / 10), 2, y + 4);
    }
    ['-3m', '-2m', '-1m', 'now'].forEach(function (label, k) {
      ctx.fillText(label, left + pw * k / 3 - (k === 3 ? 20 : 8), h - 4);
    });
    ids.forEach(function (id) {
      var pts = hist[id];
      if (pts.length === 0) { return; }
      ctx.strokeStyle = color(id);
      ctx.lineWidth = 2;
      ctx.beginPath();
      pts.forEach(function (val, k) {
        var x = left + pw * (HISTORY - pts.length + k) / (HISTORY - 1);
        var y = tp + ph - ph * Math.min(val, top) / top;
        if (k === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
      });
      ctx.stroke();
    });
    var key = ids.join(',');
    if (v.legend.getAttribute('data-key') !== key) {
      v.legend.setAttribute('data-key', key);
      v.legend.textContent = '';
      ids.forEach(function (id) {
        var sw = el('span', { cls: 'swatch' });
        sw.style.backgroundColor = color(id);   // CSSOM: allowed by the page's content security policy
        v.legend.appendChild(el('span', null, [sw, id]));
      });
    }
  }

  var scalingViews = new Map();

  function renderScaling() {
    var box = $('scaling-groups');
    if (state.scaling.length === 0) {
      if (!box.querySelector('p')) { box.textContent = ''; box.appendChild(el('p', { cls: 'muted', text: 'no scaling groups' })); }
      return;
    }
    if (box.querySelector('p.muted')) { box.textContent = ''; }
    state.scaling.forEach(function (s) {
      var v = scalingViews.get(s.AutoScalingGroupName);
      if (!v) {
        v = { card: el('div', { cls: 'card', 'data-scaling-group': s.AutoScalingGroupName }) };
        v.head = el('span', { cls: 'muted' });
        v.min = el('div', { cls: 'figure c-min' });
        v.desired = el('div', { cls: 'figure c-desired' });
        v.max = el('div', { cls: 'figure c-max' });
        v.button = el('button', { type: 'button', cls: 'set-desired', text: 'Set desired capacity…' });
        v.hcButton = el('button', { type: 'button', cls: 'switch-health-check-type', text: 'Health check type…' });
        v.instances = el('tbody');
        v.activities = el('ol', { cls: 'activities' });
        v.card.appendChild(el('div', { cls: 'card-head' }, [el('h3', { text: s.AutoScalingGroupName }), v.head]));
        v.card.appendChild(el('div', { cls: 'capacity' }, [
          el('div', null, [el('div', { cls: 'label', text: 'min' }), v.min]),
          el('div', null, [el('div', { cls: 'label', text: 'desired' }), v.desired]),
          el('div', null, [el('div', { cls: 'label', text: 'max' }), v.max]), v.button, v.hcButton]));
        v.card.appendChild(el('table', null, [el('thead', null, [el('tr', null, [el('th', { text: 'instance' }),
          el('th', { text: 'lifecycle' }), el('th', { text: 'health' })])]), v.instances]));
        v.card.appendChild(el('h3', { cls: 'sub', text: 'Activity history (newest first)' }));
        v.card.appendChild(v.activities);
        var name = s.AutoScalingGroupName;
        v.button.addEventListener('click', function () {
          var cur = state.scaling.filter(function (x) { return x.AutoScalingGroupName === name; })[0];
          if (cur) { setDesired(cur); }
        });
        v.hcButton.addEventListener('click', function () {
          var cur = state.scaling.filter(function (x) { return x.AutoScalingGroupName === name; })[0];
          if (cur) { switchHealthCheckType(cur); }
        });
        scalingViews.set(name, v);
        box.appendChild(v.card);
      }
      setText(v.head, 'health check type ' + s.HealthCheckType + ' · target groups ' + (s.TargetGroupNames || []).join(', '));
      setText(v.min, s.MinSize);
      setText(v.desired, s.DesiredCapacity);
      setText(v.max, s.MaxSize);
      var ikey = JSON.stringify(s.Instances.map(function (i) { return [i.InstanceId, i.LifecycleState, i.HealthStatus]; }));
      if (v.ikey !== ikey) {
        v.ikey = ikey;
        v.instances.textContent = '';
        s.Instances.forEach(function (i) {
          v.instances.appendChild(el('tr', { 'data-instance-id': i.InstanceId }, [el('td', { cls: 'mono', text: i.InstanceId }),
            el('td', { text: i.LifecycleState }), el('td', { text: i.HealthStatus })]));
        });
      }
      var acts = Array.from((state.activities[s.AutoScalingGroupName] || new Map()).values());
      acts.sort(function (a, b) { return a.StartTime < b.StartTime ? 1 : a.StartTime > b.StartTime ? -1 : 0; });
      var akey = JSON.stringify(acts.map(function (a) { return [a.ActivityId, a.StatusCode]; }));
      if (v.akey !== akey) {
        v.akey = akey;
        v.activities.textContent = '';
        acts.forEach(function (a) {
          v.activities.appendChild(el('li', { cls: 'status-' + a.StatusCode, 'data-activity-id': a.ActivityId }, [
            el('div', null, [el('span', { cls: 'status', text: a.StatusCode }), ' · ', el('span', { cls: 'muted', text: timeOf(a.StartTime) }),
              ' · ' + a.Description + (a.StatusMessage ? ' (' + a.StatusMessage + ')' : '')]),
            el('div', { cls: 'cause', text: a.Cause })]));
        });
        if (acts.length === 0) { v.activities.appendChild(el('li', { cls: 'muted', text: 'no activities yet' })); }
      }
    });
  }

  var transitionsShown = 0;
  var transitionsHead = null;

  function renderTransitions() {
    var list = $('transitions');
    var head = state.transitions[0];
    if (head === transitionsHead && transitionsShown === state.transitions.length) { return; }
    transitionsHead = head;
    transitionsShown = state.transitions.length;
    list.textContent = '';
    $('transitions-empty').hidden = state.transitions.length > 0;
    state.transitions.forEach(function (d) {
      var cur = d.current || {};
      var prev = d.previous || {};
      list.appendChild(el('li', { 'data-target-id': d.targetId }, [el('span', { cls: 'when', text: timeOf(d.time) }),
        el('div', null, [
          el('div', null, [el('span', { cls: 'mono', text: d.targetGroup + '/' + d.targetId }), ' ',
            el('span', { cls: 'state state-' + prev.State, text: prev.State }), ' → ',
            el('span', { cls: 'state state-' + cur.State, text: cur.State })]),
          cur.Reason ? el('div', { cls: 'reason', text: cur.Reason + (cur.Description ? ': ' + cur.Description : '') }) : null])]));
    });
  }

  function renderBanner() {
    var down = state.pollFailed || state.streamDown;
    $('banner').hidden = !down;
    var conn = $('conn');
    var cls = down ? 'conn conn-down' : (state.everConnected ? 'conn conn-live' : 'conn conn-connecting');
    if (conn.className !== cls) { conn.className = cls; }
    setText(conn, down ? 'disconnected' : (state.everConnected ? 'live' : 'connecting'));
  }

  // ---- live data -----------------------------------------------------------------------------------------------

  var source = null;
  var needsResync = false;

  var EVENTS = ['target-registered', 'target-draining', 'target-deregistered', 'target-health', 'fail-open',
    'scaling-activity', 'instance-state', 'desired-capacity', 'health-check-type'];

  function connectStream() {
    if (source) { source.close(); }
    state.transitions = [];
    var es = new EventSource('/api/events?lastEventId=0');
    source = es;
    EVENTS.forEach(function (type) {
      es.addEventListener(type, function (m) {
        try { onEvent(type, JSON.parse(m.data)); } catch (e) { /* a malformed event is skipped */ }
      });
    });
    es.onopen = function () {
      state.streamDown = false;
      state.everConnected = true;
      if (needsResync) { needsResync = false; resync(); }
      render();
    };
    es.onerror = function () {
      state.streamDown = true;
      needsResync = true;
      render();
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(function () { if (source === es) { connectStream(); } }, 2000);
      }
    };
  }

  var polling = false;

  function poll() {
    if (polling) { return; }
    polling = true;
    getJson('/api/stats').then(function (s) {
      var wasDown = state.pollFailed;
      state.pollFailed = false;
      applyStats(s, false);
      setText($('updated'), 'updated ' + timeOf(s.Time));
      if (wasDown) { resync(); }
      render();
    }).catch(function () {
      state.pollFailed = true;
      render();
    }).then(function () { polling = false; });
  }

  /** Loads everything that is not in the 1 s stats: the index, listeners, activities, the chart history. */
  function resync() {
    return getJson('/api').then(function (index) {
      state.lab = !!index.Lab;
      state.tokenRequired = !!index.TokenRequiredForChanges;
      $('token-hint').hidden = !state.tokenRequired;
      return Promise.all([getJson('/api/listeners'), getJson('/api/stats?history=true')]);
    }).then(function (r) {
      state.listeners = r[0].Listeners || [];
      applyStats(r[1], true);
      return Promise.all(state.scaling.map(function (s) {
        return getJson('/api/scaling-groups/' + encodeURIComponent(s.AutoScalingGroupName) + '/activities')
          .then(function (a) { (a.Activities || []).forEach(upsertActivity); });
      }));
    }).then(render).catch(function () {
      state.pollFailed = true;
      render();
    });
  }

  function start() {
    $('modal-ok').addEventListener('click', function () {
      var input = $('modal-input');
      closeDialog(input.hidden ? true : input.value);
    });
    $('modal-cancel').addEventListener('click', function () { closeDialog(null); });
    $('modal-input').addEventListener('keydown', function (e) { if (e.key === 'Enter') { $('modal-ok').click(); } });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !$('modal').hidden) { closeDialog(null); } });
    $('token-button').addEventListener('click', function () {
      askToken('Admin token (kept for this tab only; empty clears it):').then(function (ok) {
        if (!ok) {
          sessionStorage.removeItem(TOKEN_KEY);
          fetch('/api/session', { method: 'DELETE' }).catch(function () { /* the cookie expires with the browser */ });
        }
      });
    });
    window.addEventListener('resize', render);
    openSession().then(resync).then(function () {
      connectStream();
      setInterval(poll, POLL_MS);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
