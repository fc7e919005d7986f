// The coordinators' page: plain JavaScript over the staff API, with the person's API token kept for the
// browser session only. Everything shown is set with textContent: nothing from the server is run as HTML.
(() => {
  'use strict';
  const TOKEN_KEY = 'ogps-token';
  const INVALID_KEY = 'La clau no és vàlida / La clave no es válida';
  const $ = (sel) => document.querySelector(sel);
  const REASONS = {
    task_overdue: 'Tasca fora de termini / Tarea fuera de plazo',
    remedy_unanswered: 'Esmena sense resposta / Subsanación sin respuesta',
    registry_unavailable: 'Registre no disponible / Registro no disponible',
    activity_retrying: 'Pas automàtic que falla / Paso automático que falla',
    workflow_task_failing: 'Error del sistema / Error del sistema',
    idle: 'Sense canvis / Sin cambios',
    max_time_ending: 'S’acaba el termini per resoldre / Se acaba el plazo para resolver',
    notification_stale: 'Notificació pendent / Notificación pendiente',
  };
  const DEADLINES = {
    document_request: 'Esmena / Subsanación',
    max_time_to_resolve: 'Termini per resoldre / Plazo para resolver',
    task_sla: 'Tasca / Tarea',
    notification_acceptance: 'Notificació / Notificación',
    appeal_filing: 'Recurs / Recurso',
    appeal_resolution: 'Resoldre el recurs / Resolver el recurso',
    justification: 'Justificació / Justificación',
    repayment: 'Reintegrament / Reintegro',
    renewal: 'Renovació / Renovación',
    acknowledgement: 'Justificant / Acuse',
  };
  const BUCKETS = {
    overdue: 'Vençut / Vencido',
    today: 'Avui / Hoy',
    this_week: 'Aquesta setmana / Esta semana',
    later: 'Més endavant / Más adelante',
  };
  let colleagues = [];

  const token = () => sessionStorage.getItem(TOKEN_KEY);
  async function api(path, options = {}) {
    const res = await fetch(path, {
      ...options,
      headers: {
        authorization: `Bearer ${token()}`,
        'content-type': 'application/json',
        ...(options.headers || {}),
      },
    });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      throw new Error(INVALID_KEY);
    }
    const body = res.status === 204 ? null : await res.json();
    if (!res.ok) {
      const err = new Error(body?.detail || body?.title || `HTTP ${res.status}`);
      err.status = res.status;
      throw err;
    }
    return body;
  }

  // One Idempotency-Key per intended action on a case, kept until the action is answered: a 503 (the case
  // did not take it in time, it is kept and may still be carried out) or a lost answer leaves the key, so
  // that clicking again asks for that same action's outcome instead of acting twice. Any other answer, done
  // or refused, ends the intention; the next click is a new action with a new key. A click again while the
  // key is kept answers the action first asked for, even if the form was filled differently since.
  const actionKeys = new Map();
  // getRandomValues, not randomUUID: the latter exists only on HTTPS, and an office may serve plain HTTP inside.
  const randomHex = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  async function caseAction(id, action, body) {
    const intent = `${action}:${id}`;
    if (!actionKeys.has(intent)) actionKeys.set(intent, `office-${randomHex()}`);
    try {
      const result = await api(`/applications/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
        headers: { 'idempotency-key': actionKeys.get(intent) },
        body: JSON.stringify(body),
      });
      actionKeys.delete(intent);
      return result;
    } catch (err) {
      // A fetch that failed without an answer (TypeError) may have reached the server too.
      if (err.status !== undefined && err.status !== 503) actionKeys.delete(intent);
      throw err;
    }
  }
  const el = (tag, text, attrs = {}) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const row = (cells) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) td.append(c);
      else td.textContent = c ?? '';
      tr.append(td);
    }
    return tr;
  };
  // Dates as people here read them, in the office's time zone.
  const when = (iso) => {
    if (!iso) return '';
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso.split('-').reverse().join('/');
    return new Date(iso).toLocaleString('ca-ES', {
      timeZone: 'Europe/Madrid',
      dateStyle: 'short',
      timeStyle: 'short',
    });
  };

  function showLogin(message) {
    $('#app').hidden = true;
    $('#login').hidden = false;
    $('#login-error').textContent = message || '';
  }

  function caseLink(id) {
    const a = el('a', id, { class: 'case', role: 'button', tabindex: '0', 'data-case': id });
    a.addEventListener('click', () => void showTimeline(id));
    return a;
  }

  // The stuck cases come a page at a time (in application-number order); "more" asks for the next one.
  let stuckNext = null;
  let stuckShown = 0;
  async function loadStuck(more = false) {
    const reason = $('#filter-reason').value;
    const query = new URLSearchParams();
    if (reason) query.set('reason', reason);
    if (more && stuckNext) query.set('cursor', stuckNext);
    const data = await api(`/coordination/stuck${query.size ? `?${query}` : ''}`);
    const tbody = $('#stuck-table tbody');
    if (!more) {
      tbody.replaceChildren();
      stuckShown = 0;
    }
    stuckNext = data.nextCursor;
    stuckShown += data.items.length;
    for (const c of data.items) {
      for (const [i, f] of c.findings.entries()) {
        const box = el('input', null, {
          type: 'checkbox',
          'data-case': c.applicationId,
          'aria-label': c.applicationId,
        });
        // The case's actions on its first line; "ask again now" beside a registry that is away.
        const actions = el('span');
        if (i === 0) {
          const reassign = el('button', 'Reassignar / Reasignar', {
            type: 'button',
            'data-reassign': c.applicationId,
          });
          reassign.addEventListener('click', () => openReassign(c.applicationId));
          const escalate = el('button', 'Escalar / Escalar', {
            type: 'button',
            'data-escalate': c.applicationId,
          });
          escalate.addEventListener('click', () => void escalateCase(c.applicationId, escalate));
          actions.append(reassign, escalate);
        }
        if (f.reason === 'registry_unavailable') {
          const retry = el('button', 'Tornar a consultar ara / Volver a consultar ahora', {
            type: 'button',
            'data-retry': c.applicationId,
          });
          retry.addEventListener('click', () => void retryNow(c.applicationId, retry));
          actions.append(retry);
        }
        const tr = row([
          i === 0 ? box : '',
          i === 0 ? caseLink(c.applicationId) : '',
          f.detail,
          when(f.since),
          f.action,
          c.assignee || '—',
          actions,
        ]);
        tr.dataset.reason = f.reason;
        tbody.append(tr);
      }
    }
    $('#stuck-empty').hidden = stuckShown > 0 || !!stuckNext;
    $('#stuck-more').hidden = !stuckNext;
    $('#stuck-count').textContent = stuckShown ? `${stuckShown}${stuckNext ? '+' : ''}` : '';
  }

  async function escalateCase(id, button) {
    const reason = window.prompt('Què cal atendre? / ¿Qué hay que atender?');
    if (!reason || !reason.trim()) return;
    button.disabled = true;
    try {
      await caseAction(id, 'escalation', { reason: reason.trim() });
      await loadStuck();
    } catch (err) {
      button.disabled = false;
      button.textContent = err.message;
    }
  }

  async function retryNow(id, button) {
    button.disabled = true;
    try {
      await caseAction(id, 'retry-now', {
        reason: 'Des de la pàgina de coordinació / Desde la página de coordinación',
      });
      button.textContent = 'Demanat / Solicitado';
    } catch (err) {
      button.disabled = false;
      button.textContent = err.message;
    }
  }

  async function loadDeadlines() {
    const data = await api('/coordination/deadlines');
    const tbody = $('#deadlines-table tbody');
    tbody.replaceChildren();
    for (const d of data.items) {
      const tr = row([
        BUCKETS[d.bucket],
        when(d.dueDate),
        caseLink(d.applicationId),
        DEADLINES[d.kind] || d.kind,
        d.legalBasis.join('; '),
        d.assignee || '—',
        d.kind === 'document_request' ? extendButton(d.applicationId) : '',
      ]);
      tr.className = d.bucket;
      tbody.append(tr);
    }
    // Counted over the whole office, not only this page (up to 1000).
    const overdue = data.counts.overdue;
    $('#overdue-count').textContent = overdue ? `${overdue}${data.counts.capped ? '+' : ''}` : '';
  }

  /** A request to remedy may be extended once, by up to 5 business days (art. 68.2 Llei 39/2015). */
  function extendButton(id) {
    const button = el('button', 'Ampliar 5 dies / Ampliar 5 días', { type: 'button', 'data-extend': id });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await caseAction(id, 'document-deadline-extension', { days: 5 });
        await loadDeadlines();
      } catch (err) {
        // Not taken in time, or no answer: the same extension may be asked for again (with the same key).
        if (err.status === undefined || err.status === 503) button.disabled = false;
        button.textContent = err.message;
      }
    });
    return button;
  }

  async function loadWorkload() {
    const data = await api('/coordination/workload');
    const w = data.waitingOn;
    $('#waiting-on').textContent =
      `${data.openCases} expedients oberts / expedientes abiertos — esperant la persona / esperando a la persona: ${w.citizen}; ` +
      `el personal / el personal: ${w.staff}; altres administracions / otras administraciones: ${w.administration}`;
    const tbody = $('#workload-table tbody');
    tbody.replaceChildren();
    for (const p of data.perPerson)
      tbody.append(row([p.assignee || 'Sense assignar / Sin asignar', p.openCases, p.tasks, p.overdueTasks]));
  }

  async function showTimeline(id) {
    const data = await api(`/coordination/timeline/${encodeURIComponent(id)}`);
    $('#timeline-id').textContent = id;
    const list = $('#timeline ol');
    list.replaceChildren();
    for (const e of data.entries) {
      const li = el('li');
      li.append(
        el('span', `${when(e.at)}${e.actor ? ` · ${e.actor}` : ''}`, { class: 'when' }),
        el('span', e.text),
      );
      list.append(li);
    }
    $('#timeline').hidden = false;
  }

  function fillColleagues(select) {
    select.replaceChildren();
    for (const c of colleagues) select.append(el('option', `${c.name} (${c.id})`, { value: c.id }));
  }

  function openReassign(id) {
    $('#reassign-id').textContent = id;
    $('#reassign-dialog').dataset.case = id;
    $('#reassign-error').textContent = '';
    fillColleagues($('#reassign-assignee'));
    $('#reassign-dialog').showModal();
  }

  async function confirmReassign(event) {
    event.preventDefault();
    const id = $('#reassign-dialog').dataset.case;
    try {
      await caseAction(id, 'assignment', {
        assignee: $('#reassign-assignee').value,
        reason: $('#reassign-reason').value,
      });
      $('#reassign-dialog').close();
      await loadStuck();
    } catch (err) {
      $('#reassign-error').textContent = err.message;
    }
  }

  async function bulk(preview) {
    const ids = [...document.querySelectorAll('#stuck-table tbody input[type=checkbox]:checked')].map(
      (b) => b.dataset.case,
    );
    const out = $('#bulk-result');
    out.replaceChildren();
    if (ids.length === 0) {
      out.textContent = 'Seleccioneu algun expedient / Seleccione algún expediente';
      return;
    }
    try {
      const data = await api('/coordination/reassignments', {
        method: 'POST',
        body: JSON.stringify({
          applicationIds: ids,
          assignee: $('#bulk-assignee').value,
          reason: $('#bulk-reason').value,
          preview,
        }),
      });
      const list = el('ul');
      for (const i of data.items)
        list.append(
          el('li', `${i.applicationId}: ${i.outcome}${i.detail ? ` — ${i.detail}` : ''}`, {
            class: i.outcome,
          }),
        );
      out.append(el('p', preview ? 'Es tocarà / Se tocará:' : 'Fet / Hecho:'), list);
      if (preview) {
        const go = el('button', 'Confirmar / Confirmar', { type: 'button', id: 'bulk-confirm' });
        go.addEventListener('click', () => void bulk(false));
        out.append(go);
      } else {
        await loadStuck();
      }
    } catch (err) {
      out.textContent = err.message;
    }
  }

  function selectTab(name) {
    for (const b of document.querySelectorAll('nav [role=tab]'))
      b.setAttribute('aria-selected', String(b.dataset.tab === name));
    for (const t of ['stuck', 'deadlines', 'workload']) $(`#tab-${t}`).hidden = t !== name;
  }

  async function start() {
    if (!token()) return showLogin();
    const me = await api('/me');
    $('#who').textContent = `${me.name} · ${me.role} · ${me.municipalities.join(', ')}`;
    colleagues = (await api('/coordination/staff')).items;
    fillColleagues($('#bulk-assignee'));
    $('#login').hidden = true;
    $('#app').hidden = false;
    await Promise.all([loadStuck(), loadDeadlines(), loadWorkload()]);
    document.body.dataset.ready = 'true';
  }

  for (const [value, label] of Object.entries(REASONS))
    $('#filter-reason').append(el('option', label, { value }));
  $('#filter-reason').addEventListener('change', () => void loadStuck());
  $('#stuck-more').addEventListener('click', () => void loadStuck(true));
  $('#refresh').addEventListener(
    'click',
    () => void Promise.all([loadStuck(), loadDeadlines(), loadWorkload()]),
  );
  $('#select-all').addEventListener('change', (e) => {
    for (const b of document.querySelectorAll('#stuck-table tbody input[type=checkbox]'))
      b.checked = e.target.checked;
  });
  $('#bulk-preview').addEventListener('click', () => void bulk(true));
  $('#timeline-close').addEventListener('click', () => ($('#timeline').hidden = true));
  $('#reassign-form').addEventListener('submit', (e) => void confirmReassign(e));
  $('#reassign-cancel').addEventListener('click', () => $('#reassign-dialog').close());
  for (const b of document.querySelectorAll('nav [role=tab]'))
    b.addEventListener('click', () => selectTab(b.dataset.tab));
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
    start().catch((err) => showLogin(err.message));
  });
  start().catch((err) => showLogin(err.message));
})();
