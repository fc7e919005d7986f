// The office's indicators: plain JavaScript over GET /indicators, with charts drawn by Chart.js (served from
// the locked npm package). The token is the one the coordinators' page keeps for the browser session.
// Everything shown is set with textContent: nothing from the server is run as HTML.
/* global Chart */
(() => {
  'use strict';
  const TOKEN_KEY = 'ogps-token';
  const $ = (sel) => document.querySelector(sel);
  const BENEFITS = {
    URGENCY_FOOD: 'Urgència alimentària / Urgencia alimentaria',
    BASIC_SUPPLIES: 'Subministraments bàsics / Suministros básicos',
    RENT: 'Lloguer / Alquiler',
    SCHOOL_MEALS: 'Menjador escolar / Comedor escolar',
    INCOME_COMPLEMENT: 'Complement d’ingressos / Complemento de ingresos',
  };
  const ROLES = {
    administrative: 'Administratiu / Administrativo',
    social_worker: 'Treball social / Trabajo social',
    coordinator: 'Coordinació / Coordinación',
    auditor: 'Auditoria / Auditoría',
    unassigned: 'Sense assignar / Sin asignar',
  };
  const GROUPS = {
    volume: 'Volum / Volumen',
    speed: 'Rapidesa / Rapidez',
    paperwork: 'Paperassa evitada / Papeleo evitado',
    money: 'Diners / Dinero',
    workload: 'Càrrega / Carga',
  };
  const COLOURS = ['#7a1f1f', '#d9822b', '#2b6cb0', '#38a169', '#805ad5', '#718096'];
  const charts = {};

  const token = () => sessionStorage.getItem(TOKEN_KEY);
  async function api(path) {
    const res = await fetch(path, { headers: { authorization: `Bearer ${token()}` } });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      throw new Error('La clau no és vàlida / La clave no es válida');
    }
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error(body?.detail || body?.title || `HTTP ${res.status}`);
    }
    return res;
  }
  const el = (tag, text, attrs = {}) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };

  /** A value as people here read it: decimals with a comma, shares as percentages, euros. */
  function show(value, unit) {
    if (value === null || value === undefined) return '—';
    if (unit === 'share') return `${(value * 100).toLocaleString('ca-ES', { maximumFractionDigits: 1 })} %`;
    if (unit === 'euros')
      return value.toLocaleString('ca-ES', { style: 'currency', currency: 'EUR', maximumFractionDigits: 2 });
    return value.toLocaleString('ca-ES', { maximumFractionDigits: 2 });
  }

  function query(format) {
    const p = new URLSearchParams({ from: $('#f-from').value, to: $('#f-to').value });
    if ($('#f-municipality').value) p.set('municipality', $('#f-municipality').value);
    if ($('#f-benefit').value) p.set('benefit', $('#f-benefit').value);
    if (format) p.set('format', format);
    return p;
  }

  function draw(id, config) {
    charts[id]?.destroy();
    charts[id] = new Chart($(`#${id}`), {
      ...config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
    });
  }

  function render(data) {
    const defs = Object.fromEntries(data.definitions.map((d) => [d.id, d]));
    const summary = data.rows.find((r) => r.benefit === null) ?? data.rows[0];
    const perBenefit = data.rows.filter(
      (r) => r.benefit !== null && r.municipality === (summary ? summary.municipality : null),
    );

    // Key figures.
    const cards = $('#cards');
    cards.replaceChildren();
    for (const id of [
      'received',
      'resolved',
      'resolution_business_days_p50',
      'resolved_within_max_time_share',
      'data_from_administrations_share',
      'amount_paid',
      'open_cases',
      'tasks_past_sla_share',
    ]) {
      const d = defs[id];
      const card = el('div', null, { class: 'card', title: d.definition, 'data-indicator': id });
      card.append(el('div', show(summary?.values[id], d.unit), { class: 'value' }));
      card.append(el('div', `${d.label.ca} / ${d.label.es}`));
      cards.append(card);
    }

    // Outcomes per benefit, stacked.
    const outcomes = [
      'granted',
      'refused',
      'withdrawn_remedy_expired',
      'withdrawn_by_applicant',
      'cancelled',
    ];
    const rows = perBenefit.length > 0 ? perBenefit : summary ? [summary] : [];
    draw('chart-outcomes', {
      type: 'bar',
      data: {
        // Catalan only on the axis, to keep it readable; the table below has both languages.
        labels: rows.map((r) => (r.benefit ? BENEFITS[r.benefit].split(' / ')[0] : 'Totes')),
        datasets: outcomes.map((id, i) => ({
          label: defs[id].label.ca,
          data: rows.map((r) => r.values[id] ?? 0),
          backgroundColor: COLOURS[i],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
    });

    // Where the time to resolve goes.
    const waiting = ['waiting_citizen_days', 'waiting_staff_days', 'waiting_administration_days'];
    draw('chart-waiting', {
      type: 'bar',
      data: {
        labels: waiting.map((id) => defs[id].label.ca.replace('Dies esperant ', '')),
        datasets: [
          {
            label: 'Dies / Días',
            data: waiting.map((id) => summary?.values[id] ?? 0),
            backgroundColor: [COLOURS[1], COLOURS[0], COLOURS[2]],
          },
        ],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } } },
    });

    // Workload week by week, per role.
    const weeks = data.workload.weekly;
    const roles = [...new Set(weeks.flatMap((w) => Object.keys(w.openCasesByRole)))].sort();
    draw('chart-workload', {
      type: 'line',
      data: {
        labels: weeks.map((w) => w.weekEnding.split('-').reverse().join('/')),
        datasets: [
          {
            label: 'Tasques obertes / Tareas abiertas',
            data: weeks.map((w) => w.openTasks),
            borderColor: COLOURS[5],
            borderDash: [4, 4],
          },
          ...roles.map((role, i) => ({
            label: `Expedients: ${ROLES[role] ?? role}`,
            data: weeks.map((w) => w.openCasesByRole[role] ?? 0),
            borderColor: COLOURS[i],
          })),
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });

    draw('chart-registries', {
      type: 'bar',
      data: {
        labels: data.registryAvailability.map((r) => r.service),
        datasets: [
          {
            label: 'Disponibilitat (%) / Disponibilidad (%)',
            data: data.registryAvailability.map((r) => (r.availability ?? 0) * 100),
            backgroundColor: data.registryAvailability.map((r) =>
              (r.availability ?? 0) < 0.95 ? COLOURS[0] : COLOURS[3],
            ),
          },
        ],
      },
      options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
    });

    // Every indicator: the summary and each benefit, grouped, each with its definition on hover.
    const head = el('tr');
    head.append(el('th', 'Indicador'));
    head.append(
      el('th', summary?.benefit ? BENEFITS[summary.benefit] : 'Totes / Todas', { class: 'number' }),
    );
    for (const r of perBenefit) head.append(el('th', BENEFITS[r.benefit] ?? r.benefit, { class: 'number' }));
    $('#indicators-table thead').replaceChildren(head);
    const body = $('#indicators-table tbody');
    body.replaceChildren();
    let group = '';
    for (const d of data.definitions) {
      if (d.group !== group) {
        group = d.group;
        const tr = el('tr');
        tr.append(el('th', GROUPS[group], { colspan: String(2 + perBenefit.length) }));
        body.append(tr);
      }
      const tr = el('tr', null, { 'data-indicator': d.id });
      tr.append(
        el('td', `${d.label.ca} / ${d.label.es}`, { title: `${d.definition}\n${d.formula}\n${d.source}` }),
      );
      tr.append(el('td', show(summary?.values[d.id], d.unit), { class: 'number' }));
      for (const r of perBenefit) tr.append(el('td', show(r.values[d.id], d.unit), { class: 'number' }));
      body.append(tr);
    }

    const people = $('#people-table tbody');
    people.replaceChildren();
    for (const p of data.workload.perPerson) {
      const tr = el('tr');
      for (const [text, cls] of [
        [p.name ?? p.staffId, ''],
        [ROLES[p.role] ?? p.role ?? '—', ''],
        [p.openCases, 'number'],
        [p.openTasks, 'number'],
        [p.tasksPastSla, 'number'],
      ])
        tr.append(el('td', text, cls ? { class: cls } : {}));
      people.append(tr);
    }
  }

  async function load() {
    $('#error').textContent = '';
    document.body.dataset.ready = 'false';
    try {
      render(await (await api(`/indicators?${query()}`)).json());
      document.body.dataset.ready = 'true';
    } catch (err) {
      $('#error').textContent = err.message;
    }
  }

  async function download(path, name) {
    $('#error').textContent = '';
    try {
      const blob = await (await api(path)).blob();
      const a = el('a', null, { href: URL.createObjectURL(blob), download: name });
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      $('#error').textContent = err.message;
    }
  }

  function showLogin(message) {
    $('#app').hidden = true;
    $('#login').hidden = false;
    $('#login-error').textContent = message || '';
  }

  async function start() {
    if (!token()) return showLogin();
    const me = await (await api('/me')).json();
    $('#who').textContent = `${me.name} · ${me.role} · ${me.municipalities.join(', ')}`;
    const select = $('#f-municipality');
    select.replaceChildren();
    if (me.municipalities.length > 1) select.append(el('option', 'Tots / Todos', { value: '' }));
    for (const m of me.municipalities) select.append(el('option', m, { value: m }));
    // From the 1st of January to today unless the address says otherwise (?from=&to=).
    const params = new URLSearchParams(location.search);
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Madrid' });
    $('#f-to').value = params.get('to') || today;
    $('#f-from').value = params.get('from') || `${$('#f-to').value.slice(0, 4)}-01-01`;
    if (params.get('municipality')) select.value = params.get('municipality');
    $('#login').hidden = true;
    $('#app').hidden = false;
    await load();
  }

  for (const [value, label] of Object.entries(BENEFITS))
    $('#f-benefit').append(el('option', label, { value }));
  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  $('#csv').addEventListener('click', () => {
    void download(`/indicators?${query('csv')}`, `indicadors-${$('#f-from').value}-${$('#f-to').value}.csv`);
  });
  $('#csv-aggregated').addEventListener('click', () => {
    const p = query('csv');
    p.delete('municipality');
    void download(
      `/indicators/aggregated?${p}`,
      `indicadors-agregats-${$('#f-from').value}-${$('#f-to').value}.csv`,
    );
  });
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
    start().catch((err) => showLogin(err.message));
  });
  start().catch((err) => showLogin(err.message));
})();
