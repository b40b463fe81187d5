// NumoTelemetry analyst dashboard: plain JavaScript, no dependencies, charts drawn as SVG.
(() => {
  'use strict';

  const LISTS = [
    ['goal', 'Goals'], ['event', 'Events'], ['page', 'Pages'], ['entry_page', 'Entry pages'], ['exit_page', 'Exit pages'],
    ['route', 'Routes'], ['country', 'Countries'], ['browser', 'Browsers'], ['device', 'Devices'],
    ['referrer', 'Referrers'], ['utm_source', 'Campaign sources'], ['utm_medium', 'Campaign media'], ['utm_campaign', 'Campaigns'],
    ['os', 'Operating systems'], ['language', 'Languages'], ['network', 'Networks (reverse DNS)'], ['status', 'Status classes'],
    ['bot', 'Humans and bots'], ['consent', 'Consent levels']
  ];
  // Every list but the request lists (networks, status, bots, consent) can be filtered, by up to MAX_FILTERS values at
  // once; goals, events and exit pages are counted apart, so a view takes one of them at most.
  const FILTERS = ['goal', 'event', 'page', 'entry_page', 'exit_page', 'route', 'country', 'browser', 'device',
    'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'os', 'language'];
  const FACTS = ['goal', 'event', 'exit_page'];
  const MAX_FILTERS = 3;
  const DIM_TITLES = Object.fromEntries(LISTS);
  const RANGE_LABELS = { '1h': 'Last hour', '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' };
  const SVG = 'http://www.w3.org/2000/svg';
  const nf = new Intl.NumberFormat('en');
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  const state = { range: params.get('range') || '24h', from: params.get('from') || '', to: params.get('to') || '', compare: params.get('compare') || '', filters: {}, k: 5, noise: null, funnels: [] };
  const METRIC_LABELS = { pageViews: 'Page views', requests: 'Requests', events: 'Events', visits: 'Visits' };
  for (const f of FILTERS) {
    if (!params.get(f) || Object.keys(state.filters).length >= MAX_FILTERS) continue;
    if (FACTS.includes(f) && FACTS.some(other => state.filters[other] !== undefined)) continue;
    state.filters[f] = params.get(f);
  }

  // ---------- helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) { if (c !== null && c !== undefined) node.append(c); }
    return node;
  }
  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  const suppressedText = () => '< ' + state.k;
  // In tables a withheld count says what it counts: people, whatever the column's unit.
  const suppressedPeople = () => '< ' + state.k + ' people';
  function fmt(value, suppressed) { return suppressed ? suppressedText() : (value === null || value === undefined ? '–' : nf.format(value)); }
  function fmtCell(value, suppressed) { return suppressed ? suppressedPeople() : fmt(value, false); }
  function change(c) { return c === null || c === undefined ? '–' : (c > 0 ? '+' : '') + Math.round(c * 100) + ' %'; }
  function query(extra, noCompare) {
    const q = new URLSearchParams(state.from && state.to ? { from: state.from, to: state.to } : { range: state.range });
    if (state.compare && !noCompare) q.set('compare', state.compare);
    for (const [k, v] of Object.entries(state.filters)) q.set(k, v);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return q.toString();
  }
  async function api(path) {
    const response = await fetch('api/' + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.status === 401 || response.status === 403) { throw new Error('Your session has ended or you are not allowed to see the dashboard. Sign in again.'); }
    if (!response.ok) { throw new Error('The dashboard API answered ' + response.status + '.'); }
    return response.json();
  }
  function showError(error) { const box = $('error'); box.textContent = error ? error.message : ''; box.hidden = !error; }
  function timeLabel(iso, granularity, long) {
    const d = new Date(iso);
    const date = d.toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
    const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
    if (granularity === 'day') return date;
    return long ? date + ' ' + time : time;
  }
  // Axis ticks at a "nice" whole step (1, 2, 5 × 10^n; counts never need fractions), from 0 to the first tick at or
  // above the largest value: no repeated labels ("1, 1, 1, 0, 0") and no odd steps ("63 / 188").
  function niceTicks(max, count) {
    if (!(max > 0)) return [0, 1];
    const raw = max / Math.max(1, count);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    let step = p;
    for (const m of [1, 2, 5, 10]) { if (m * p >= raw) { step = m * p; break; } }
    step = Math.max(1, Math.round(step));
    const ticks = [];
    for (let v = 0; v < max + step; v += step) { ticks.push(v); if (v >= max) break; }
    return ticks;
  }
  const tooltip = $('tooltip');
  function tip(event, text) {
    if (!text) { tooltip.hidden = true; return; }
    tooltip.textContent = text; tooltip.hidden = false;
    const x = Math.min(event.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
    tooltip.style.left = x + 'px'; tooltip.style.top = (event.clientY + 14) + 'px';
  }
  function hatch(svg, id) {
    const defs = svgEl('defs');
    const pattern = svgEl('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
    pattern.append(svgEl('rect', { width: 2.2, height: 6, class: 'hatch-fill' }));
    defs.append(pattern); svg.append(defs);
  }

  // ---------- charts ----------
  function lineChart(svg, points, granularity, previous) {
    svg.replaceChildren();
    const w = svg.clientWidth || 800, h = svg.clientHeight || 260;
    svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    const m = { l: 46, r: 12, t: 12, b: 26 };
    const iw = w - m.l - m.r, ih = h - m.t - m.b;
    hatch(svg, svg.id + '-hatch');
    const prev = previous || [];
    const ticks = niceTicks(Math.max(0, ...points.map(p => p.pageViews || 0), ...points.map(p => p.visitors || 0), ...prev.map(p => p.pageViews || 0)), 4);
    const max = ticks[ticks.length - 1];
    const n = Math.max(points.length, 1), slot = iw / n;
    const x = (i) => m.l + slot * i + slot / 2, y = (v) => m.t + ih - (v / max) * ih;
    for (const v of ticks) {
      const yy = y(v);
      svg.append(svgEl('line', { class: 'grid-line', x1: m.l, x2: w - m.r, y1: yy, y2: yy }));
      const t = svgEl('text', { x: m.l - 6, y: yy + 4, 'text-anchor': 'end' }); t.textContent = nf.format(v); svg.append(t);
    }
    svg.dataset.ticks = ticks.join(',');
    const long = points.length > 1 && (new Date(points[points.length - 1].t) - new Date(points[0].t)) > 86400000;
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(iw / 90))));
    points.forEach((p, i) => {
      // A withheld point has no height: a hatched placeholder on the axis (see the legend), never a full-height bar.
      if (p.suppressed) svg.append(svgEl('rect', { class: 'suppressed-mark', x: m.l + slot * i + slot * 0.15, y: m.t + ih - 6, width: Math.max(slot * 0.7, 2), height: 6, fill: `url(#${svg.id}-hatch)` }));
      if (i % every === 0) { const t = svgEl('text', { x: x(i), y: h - 8, 'text-anchor': 'middle' }); t.textContent = timeLabel(p.t, granularity, long); svg.append(t); }
    });
    const path = (key) => {
      let d = '', pen = false;
      points.forEach((p, i) => {
        if (p.suppressed || p[key] === null) { pen = false; return; }
        d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(p[key]).toFixed(1); pen = true;
      });
      return d;
    };
    let area = '', start = null;
    points.forEach((p, i) => {
      if (p.suppressed || p.pageViews === null) { if (start !== null) { area += `L${x(i - 1)},${y(0)}Z`; start = null; } return; }
      if (start === null) { start = i; area += `M${x(i)},${y(0)}`; }
      area += `L${x(i)},${y(p.pageViews)}`;
    });
    if (start !== null) area += `L${x(points.length - 1)},${y(0)}Z`;
    svg.append(svgEl('path', { class: 'area', d: area }));
    if (prev.length) {
      let d = '', pen = false;
      prev.forEach((p, i) => { if (i >= n || p.suppressed || p.pageViews === null) { pen = false; return; } d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(p.pageViews).toFixed(1); pen = true; });
      svg.append(svgEl('path', { class: 'line-previous', d }));
    }
    svg.append(svgEl('path', { class: 'line-visitors', d: path('visitors') }));
    svg.append(svgEl('path', { class: 'line-views', d: path('pageViews') }));
    if (points.length <= 60) {
      points.forEach((p, i) => { if (!p.suppressed && p.pageViews) svg.append(svgEl('circle', { class: 'dot', cx: x(i), cy: y(p.pageViews), r: 3 })); });
    }
    points.forEach((p, i) => {
      const text = `${timeLabel(p.t, granularity, true)} UTC · ` + (p.suppressed ? `suppressed (${suppressedText()} people)` : `${nf.format(p.pageViews)} page views, ${nf.format(p.visitors)} visitors`);
      const hit = svgEl('rect', { x: m.l + slot * i, y: m.t, width: slot, height: ih, fill: 'transparent' });
      const title = svgEl('title'); title.textContent = text; hit.append(title);
      hit.addEventListener('mousemove', (e) => tip(e, text)); hit.addEventListener('mouseleave', () => tip(null));
      svg.append(hit);
    });
    svg.dataset.values = points.map(p => p.suppressed ? 'S' : p.pageViews).join(',');
  }

  function barChart(svg, rows, labelOf) {
    svg.replaceChildren();
    const w = svg.clientWidth || 400, h = svg.clientHeight || 180;
    svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    hatch(svg, svg.id + '-hatch');
    const m = { l: 40, r: 8, t: 10, b: 22 }, iw = w - m.l - m.r, ih = h - m.t - m.b;
    const ticks = niceTicks(Math.max(0, ...rows.map(r => r.value || 0)), 2);
    const max = ticks[ticks.length - 1];
    const n = Math.max(rows.length, 1), slot = iw / n, bw = Math.max(2, slot * 0.72);
    for (const v of ticks) {
      const yy = m.t + ih - (v / max) * ih;
      svg.append(svgEl('line', { class: 'grid-line', x1: m.l, x2: w - m.r, y1: yy, y2: yy }));
      const t = svgEl('text', { x: m.l - 5, y: yy + 4, 'text-anchor': 'end' }); t.textContent = nf.format(v); svg.append(t);
    }
    svg.dataset.ticks = ticks.join(',');
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(iw / 48))));
    rows.forEach((r, i) => {
      const x0 = m.l + slot * i + (slot - bw) / 2;
      const text = labelOf(r, true) + ': ' + (r.suppressed ? suppressedText() : nf.format(r.value));
      let bar;
      if (r.suppressed) bar = svgEl('rect', { class: 'suppressed-mark', x: x0, y: m.t + ih - 6, width: bw, height: 6, fill: `url(#${svg.id}-hatch)` });
      else { const bh = (r.value / max) * ih; bar = svgEl('rect', { class: 'bar', x: x0, y: m.t + ih - bh, width: bw, height: Math.max(bh, r.value ? 1 : 0), rx: 2 }); }
      const title = svgEl('title'); title.textContent = text; bar.append(title);
      bar.addEventListener('mousemove', (e) => tip(e, text)); bar.addEventListener('mouseleave', () => tip(null));
      svg.append(bar);
      if (i % every === 0) { const t = svgEl('text', { x: m.l + slot * i + slot / 2, y: h - 6, 'text-anchor': 'middle' }); t.textContent = labelOf(r, false); svg.append(t); }
    });
    svg.dataset.values = rows.map(r => r.suppressed ? 'S' : r.value).join(',');
  }

  // ---------- lists ----------
  // The fact filter (goal, event or exit page) that keeps a list of another fact from being shown, or null.
  function blockedBy(dim) {
    if (!FACTS.includes(dim)) return null;
    return FACTS.find(f => f !== dim && state.filters[f] !== undefined) || null;
  }

  function listTable(list, options) {
    const opts = options || {};
    if (opts.blockedBy) return el('p', { class: 'empty', text: `Not shown while filtered by ${(DIM_TITLES[opts.blockedBy] || opts.blockedBy).toLowerCase()}: goals, events and exit pages are counted apart.` });
    if (!list) return el('p', { class: 'empty', text: 'No data.' });
    if (list.total.suppressed) return el('p', { class: 'empty suppressed', text: `Fewer than ${state.k} people in this range: nothing is shown.` });
    if (list.rows.length === 0) return el('p', { class: 'empty', text: 'No data in this range.' });
    const views = list.metric !== 'requests';
    const conversion = list.rows.some(r => r.conversionRate !== null && r.conversionRate !== undefined);
    const compared = !!state.compare;
    const max = Math.max(1, ...list.rows.map(r => r.value || 0));
    const filterable = FILTERS.includes(list.dimension) && opts.filterable !== false;
    const table = el('table', { 'data-dim': list.dimension });
    table.append(el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: opts.title || 'Value' }),
      el('th', { scope: 'col', class: 'num', text: METRIC_LABELS[list.metric] || list.metric }),
      views ? el('th', { scope: 'col', class: 'num', text: 'Visitors' }) : null,
      conversion ? el('th', { scope: 'col', class: 'num', text: 'Conversion' }) : null,
      compared ? el('th', { scope: 'col', class: 'num', text: 'Change' }) : null)));
    const body = el('tbody');
    const row = (r, cls) => {
      const label = r.label;
      const inner = filterable && !r.suppressed && cls === undefined
        ? el('button', { type: 'button', 'aria-pressed': state.filters[list.dimension] === label ? 'true' : 'false', title: 'Filter by ' + label, text: label })
        : el('span', { text: cls === 'other' ? 'Other' : cls === 'total' ? 'Total' : label, title: cls === 'other' ? `Values not listed: from fewer than ${state.k} people, withheld so that those cannot be worked out, or beyond the list's length` : null });
      if (inner.tagName === 'BUTTON') inner.addEventListener('click', () => toggleFilter(list.dimension, label));
      const cell = el('span', { class: 'barcell', style: null }, inner);
      if (cls === undefined && !r.suppressed) cell.style.setProperty('--w', (100 * r.value / max).toFixed(1) + '%');
      const tr = el('tr', { class: (cls || '') + (r.suppressed ? ' is-suppressed' : ''), 'data-label': label, 'data-value': r.suppressed ? 'suppressed' : r.value },
        el('td', { class: 'label' }, cell),
        el('td', { class: 'num' + (r.suppressed ? ' suppressed' : ''), title: r.suppressed ? `Withheld: built from fewer than ${state.k} people, or would let such a value be worked out` : null, text: fmtCell(r.value, r.suppressed) }),
        views ? el('td', { class: 'num' + (r.suppressed ? ' suppressed' : ''), text: fmtCell(r.visitors, r.suppressed) }) : null,
        conversion ? el('td', { class: 'num', text: r.conversionRate === null || r.conversionRate === undefined ? '–' : (Math.round(r.conversionRate * 1000) / 10) + ' %' }) : null,
        compared ? el('td', { class: 'num change', title: r.previousValue === null || r.previousValue === undefined ? 'Not listed in the compared period' : 'Compared period: ' + nf.format(r.previousValue), text: change(r.change) }) : null);
      body.append(tr);
    };
    list.rows.forEach(r => row(r));
    if (list.other) {
      row(list.other, 'other');
      const span = 2 + (views ? 1 : 0) + (conversion ? 1 : 0) + (compared ? 1 : 0);
      body.append(el('tr', { class: 'other-note' }, el('td', { colspan: span, text: `Other: values from fewer than ${state.k} people, values withheld so that those cannot be worked out, and values beyond this list.` })));
    }
    row(list.total, 'total');
    table.append(body);
    const wrap = el('div', { class: 'table-wrap' }, table);
    if (Object.keys(state.filters).length && !list.filtered && !FILTERS.includes(list.dimension)) {
      wrap.append(el('p', { class: 'note', text: 'Not filtered: this list counts every request and takes no filters.' }));
    }
    return wrap;
  }

  function toggleFilter(dimension, value) {
    if (state.filters[dimension] === value) delete state.filters[dimension];
    else {
      // One of goal, event and exit page at a time, and at most MAX_FILTERS: the oldest filter makes room.
      if (FACTS.includes(dimension)) for (const f of FACTS) if (f !== dimension) delete state.filters[f];
      delete state.filters[dimension];
      const keys = Object.keys(state.filters);
      while (keys.length >= MAX_FILTERS) delete state.filters[keys.shift()];
      state.filters[dimension] = value;
    }
    sync(); loadAll();
  }

  function renderFilters() {
    const box = $('filters');
    box.replaceChildren();
    const keys = Object.keys(state.filters);
    if (!keys.length) { box.append(el('span', { class: 'muted', text: `No filters. Select a value in any list to filter (up to ${MAX_FILTERS} at once).` })); return; }
    box.append(el('span', { class: 'muted', text: 'Filtered by' }));
    for (const k of keys) {
      const remove = el('button', { type: 'button', 'aria-label': `Remove filter ${k} ${state.filters[k]}`, text: '×' });
      remove.addEventListener('click', () => toggleFilter(k, state.filters[k]));
      box.append(el('span', { class: 'chip', 'data-filter': k }, el('span', { text: `${DIM_TITLES[k] || k}: ${state.filters[k]}` }), remove));
    }
    if (keys.length > 1) {
      const clear = el('button', { type: 'button', class: 'link', id: 'clear-filters', text: 'Clear all' });
      clear.addEventListener('click', () => { state.filters = {}; sync(); loadAll(); });
      box.append(clear);
    }
  }

  function sync() {
    history.replaceState(null, '', '?' + query() + location.hash);
    $('export-series').href = 'api/export.csv?' + query({ view: 'series' }, true);
    if ($('range-from')) { $('range-from').value = state.from; $('range-to').value = state.to; $('compare').value = state.compare; }
    renderFilters();
  }

  // ---------- views ----------
  function renderOverview(o) {
    const t = o.totals;
    const set = (key, text) => { const node = document.querySelector(`[data-kpi="${key}"]`); node.textContent = text; node.classList.toggle('suppressed', t.suppressed); };
    set('pageViews', fmt(t.pageViews, t.suppressed));
    set('visitors', fmt(t.visitors, t.suppressed));
    set('visits', t.visits === null && !t.suppressed ? '–' : fmt(t.visits, t.suppressed));
    set('bounceRate', t.suppressed ? suppressedText() : t.bounceRate === null ? '–' : Math.round(t.bounceRate * 100) + ' %');
    set('averageVisitSeconds', t.suppressed ? suppressedText() : t.averageVisitSeconds === null ? '–' : duration(t.averageVisitSeconds));
    // Filtered by a goal or an event the figures count its conversions; by an exit page, the visits that ended there.
    const fact = FACTS.find(f => state.filters[f] !== undefined);
    const counted = fact === 'exit_page' ? 'Exits' : fact ? 'Conversions' : 'Page views';
    document.querySelector('[data-kpi="pageViews"]').previousElementSibling.textContent = counted;
    const label = o.range === 'custom' ? `${state.from} to ${state.to}` : (RANGE_LABELS[o.range] || o.range);
    $('traffic-caption').textContent = `${counted} and visitors per ${o.granularity} · ${label}` + (o.filtered ? ' · filtered' : '') + (o.previous ? ` · compared with ${o.previous.compare === 'year' ? 'a year before' : 'the period before'}` : '');
    for (const key of ['pageViews', 'visitors', 'visits']) {
      const node = document.querySelector(`[data-previous="${key}"]`);
      if (!node) continue;
      const p = o.previous;
      if (!p || t.suppressed) { node.textContent = ''; continue; }
      const before = p.suppressed ? suppressedText() : fmt(p[key], false);
      const c = !p.suppressed && p[key] > 0 && t[key] !== null ? (t[key] - p[key]) / p[key] : null;
      node.textContent = `before: ${before}` + (c === null ? '' : ` (${change(c)})`);
    }
    lastOverview = o;
    lineChart($('traffic-chart'), o.series, o.granularity, o.previous ? o.previous.series : null);
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Bucket (UTC)' }), el('th', { scope: 'col', class: 'num', text: 'Page views' }), el('th', { scope: 'col', class: 'num', text: 'Visitors' }))));
    const body = el('tbody');
    for (const p of o.series) body.append(el('tr', {}, el('td', { text: timeLabel(p.t, o.granularity, true) }), el('td', { class: 'num', text: fmt(p.pageViews, p.suppressed) }), el('td', { class: 'num', text: fmt(p.visitors, p.suppressed) })));
    table.append(body);
    $('traffic-table').replaceChildren(table);
  }
  function duration(seconds) {
    const s = Math.round(seconds);
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  function renderLists(lists) {
    const grid = $('top-lists');
    grid.replaceChildren();
    LISTS.forEach(([dim, title], i) => {
      const card = el('figure', { class: 'card', id: 'list-' + dim }, el('figcaption', {},
        el('span', { text: title }),
        el('a', { class: 'muted', href: 'api/export.csv?' + query({ view: 'top', dim, limit: 100 }), download: true, 'aria-label': 'Export ' + title + ' as CSV', text: 'CSV' })));
      card.append(listTable(lists[i], { title, blockedBy: blockedBy(dim) }));
      grid.append(card);
    });
  }

  // Score buckets from fewer than k people are not listed: they are counted in the "Other" bar.
  function scoreBars(list) { return list.other ? list.rows.concat([{ label: 'Other', value: list.other.value, suppressed: false }]) : list.rows; }

  function renderFraud(f) {
    $('risk-bands').replaceChildren(listTable(f.bands, { title: 'Band' }));
    barChart($('risk-scores'), scoreBars(f.scores), (r) => r.label);
    $('risk-reasons').replaceChildren(listTable(f.reasons, { title: 'Reason' }));
    const rules = $('alerts-by-rule');
    if (!f.alertsByRule.length) rules.replaceChildren(el('p', { class: 'empty', text: 'No alerts in this range.' }));
    else {
      const body = el('tbody');
      for (const a of f.alertsByRule) body.append(el('tr', {}, el('td', { text: a.rule }), el('td', {}, el('span', { class: 'badge sev-' + a.severity, text: a.severity })), el('td', { class: 'num', text: nf.format(a.count) })));
      rules.replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Rule' }), el('th', { scope: 'col', text: 'Severity' }), el('th', { scope: 'col', class: 'num', text: 'Alerts' }))), body));
    }
    const latest = $('latest-alerts');
    if (!f.latest.length) latest.replaceChildren(el('p', { class: 'empty', text: 'No alerts in this range.' }));
    else {
      const showSubject = f.latest.some(a => a.subject);
      const body = el('tbody');
      for (const a of f.latest) body.append(el('tr', {},
        el('td', { text: timeLabel(a.time, 'minute', true) }), el('td', { text: a.rule }),
        el('td', {}, el('span', { class: 'badge sev-' + a.severity, text: a.severity })), el('td', { class: 'num', text: a.score.toFixed(1) }),
        el('td', { text: a.subjectKind || '–' }), showSubject ? el('td', { text: a.subject || '–' }) : null));
      latest.replaceChildren(el('table', {}, el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: 'Time (UTC)' }), el('th', { scope: 'col', text: 'Rule' }), el('th', { scope: 'col', text: 'Severity' }),
        el('th', { scope: 'col', class: 'num', text: 'Score' }), el('th', { scope: 'col', text: 'Subject' }), showSubject ? el('th', { scope: 'col', text: 'Pseudonym' }) : null)), body));
    }
  }

  function renderLive(l) {
    const active = $('live-active');
    active.textContent = fmt(l.activeVisitors.value, l.activeVisitors.suppressed);
    active.classList.toggle('suppressed', l.activeVisitors.suppressed);
    $('live-asof').textContent = 'last ' + l.minutes + ' minutes · updated ' + timeLabel(l.asOf, 'minute', false) + ' UTC';
    lastLive = l;
    barChart($('live-chart'), l.series.map(p => ({ label: p.t, value: p.pageViews, suppressed: p.suppressed })), (r, long) => timeLabel(r.label, 'minute', long));
    $('live-routes').replaceChildren(listTable(l.routes, { title: 'Route', filterable: false }));
  }

  function renderFunnels(funnels) {
    const box = $('funnel-list');
    if (!box) return;
    box.replaceChildren();
    if (!state.funnels.length) { box.append(el('p', { class: 'empty', text: 'No funnels configured (NumoTelemetry:Dashboard:Funnels).' })); return; }
    state.funnels.forEach((f, i) => {
      const data = funnels[i];
      const card = el('figure', { class: 'card funnel', 'data-funnel': f.name }, el('figcaption', {}, el('span', { text: f.name }), el('span', { class: 'muted', text: 'within a ' + f.within })));
      if (!data) { card.append(el('p', { class: 'empty', text: 'Not available.' })); box.append(card); return; }
      const first = data.steps.length && !data.steps[0].suppressed ? data.steps[0].visitors : 0;
      const body = el('tbody');
      data.steps.forEach((s, n) => {
        const cell = el('span', { class: 'barcell' }, el('span', { text: (n + 1) + '. ' + s.step }));
        if (!s.suppressed && first) cell.style.setProperty('--w', (100 * s.visitors / first).toFixed(1) + '%');
        body.append(el('tr', { class: s.suppressed ? 'is-suppressed' : '', 'data-step': n + 1, 'data-value': s.suppressed ? 'suppressed' : s.visitors },
          el('td', { class: 'label' }, cell),
          el('td', { class: 'num' + (s.suppressed ? ' suppressed' : ''), text: fmtCell(s.visitors, s.suppressed) }),
          el('td', { class: 'num', text: s.suppressed || s.conversion === null ? '–' : (Math.round(s.conversion * 1000) / 10) + ' %' }),
          el('td', { class: 'num', text: s.suppressed || s.dropOff === null ? '–' : nf.format(s.dropOff) })));
      });
      card.append(el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: 'Step' }), el('th', { scope: 'col', class: 'num', text: 'Visitors' }),
        el('th', { scope: 'col', class: 'num', text: 'Of first step' }), el('th', { scope: 'col', class: 'num', text: 'Dropped' }))), body)));
      if (data.steps.some(s => s.suppressed)) card.append(el('p', { class: 'note', text: `A withheld step (and those after it) would reveal fewer than ${state.k} people: reached by too few, or differing by too few from the step before or from its own list.` }));
      box.append(card);
    });
  }

  function periodControls() {
    const form = $('period');
    if (!form) return;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const from = $('range-from').value, to = $('range-to').value;
      if (from && to) { state.from = from; state.to = to; } else { state.from = ''; state.to = ''; }
      state.compare = $('compare').value;
      for (const input of document.querySelectorAll('#ranges input')) input.checked = !state.from && input.value === state.range;
      sync(); loadAll();
    });
  }

  function shareControls() {
    const button = $('share');
    if (!button) return;
    let token = null;
    button.addEventListener('click', async () => {
      try {
        const response = await fetch('api/share?' + query({ view: 'overview', hours: 168 }), { method: 'POST', credentials: 'same-origin' });
        if (!response.ok) throw new Error('Sharing failed (' + response.status + ').');
        const link = await response.json();
        token = link.url.split('/').pop();
        $('share-url').value = new URL(link.url, location.href).href;
        $('share-out').hidden = false;
        $('share-url').select();
      } catch (error) { showError(error); }
    });
    $('share-revoke').addEventListener('click', async () => {
      if (!token) return;
      const response = await fetch('api/share/revoke?token=' + encodeURIComponent(token), { method: 'POST', credentials: 'same-origin' });
      if (response.ok) { $('share-url').value = 'Revoked'; token = null; } else showError(new Error('Revoking failed (' + response.status + ').'));
    });
  }

  // ---------- loading ----------
  let lastOverview = null, lastLive = null, lastFraud = null, loading = 0;
  async function loadAll() {
    const ticket = ++loading;
    try {
      const [overview, fraud, live, ...lists] = await Promise.all([
        api('overview?' + query()), api('fraud?' + query({}, true)), api('live'),
        ...LISTS.map(([dim]) => blockedBy(dim) ? Promise.resolve(null) : api('top?' + query({ dim, limit: 10 })))
      ]);
      const funnels = await Promise.all(state.funnels.map(f => api('funnel?' + query({ steps: JSON.stringify(f.steps), within: f.within }, true)).catch(() => null)));
      if (ticket !== loading) return;
      renderOverview(overview); renderLists(lists); lastFraud = fraud; renderFraud(fraud); renderLive(live); renderFunnels(funnels);
      showError(null);
      document.body.dataset.loaded = 'true';
    } catch (error) { showError(error); }
  }
  async function refreshLive() {
    if (document.hidden) return;
    try { renderLive(await api('live')); } catch (error) { showError(error); }
  }

  async function start() {
    try {
      const meta = await api('meta');
      state.k = meta.k; state.noise = meta.noiseEpsilon;
      if (!meta.ranges.includes(state.range)) state.range = '24h';
      const ranges = $('ranges');
      for (const r of meta.ranges) {
        const input = el('input', { type: 'radio', name: 'range', id: 'range-' + r, value: r, checked: !state.from && r === state.range });
        input.addEventListener('change', () => { state.range = r; state.from = ''; state.to = ''; sync(); loadAll(); });
        ranges.append(input, el('label', { for: 'range-' + r, text: r }));
      }
      const analytics = meta.analytics || { funnels: [], timeZone: 'UTC', signOutPath: null };
      state.funnels = analytics.funnels || [];
      if (analytics.signOutPath) {
        const out = el('form', { method: 'post', action: analytics.signOutPath, class: 'signout' }, el('button', { type: 'submit', class: 'button', text: 'Sign out' }));
        $('account').replaceChildren(out);
      }
      $('zone').textContent = analytics.timeZone;
      periodControls();
      shareControls();
      $('privacy').textContent = `Privacy: every number comes from at least ${state.k} different people. Values from fewer people, and values that would let them be worked out from other views, are not listed: they count in “Other”; totals and points that would reveal them show as “${suppressedText()}”.` +
        (state.noise ? ` Counts carry Laplace noise (ε = ${state.noise}).` : '');
    } catch (error) { showError(error); return; }
    sync();
    await loadAll();
    setInterval(refreshLive, 10000);
    let resize = null;
    window.addEventListener('resize', () => {
      clearTimeout(resize);
      resize = setTimeout(() => {
        if (lastOverview) lineChart($('traffic-chart'), lastOverview.series, lastOverview.granularity, lastOverview.previous ? lastOverview.previous.series : null);
        if (lastFraud) barChart($('risk-scores'), scoreBars(lastFraud.scores), (r) => r.label);
        if (lastLive) renderLive(lastLive);
      }, 150);
    });
  }
  start();
})();
