// NumoTelemetry fraud workspace: alert inbox, alert detail with review and allow-listing, subject timeline, lists, audit,
// detectors and (for key holders) raw-value lookup. Self-contained; builds the DOM with textContent only (no HTML from data).
(function () {
  'use strict';

  var API = '../api/';
  var state = { me: null };
  var view = document.getElementById('view');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === 'text') { node.textContent = v; }
        else if (k === 'onclick') { node.addEventListener('click', v); }
        else if (k === 'onsubmit') { node.addEventListener('submit', v); }
        else if (k === 'onchange') { node.addEventListener('change', v); }
        else { node.setAttribute(k, v === true ? '' : String(v)); }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function api(path, options) {
    options = options || {};
    var init = { method: options.method || 'GET', headers: { 'Accept': 'application/json' }, credentials: 'same-origin' };
    if (options.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    return fetch(API + path, init).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (!response.ok) {
          var message = (json && (json.detail || json.title)) || ('HTTP ' + response.status);
          var error = new Error(message);
          error.status = response.status;
          throw error;
        }
        return json;
      });
    });
  }

  function showError(error) {
    var box = document.getElementById('error');
    if (!error) { box.hidden = true; box.textContent = ''; return; }
    box.textContent = error.status === 401 ? 'Your session has ended: sign in again.'
      : error.status === 403 ? 'You do not have the fraud investigator role.' : String(error.message || error);
    box.hidden = false;
  }

  function notice(text) {
    var box = document.getElementById('notice');
    box.textContent = text || '';
    box.hidden = !text;
  }

  function time(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace('Z', '') : '–'; }
  function num(n, digits) { return typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 1 : digits }) : '–'; }
  function badge(severity) { return el('span', { 'class': 'badge sev-' + severity, text: severity }); }
  function stateTag(s) { return el('span', { 'class': 'state state-' + s, 'data-state': s, text: s }); }
  function subjectHref(kind, subject) { return '#/subject/' + encodeURIComponent(kind) + '/' + encodeURIComponent(subject); }
  function subjectLink(kind, subject) { return el('a', { href: subjectHref(kind, subject), 'class': 'mono', text: subject }); }
  function card(title, body, attrs) {
    var a = attrs || {};
    a['class'] = 'card';
    return el('figure', a, [el('figcaption', { text: title })].concat(body));
  }
  function empty(text) { return el('p', { 'class': 'empty', text: text }); }
  function table(headers, rows, attrs) {
    if (!rows.length) { return null; }
    return el('div', { 'class': 'table-wrap' }, [el('table', attrs || {}, [
      el('thead', null, [el('tr', null, headers.map(function (h) { return el('th', { 'class': h.num ? 'num' : null, text: h.text || h }); }))]),
      el('tbody', null, rows)
    ])]);
  }

  function alertRows(alerts) {
    return alerts.map(function (a) {
      var row = el('tr', { 'class': 'clickable', 'data-alert': a.id, 'data-state': a.state }, [
        el('td', { text: time(a.lastSeen) }),
        el('td', null, [badge(a.severity)]),
        el('td', null, [el('a', { href: '#/alert/' + encodeURIComponent(a.id), text: a.rule })]),
        el('td', { 'class': 'num', text: num(a.score) }),
        el('td', { text: a.subjectKind }),
        el('td', null, [subjectLink(a.subjectKind, a.subject)]),
        el('td', { 'class': 'num', text: num(a.count, 0) }),
        el('td', null, [stateTag(a.state)])
      ]);
      row.addEventListener('click', function (e) {
        if (e.target.tagName !== 'A') { location.hash = '#/alert/' + encodeURIComponent(a.id); }
      });
      return row;
    });
  }
  var alertHeaders = ['Last seen', 'Severity', 'Rule', { text: 'Score', num: true }, 'Subject kind', 'Subject', { text: 'Hits', num: true }, 'State'];

  // ---- Inbox ---------------------------------------------------------------------------------------------------------
  function inbox(params) {
    var q = new URLSearchParams(params || '');
    function select(name, label, options) {
      var s = el('select', { id: 'f-' + name, name: name }, options.map(function (o) {
        return el('option', { value: o[0], selected: (q.get(name) || '') === o[0], text: o[1] });
      }));
      return el('label', { 'for': 'f-' + name }, [label, s]);
    }
    var rule = el('input', { id: 'f-rule', name: 'rule', value: q.get('rule') || '', placeholder: 'any', size: 18, autocomplete: 'off' });
    var form = el('form', { 'class': 'filterbar', id: 'filters', onsubmit: function (e) {
      e.preventDefault();
      var next = new URLSearchParams();
      new FormData(form).forEach(function (v, k) { if (v) { next.set(k, v); } });
      location.hash = '#/?' + next.toString();
    } }, [
      select('state', 'State', [['', 'any'], ['new', 'new'], ['acknowledged', 'acknowledged'], ['confirmed', 'confirmed'], ['false-positive', 'false positive']]),
      el('label', { 'for': 'f-rule' }, ['Rule', rule]),
      select('severity', 'Severity', [['', 'any'], ['page', 'page'], ['alert', 'alert']]),
      select('subjectKind', 'Subject kind', [['', 'any'], ['ip', 'ip'], ['ip-prefix', 'ip-prefix'], ['session', 'session'], ['visitor', 'visitor'], ['user', 'user'], ['asn', 'asn']]),
      select('range', 'Last seen', [['', 'any time'], ['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['30d', 'last 30 days']]),
      el('button', { 'class': 'act primary', type: 'submit', text: 'Filter' })
    ]);
    form.querySelectorAll('select').forEach(function (s) { s.addEventListener('change', function () { form.requestSubmit(); }); });
    var query = new URLSearchParams();
    ['state', 'rule', 'severity', 'subjectKind'].forEach(function (k) { if (q.get(k)) { query.set(k, q.get(k)); } });
    var hours = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 }[q.get('range')];
    if (hours) { query.set('since', new Date(Date.now() - hours * 3600e3).toISOString()); }
    query.set('limit', '200');
    var holder = el('div', { id: 'inbox' }, [empty('Loading…')]);
    render([el('div', { 'class': 'head' }, [el('h2', { text: 'Alert inbox' })]), form, holder]);
    return api('alerts?' + query.toString()).then(function (data) {
      holder.textContent = '';
      holder.appendChild(card(data.alerts.length + ' alert' + (data.alerts.length === 1 ? '' : 's'), [
        table(alertHeaders, alertRows(data.alerts), { id: 'alerts' }) || empty('No alert matches these filters.')
      ]));
    });
  }

  // ---- Alert detail --------------------------------------------------------------------------------------------------
  function alertDetail(id) {
    return api('alerts/' + encodeURIComponent(id)).then(function (a) { renderAlert(a); });
  }

  function renderAlert(a) {
    var maxPoints = Math.max.apply(null, [1].concat(a.reasons.map(function (r) { return r.points || 0; })));
    var reasons = table(['Reason', { text: 'Points', num: true }, ''], a.reasons.map(function (r) {
      return el('tr', { 'data-reason': r.code }, [
        el('td', { text: r.code }), el('td', { 'class': 'num', text: num(r.points) }),
        el('td', null, [el('span', { 'class': 'points' }, [el('i', { style: null, 'data-w': Math.round(100 * (r.points || 0) / maxPoints) })])])
      ]);
    })) || empty('No reasons recorded.');
    var history = table(['When', 'Who', 'From', 'To', 'Note'], a.history.map(function (h) {
      return el('tr', null, [el('td', { text: time(h.at) }), el('td', { text: h.who }), el('td', { text: h.from }), el('td', null, [stateTag(h.to)]), el('td', { text: h.note || '' })]);
    }), { id: 'history' }) || empty('Not reviewed yet.');
    var note = el('textarea', { id: 'review-note', maxlength: 1000, placeholder: 'Optional note (what you checked, why)' });
    function review(target) {
      return function () {
        showError(null);
        api('alerts/' + encodeURIComponent(a.id) + '/review', { method: 'POST', body: { state: target, note: note.value || null } })
          .then(function (updated) {
            notice(target === 'false-positive'
              ? 'Marked false positive: the subject is allowed for ' + a.rule + (state.me.feedbackTakesEffect
                ? ', its alerts for the rule stop and enforcement lifts now.' : ' (recorded; the fraud engine takes no feedback here).')
              : 'Marked ' + target + '.');
            renderAlert(updated);
          }).catch(showError);
      };
    }
    var can = { acknowledged: a.state === 'new', confirmed: a.state !== 'confirmed', 'false-positive': a.state !== 'false-positive' };
    var reviewBox = card('Review', [
      el('label', { 'for': 'review-note', 'class': 'sr-only', text: 'Note' }), note,
      el('div', { 'class': 'buttons' }, [
        el('button', { 'class': 'act', id: 'review-acknowledged', disabled: !can.acknowledged, onclick: review('acknowledged'), text: 'Acknowledge' }),
        el('button', { 'class': 'act danger', id: 'review-confirmed', disabled: !can.confirmed, onclick: review('confirmed'), text: 'Confirm fraud' }),
        el('button', { 'class': 'act ok', id: 'review-false-positive', disabled: !can['false-positive'], onclick: review('false-positive'), text: 'False positive' })
      ]),
      el('p', { 'class': 'note', text: 'False positive puts the subject on the allow list for this rule: no further alerts for it, in-request enforcement lifted at once.' })
    ]);
    var expiry = el('select', { id: 'allow-expiry' }, [['1', '1 day'], ['7', '7 days'], ['30', '30 days'], ['', 'no expiry']].map(function (o) { return el('option', { value: o[0], text: o[1] }); }));
    var ruleOnly = el('input', { type: 'checkbox', id: 'allow-rule-only', checked: true });
    var allowBox = card('Allow list', [
      el('div', { 'class': 'buttons' }, [
        el('label', { 'for': 'allow-expiry' }, ['Expires after ', expiry]),
        el('label', { 'for': 'allow-rule-only' }, [ruleOnly, ' only for ' + a.rule]),
        el('button', { 'class': 'act', id: 'allow-subject', text: 'Allow subject', onclick: function () {
          showError(null);
          api('allowlist', { method: 'POST', body: listBody(a.subjectKind, a.subject, ruleOnly.checked ? a.rule : null, expiry.value) })
            .then(function (entry) { notice('Allowed until ' + (entry.expires ? time(entry.expires) : 'removed') + '.'); return alertDetail(a.id); })
            .catch(showError);
        } })
      ]),
      listTable(a.lists, function () { return alertDetail(a.id); })
    ]);
    var related = table(alertHeaders, alertRows(a.related), { id: 'related' }) || empty('No other alert on this subject.');
    var evidenceWords = a.evidenceText.length
      ? el('ul', { 'class': 'words', id: 'evidence-words' }, a.evidenceText.map(function (t) { return el('li', { text: t }); }))
      : empty('No evidence recorded.');
    render([
      el('p', null, [el('a', { href: '#/', text: '← Alert inbox' })]),
      el('div', { 'class': 'head' }, [el('h2', { id: 'alert-title', text: a.rule }), badge(a.severity), stateTag(a.state), el('span', { 'class': 'muted mono', text: a.id })]),
      el('div', { 'class': 'facts' }, [
        fact('Subject', [el('span', null, [a.subjectKind + ' ']), subjectLink(a.subjectKind, a.subject)]),
        fact('Score', [num(a.score)]),
        fact('First seen', [time(a.firstSeen)]),
        fact('Last seen', [time(a.lastSeen)]),
        fact('Hits', [num(a.count, 0)]),
        fact('Detector mode', [a.mode || 'unknown'])
      ]),
      el('p', null, [el('a', { 'class': 'button', id: 'open-timeline', href: subjectHref(a.subjectKind, a.subject), text: 'Open the subject\'s timeline' })]),
      el('div', { 'class': 'two' }, [
        el('div', null, [
          card('Reasons and points', [reasons]),
          card('Evidence', [evidenceWords, el('details', null, [el('summary', { text: 'As JSON' }), el('pre', { 'class': 'json', id: 'evidence-json', text: JSON.stringify(a.evidence, null, 2) })])]),
          card('Related alerts on the same subject', [related])
        ]),
        el('div', null, [reviewBox, allowBox, card('History', [history])])
      ])
    ]);
    view.querySelectorAll('.points i').forEach(function (i) { i.style.width = i.getAttribute('data-w') + '%'; });
  }

  function fact(label, value) {
    return el('div', { 'class': 'kpi' }, [el('span', { 'class': 'label', text: label }), el('span', { 'class': 'value' }, value)]);
  }

  function listBody(kind, subject, rule, days) {
    var body = { subjectKind: kind, subject: subject };
    if (rule) { body.rule = rule; }
    if (days) { body.expires = new Date(Date.now() + Number(days) * 86400e3).toISOString(); }
    return body;
  }

  function listTable(entries, after) {
    return table(['List', 'Rule', 'Expires', 'By', ''], (entries || []).map(function (e) {
      return el('tr', { 'data-entry': e.id, 'data-list': e.list, title: 'Added ' + time(e.created) }, [
        el('td', { text: e.list }), el('td', { text: e.rule || 'every rule' }), el('td', { text: e.expires ? time(e.expires) : 'never' }),
        el('td', { text: e.createdBy }),
        el('td', null, [el('button', { 'class': 'act', text: 'Remove', onclick: function () {
          api((e.list === 'allow' ? 'allowlist/' : 'denylist/') + encodeURIComponent(e.id), { method: 'DELETE' }).then(after).catch(showError);
        } })])
      ]);
    })) || empty('Not on a list.');
  }

  // ---- Subject timeline ----------------------------------------------------------------------------------------------
  function subject(kind, pseudonym) {
    return api('subjects/' + encodeURIComponent(kind) + '/' + encodeURIComponent(pseudonym)).then(function (s) {
      var timeline = table(['Time', 'Request', { text: 'Status', num: true }, 'Browser / OS', 'Country / AS', 'Signals', { text: 'Risk', num: true }, 'Reasons', 'Other subjects'],
        s.timeline.map(function (t) {
          var others = Object.keys(t.subjects).filter(function (k) { return !(k === s.kind && t.subjects[k] === s.subject); });
          return el('tr', { 'class': t.enforced ? 'enforced' : null }, [
            el('td', { text: time(t.at) }),
            el('td', null, [el('span', { 'class': 'tag', text: t.method }), ' ', el('span', { 'class': 'mono', text: t.route })]),
            el('td', { 'class': 'num', text: String(t.status) + (t.enforced ? ' (enforced)' : '') }),
            el('td', { text: t.browser + ' / ' + t.os + (t.bot ? ' · ' + t.bot : '') }),
            el('td', { text: (t.country || '–') + ' / ' + (t.asn ? 'AS' + t.asn + (t.asnOrganization ? ' ' + t.asnOrganization : '') : '–') }),
            el('td', null, [el('span', { 'class': 'chips' }, t.signals.map(function (x) { return el('span', { 'class': 'tag', text: x }); }))]),
            el('td', { 'class': 'num', text: num(t.risk) }),
            el('td', { text: t.reasons.join(', ') }),
            el('td', null, others.map(function (k) { return el('div', null, [k + ' ', subjectLink(k, t.subjects[k])]); }))
          ]);
        }), { id: 'timeline' }) || empty('No recent requests of this subject in memory (timelines keep recent requests only).');
      var linked = table(['Kind', 'Subject', { text: 'Requests', num: true }], s.linked.map(function (l) {
        return el('tr', null, [el('td', { text: l.kind }), el('td', null, [subjectLink(l.kind, l.subject)]), el('td', { 'class': 'num', text: String(l.requests) })]);
      }), { id: 'linked' }) || empty('No linked subjects.');
      var expiry = el('select', { id: 'subject-expiry' }, [['1', '1 day'], ['7', '7 days'], ['30', '30 days'], ['', 'no expiry']].map(function (o) { return el('option', { value: o[0], text: o[1] }); }));
      function add(list) {
        return function () {
          api(list, { method: 'POST', body: listBody(s.kind, s.subject, null, expiry.value) })
            .then(function () { notice(list === 'allowlist' ? 'Allowed for every rule.' : 'Denied: its requests are enforced.'); return subject(kind, pseudonym); })
            .catch(showError);
        };
      }
      render([
        el('p', null, [el('a', { href: '#/', text: '← Alert inbox' })]),
        el('div', { 'class': 'head' }, [el('h2', { id: 'subject-title', text: 'Subject timeline' }), el('span', { 'class': 'tag', text: s.kind }), el('span', { 'class': 'mono', id: 'subject-id', text: s.subject })]),
        el('div', { 'class': 'facts' }, [
          fact('Risk now', [num(s.risk) + ' ', badge(s.band)]),
          fact('Reasons', [s.reasons.length ? s.reasons.map(function (r) { return r.code + (r.points === null || r.points === undefined ? '' : ' (' + num(r.points) + ')'); }).join(', ') : '–']),
          fact('Alerts', [String(s.alerts.length)]),
          fact('Recent requests', [String(s.timeline.length)])
        ]),
        card('Recent requests', [timeline]),
        el('div', { 'class': 'two' }, [
          el('div', null, [card('Alerts on this subject', [table(alertHeaders, alertRows(s.alerts), { id: 'subject-alerts' }) || empty('No alerts.')])]),
          el('div', null, [
            card('Linked subjects', [linked]),
            card('Lists', [
              el('div', { 'class': 'buttons' }, [
                el('label', { 'for': 'subject-expiry' }, ['Expires after ', expiry]),
                el('button', { 'class': 'act ok', id: 'subject-allow', text: 'Allow (every rule)', onclick: add('allowlist') }),
                el('button', { 'class': 'act danger', id: 'subject-deny', text: 'Deny', onclick: add('denylist') })
              ]),
              listTable(s.lists, function () { return subject(kind, pseudonym); })
            ])
          ])
        ])
      ]);
    });
  }

  // ---- Lists, audit, detectors, lookup -------------------------------------------------------------------------------
  function lists() {
    return Promise.all([api('allowlist'), api('denylist')]).then(function (r) {
      function section(title, data, id) {
        return card(title, [table(['Subject kind', 'Subject', 'Rule', 'Expires', 'By', 'Created', 'Note', ''], data.entries.map(function (e) {
          return el('tr', { 'data-entry': e.id }, [
            el('td', { text: e.subjectKind }), el('td', null, [subjectLink(e.subjectKind, e.subject)]), el('td', { text: e.rule || 'every rule' }),
            el('td', { text: e.expires ? time(e.expires) : 'never' }), el('td', { text: e.createdBy }), el('td', { text: time(e.created) }), el('td', { text: e.note || '' }),
            el('td', null, [el('button', { 'class': 'act', text: 'Remove', onclick: function () {
              api((e.list === 'allow' ? 'allowlist/' : 'denylist/') + encodeURIComponent(e.id), { method: 'DELETE' }).then(lists).catch(showError);
            } })])
          ]);
        }), { id: id }) || empty('Empty.')]);
      }
      render([el('h2', { text: 'Allow and deny lists' }), section('Allow list', r[0], 'allowlist'), section('Deny list', r[1], 'denylist')]);
    });
  }

  function audit() {
    return api('audit?limit=500').then(function (data) {
      render([el('h2', { text: 'Audit trail' }),
        el('p', { 'class': 'note', text: 'Every raw-value lookup, review and list change: who, when, what kind. Looked-up values are never recorded.' }),
        card(data.entries.length + ' entries', [table(['When', 'Who', 'Action', 'Kind', 'Object'], data.entries.map(function (e) {
          return el('tr', { 'data-action': e.action }, [el('td', { text: time(e.at) }), el('td', { text: e.who }), el('td', { text: e.action }), el('td', { text: e.kind }), el('td', { 'class': 'mono', text: e.target || '' })]);
        }), { id: 'audit' }) || empty('Nothing yet.')])]);
    });
  }

  function detectors() {
    var me = state.me;
    render([el('h2', { text: 'Detectors' }),
      me.feedbackTakesEffect ? null : el('p', { 'class': 'error', text: 'The fraud engine takes no feedback: reviews and lists are recorded only.' }),
      card('Modes (NumoTelemetry:Fraud:Detectors:<Name>:Mode)', [table(['Detector', 'Mode', 'Rules'], me.detectors.map(function (d) {
        return el('tr', { 'data-detector': d.name }, [el('td', { text: d.name }), el('td', null, [el('span', { 'class': 'tag', text: d.mode })]), el('td', { text: d.rules.join(', ') })]);
      }), { id: 'detectors' }) || empty('No detector information.')])]);
    return Promise.resolve();
  }

  function lookup() {
    var kind = el('select', { id: 'lookup-kind' }, [['ip', 'IP address'], ['user', 'User name'], ['email', 'E-mail (as user name)'], ['phone', 'Phone (E.164)']].map(function (o) { return el('option', { value: o[0], text: o[1] }); }));
    var value = el('input', { id: 'lookup-value', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, size: 34 });
    var at = el('input', { id: 'lookup-at', type: 'datetime-local' });
    var result = el('div', { id: 'lookup-result' });
    var form = el('form', { 'class': 'filterbar form', onsubmit: function (e) {
      e.preventDefault();
      showError(null);
      var body = { kind: kind.value, value: value.value };
      if (at.value) { body.at = at.value + 'Z'; }
      value.value = '';
      api('lookup', { method: 'POST', body: body }).then(function (r) {
        result.textContent = '';
        if (!r.subjects.length) { result.appendChild(empty('No subject: the value is not valid for this kind, or (phone) no recent request carried it.')); return; }
        result.appendChild(card('Subjects at ' + time(r.at) + ' (this lookup is in the audit trail)', [el('ul', null, r.subjects.map(function (s) {
          return el('li', null, [s.kind + ' ', subjectLink(s.kind, s.subject)]);
        }))]));
      }).catch(showError);
    } }, [
      el('label', { 'for': 'lookup-kind' }, ['Kind', kind]),
      el('label', { 'for': 'lookup-value' }, ['Raw value (sent once, never stored)', value]),
      el('label', { 'for': 'lookup-at' }, ['At (UTC, default now)', at]),
      el('button', { 'class': 'act primary', type: 'submit', id: 'lookup-submit', text: 'Look up' })
    ]);
    render([el('h2', { text: 'Look up a raw value' }),
      el('p', { 'class': 'note', text: 'For key holders with a lawful reason: the server pseudonymises the value under the live keys and shows the subjects. Your name, the time and the kind are recorded in the audit trail; the value never is.' }),
      form, result]);
    return Promise.resolve();
  }

  // ---- Routing -------------------------------------------------------------------------------------------------------
  function render(children) {
    view.textContent = '';
    children.forEach(function (c) { if (c) { view.appendChild(c); } });
  }

  function route() {
    showError(null);
    var hash = location.hash || '#/';
    var path = hash.slice(1);
    var query = '';
    var qi = path.indexOf('?');
    if (qi >= 0) { query = path.slice(qi + 1); path = path.slice(0, qi); }
    var parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    var name = parts[0] || 'inbox';
    notice(null);
    document.querySelectorAll('#nav a').forEach(function (a) {
      if (a.getAttribute('data-view') === name) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
    });
    var work = name === 'alert' ? alertDetail(parts[1])
      : name === 'subject' ? subject(parts[1], parts[2])
      : name === 'lists' ? lists()
      : name === 'audit' ? audit()
      : name === 'detectors' ? detectors()
      : name === 'lookup' && state.me.canLookup ? lookup()
      : inbox(query);
    document.body.removeAttribute('data-loaded');
    work.catch(showError).then(function () { document.body.setAttribute('data-loaded', 'true'); });
  }

  api('workspace').then(function (me) {
    state.me = me;
    document.getElementById('who').textContent = 'Signed in as ' + me.who;
    document.getElementById('nav-lookup').hidden = !me.canLookup;
    window.addEventListener('hashchange', route);
    route();
  }).catch(function (e) { showError(e); document.body.setAttribute('data-loaded', 'true'); });
})();
