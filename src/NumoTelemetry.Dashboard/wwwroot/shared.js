// A shared, read-only view: the one overview or top list the link names. Plain JavaScript, no dependencies.
(() => {
  'use strict';
  const nf = new Intl.NumberFormat('en');
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) { if (k === 'text') node.textContent = v; else if (k === 'class') node.className = v; else node.setAttribute(k, v); }
    for (const c of children) { if (c !== null && c !== undefined) node.append(c); }
    return node;
  }
  function table(head, rows) {
    const body = el('tbody');
    for (const r of rows) body.append(el('tr', { class: r.cls || '' }, ...r.cells.map((c, i) => el('td', { class: i ? 'num' : 'label', text: c }))));
    return el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : '', text: h })))), body));
  }
  async function start() {
    const token = location.pathname.split('/').pop();
    const response = await fetch(token + '/data', { headers: { Accept: 'application/json' } });
    if (!response.ok) { $('title').textContent = response.status === 410 ? 'This link was revoked.' : 'This link is not valid or has expired.'; return; }
    const data = await response.json();
    const k = data.k;
    const v = (value, suppressed) => suppressed ? '< ' + k + ' people' : value === null || value === undefined ? '–' : nf.format(value);
    $('meta').textContent = `Every number comes from at least ${k} different people; smaller groups count in “Other” or show as “< ${k} people”.`;
    if (data.view === 'overview') {
      const o = data.overview, t = o.totals;
      $('title').textContent = 'Traffic · ' + (o.range === 'custom' ? o.from.slice(0, 10) + ' to ' + o.to.slice(0, 10) : o.range) + (o.filtered ? ' · filtered' : '');
      const rows = [{ cells: ['Page views', v(t.pageViews, t.suppressed)] }, { cells: ['Unique visitors', v(t.visitors, t.suppressed)] }];
      if (o.previous) rows.push({ cells: ['Page views, compared period', v(o.previous.pageViews, o.previous.suppressed)] });
      $('view').append(table(['Figure', 'Value'], rows));
      $('view').append(table(['Bucket (UTC)', 'Page views', 'Visitors'], o.series.map(p => ({ cells: [p.t.replace('T', ' ').slice(0, 16), v(p.pageViews, p.suppressed), v(p.visitors, p.suppressed)] }))));
    } else {
      const l = data.top;
      $('title').textContent = 'Top list · ' + l.dimension;
      if (l.total.suppressed) { $('view').append(el('p', { class: 'empty', text: `Fewer than ${k} people in this range: nothing is shown.` })); return; }
      const rows = l.rows.map(r => ({ cells: [r.label, v(r.value, r.suppressed), v(r.visitors, r.suppressed)] }));
      if (l.other) rows.push({ cls: 'other', cells: ['Other (values from fewer than ' + k + ' people, or not listed)', v(l.other.value, false), v(l.other.visitors, false)] });
      rows.push({ cls: 'total', cells: ['Total', v(l.total.value, false), v(l.total.visitors, false)] });
      $('view').append(table(['Value', l.metric, 'Visitors'], rows));
    }
    document.body.dataset.loaded = 'true';
  }
  start().catch((e) => { $('error').textContent = e.message; $('error').hidden = false; });
})();
