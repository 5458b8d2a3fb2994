'use strict';
// The FunctionsJobs dashboard: polls its data routes and renders them. Data only ever reaches the
// page as text (textContent, text nodes, setAttribute of non-URL attributes): never as markup.
(() => {
  const PERIOD_MS = 3000;
  const app = document.getElementById('app');
  const features = JSON.parse(app.dataset.features);
  const base = location.pathname.replace(/\/+$/, '');

  // In Azure Functions the master key is the code parameter on every request (the Functions host
  // checks it, not us): keep it for this tab and take it out of the address bar. The Host has
  // already swapped it for its http-only cookie and redirected, so there is none to take.
  const params = new URLSearchParams(location.search);
  if (params.has('code')) {
    sessionStorage.setItem('functionsjobs-key', params.get('code'));
    params.delete('code');
    history.replaceState(null, '', base + (params.size ? '?' + params : ''));
  }
  const key = sessionStorage.getItem('functionsjobs-key');
  const headers = extra => Object.assign({ 'X-FunctionsJobs-Dashboard': '1' }, key ? { 'x-functions-key': key } : {}, extra);

  const $ = id => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  const svg = (tag, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    return node;
  };
  const time = iso => iso ? new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' }) : '—';
  const age = seconds => seconds === null || seconds === undefined ? '—'
    : seconds < 90 ? Math.round(seconds) + ' s' : seconds < 5400 ? Math.round(seconds / 60) + ' min' : Math.round(seconds / 3600) + ' h';
  const badge = text => el('span', { class: 'badge ' + text }, text);
  const say = text => { $('status').textContent = text; };

  // Re-rendering replaces nodes; keep the keyboard focus and the open timelines where they were.
  const open = new Set();
  function replace(target, ...content) {
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : undefined;
    target.replaceChildren(...content);
    if (focused) target.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  async function get(name, query) {
    const response = await fetch(`${base}/data/${name}${query || ''}`, { headers: headers(), credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return response.json();
  }

  async function post(url, body, button, done) {
    button.disabled = true;
    try {
      const response = await fetch(url, {
        method: 'POST', credentials: 'same-origin',
        headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      say(response.ok ? done(answer) : `Failed (HTTP ${response.status}): ${answer.detail || answer.title || ''}`);
      refresh();
    } catch (error) {
      say('Failed: ' + error.message);
    } finally {
      button.disabled = false;
    }
  }

  // On a narrow screen the CSS lays each row out as a card, each cell labelled with its heading.
  function table(headings, rows) {
    for (const row of rows) [...row.children].forEach((cell, i) => { if (headings[i]) cell.dataset.label = headings[i]; });
    return el('table', {}, el('thead', {}, el('tr', {}, headings.map(h => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows));
  }

  function renderQueues(queues) {
    if (!queues.length) return replace($('queues'), el('p', {}, 'No queues yet.'));
    replace($('queues'), table(['Queue', 'Messages', 'Oldest', 'Poison', 'Oldest poison', ''], queues.map(q => el('tr', {},
      el('th', { scope: 'row' }, q.name),
      el('td', { class: 'num' }, q.approximateMessageCount),
      el('td', { class: 'num' }, age(q.oldestMessageSeconds)),
      el('td', { class: 'num' }, q.poisonMessageCount),
      el('td', { class: 'num' }, age(q.oldestPoisonSeconds)),
      el('td', {}, features.replayPoison && q.poisonMessageCount > 0 ? el('button', {
        type: 'button', 'data-key': 'replay:' + q.name, 'aria-label': `Replay the poison messages of ${q.name}`,
        onclick: e => post(`/admin/queues/${encodeURIComponent(q.name)}/poison/replay`, {}, e.currentTarget, a => `Replayed ${a.moved} message(s) from ${q.poisonQueue} to ${q.name}.`),
      }, 'Replay poison') : '')))));
  }

  function renderJobs(jobs) {
    replace($('jobs'), table(['Job', 'Schedule', 'Last', 'Next', 'Running', 'Last runs', ''], jobs.map(job => el('tr', {},
      el('th', { scope: 'row' }, job.name),
      el('td', {}, el('code', {}, job.schedule), el('div', { class: 'meta' }, job.timeZone)),
      el('td', {}, time(job.last)),
      el('td', {}, time(job.next)),
      el('td', {}, job.running
        ? el('progress', { max: 100, value: job.running.progress ?? undefined, 'aria-label': `${job.name} progress` },
          job.running.progress === null ? 'running' : Math.round(job.running.progress) + '%')
        : '—',
        job.running ? el('div', { class: 'meta' }, `${job.running.itemsProcessed} items`) : ''),
      el('td', {}, el('div', { class: 'runs' }, job.lastRuns.map(run => el('span', { title: `${time(run.startedAt)}: ${run.itemsProcessed} items${run.error ? ' — ' + run.error : ''}` }, badge(run.outcome))))),
      el('td', {}, features.runNow ? el('button', {
        type: 'button', 'data-key': 'run:' + job.name, 'aria-label': `Run ${job.name} now`,
        onclick: e => post(`/admin/functions/${encodeURIComponent(job.name)}`, {}, e.currentTarget, a => `${job.name} started${a.id ? ' (run ' + a.id + ')' : ''}.`),
      }, 'Run now') : '')))));
  }

  let orders = [];
  const statuses = new Set();
  function renderOrders(list) {
    orders = list;
    for (const order of list) {
      if (!statuses.has(order.status)) {
        statuses.add(order.status);
        $('order-status').append(el('option', { value: order.status }, order.status));
      }
    }
    const wanted = $('order-status').value;
    const shown = list.filter(o => !wanted || o.status === wanted);
    if (!shown.length) return replace($('orders'), el('p', {}, list.length ? 'No order has that status.' : 'No orders yet.'));
    replace($('orders'), el('ul', { class: 'orders' }, shown.map(order => {
      const details = el('details', { open: open.has(order.id) },
        el('summary', { 'data-key': 'order:' + order.id },
          badge(order.status), ' ', el('code', {}, order.id), ' ', order.customerEmail, ' — ',
          `${(order.totalCents / 100).toFixed(2)} ${order.currency}`, el('span', { class: 'meta' }, ' ', time(order.createdAt))),
        order.reason ? el('p', {}, 'Reason: ', order.reason) : '',
        el('ol', { class: 'steps' }, order.history.map(step => el('li', {},
          el('strong', {}, step.step), ' ', badge(step.outcome), step.attempt ? ` attempt ${step.attempt}` : '',
          el('span', { class: 'meta' }, ' ', time(step.at)), step.detail ? el('div', { class: 'meta' }, step.detail) : ''))));
      details.addEventListener('toggle', () => details.open ? open.add(order.id) : open.delete(order.id));
      return el('li', { class: 'order' }, details);
    })));
  }

  function renderImages(images) {
    if (!images.length) return replace($('images'), el('p', {}, 'No images yet.'));
    replace($('images'), el('div', { class: 'images' }, images.map(image => {
      const smallest = image.thumbnails.slice().sort((a, b) => a.size - b.size)[0];
      return el('figure', {},
        smallest
          ? el('img', { src: `/api/thumbnails/${encodeURIComponent(image.id)}/${smallest.size}.${smallest.url.split('.').pop()}`, alt: `Thumbnail of image ${image.id}`, loading: 'lazy', width: smallest.width, height: smallest.height })
          : el('div', { class: 'none' }, 'no thumbnail'),
        el('figcaption', {}, badge(image.status), ' ', el('code', {}, image.id),
          el('div', { class: 'meta' }, image.sourceBlob, ' · ', time(image.updatedAt)),
          image.reason ? el('div', { class: 'error' }, image.reason) : ''));
    })));
  }

  const OUTCOMES = ['handled', 'failed', 'poisoned'];
  function renderThroughput(view) {
    $('throughput-scope').textContent = features.throughputScope;
    if (!view.functions.length) return replace($('throughput'), el('p', {}, 'No queue messages handled in the last hour.'));
    const top = Math.max(1, ...view.functions.flatMap(f => f.handled.map((h, i) => h + f.failed[i] + f.poisoned[i])));
    const since = new Date(view.since).getTime();
    const legend = el('p', { class: 'legend' }, OUTCOMES.map(o => el('span', { class: o }, el('i', { 'aria-hidden': 'true' }), o)),
      el('span', { class: 'meta' }, `bar height: up to ${top} per minute`));
    const rows = view.functions.flatMap(f => {
      const totals = OUTCOMES.map(o => f[o].reduce((a, b) => a + b, 0));
      const chart = svg('svg', { viewBox: `0 0 ${view.minuteCount * 10} 100`, preserveAspectRatio: 'none', role: 'img',
        'aria-label': `${f.function}: ${totals[0]} handled, ${totals[1]} failed, ${totals[2]} poisoned in the last hour` });
      for (let i = 0; i < view.minuteCount; i++) {
        let y = 100;
        const group = svg('g', {});
        const title = svg('title', {});
        title.textContent = `${new Date(since + i * 60000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}: ${OUTCOMES.map(o => f[o][i] + ' ' + o).join(', ')}`;
        group.append(title);
        for (const outcome of OUTCOMES) {
          const height = f[outcome][i] * 100 / top;
          if (height > 0) {
            y -= height;
            group.append(svg('rect', { class: outcome, x: i * 10 + 1, y, width: 8, height }));
          }
        }
        chart.append(group);
      }
      return [el('div', {}, el('strong', {}, f.function), el('div', { class: 'meta' }, totals.map((t, i) => `${t} ${OUTCOMES[i]}`).join(' · '))), chart];
    });
    replace($('throughput'), legend, el('div', { class: 'chart' }, rows));
  }

  const sections = [
    ['queues', () => get('queues'), renderQueues],
    ['jobs', () => get('jobs'), renderJobs],
    ['orders', () => get('orders', '?max=50'), renderOrders],
    ['images', () => get('images', '?max=24'), renderImages],
    ['throughput', () => get('throughput'), renderThroughput],
  ];

  let live = true;
  let timer;
  async function refresh() {
    clearTimeout(timer);
    const results = await Promise.allSettled(sections.map(([, load]) => load()));
    results.forEach((result, i) => {
      const [id, , render] = sections[i];
      if (result.status === 'fulfilled') render(result.value);
      else replace($(id), el('p', { class: 'error' }, 'Could not load: ' + result.reason.message));
    });
    $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    // A hidden tab stops polling; showing it again refreshes at once (visibilitychange below).
    if (live && !document.hidden) timer = setTimeout(refresh, PERIOD_MS);
  }

  $('runtime').textContent = '· ' + features.runtime;
  $('order-status').addEventListener('change', () => renderOrders(orders));
  $('live').addEventListener('click', e => {
    live = !live;
    e.currentTarget.setAttribute('aria-pressed', String(live));
    e.currentTarget.textContent = live ? 'Live updates on' : 'Live updates paused';
    if (live) refresh(); else clearTimeout(timer);
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden && live) refresh(); });
  refresh();
})();
