// scout's live dashboard: plain JavaScript, no dependencies. Data only ever reaches the page
// as text (textContent) or as a CSS property; the charts are SVG the server drew and
// escaped, parsed inertly and stripped of anything active before they are shown.
'use strict';
(() => {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  const state = { brand: params.get('brand'), revision: null, top: 25, busy: false, again: false };
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function api(path) {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const response = await fetch(path, { headers, cache: 'no-store' });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body && body.error;
      throw new Error(error ? error.message + (error.hint ? ' (' + error.hint + ')' : '') : 'HTTP ' + response.status);
    }
    return body;
  }

  function problem(message) {
    $('problem').hidden = !message;
    $('problem').textContent = message || '';
  }

  const compact = (n) => n >= 1e6 ? +(n / 1e6).toFixed(n < 1e7 ? 1 : 0) + 'M' : n >= 1e3 ? +(n / 1e3).toFixed(n < 1e4 ? 1 : 0) + 'K' : String(n);
  const percent = (f) => (f * 100).toFixed(f < 0.1 ? 2 : 1) + '%';
  const at = (handle) => '@' + handle;

  function card(label, value, note, tone) {
    const box = el('div', 'card figure ' + (tone || ''));
    box.append(el('p', 'label', label), el('p', 'value', value), el('p', 'note', note));
    return box;
  }

  function showCards(doc) {
    const c = doc.counts;
    const share = (n) => c.read ? Math.round(n / c.read * 100) + '% of rows' : '–';
    const cards = [
      card('Candidates read', c.read.toLocaleString('en-US'), 'rows in the list'),
      card('Ranked', c.ranked.toLocaleString('en-US'), share(c.ranked), 'good'),
      card('Filtered out', c.filtered.toLocaleString('en-US'), share(c.filtered)),
      card('Unusable', (c.invalid + c.rule_errors).toLocaleString('en-US'), c.invalid + ' invalid, ' + c.rule_errors + ' rule errors', c.invalid + c.rule_errors ? 'warn' : ''),
    ];
    if (doc.ranking.length) cards.push(card('Top score', doc.ranking[0].score.toFixed(1), at(doc.ranking[0].handle)));
    $('cards').replaceChildren(...cards);
  }

  // The server's SVG, parsed without running anything, then cleaned as a second guard.
  function svgNode(markup) {
    const parsed = new DOMParser().parseFromString(markup, 'text/html');
    const svg = parsed.body.firstElementChild;
    if (!svg || svg.tagName.toLowerCase() !== 'svg') return el('p', 'empty', 'No chart.');
    svg.querySelectorAll('script,foreignObject,a,image,use').forEach((n) => n.remove());
    for (const node of [svg, ...svg.querySelectorAll('*')]) {
      for (const attr of [...node.attributes]) {
        if (/^on|href$|^style$/i.test(attr.name)) node.removeAttribute(attr.name);
      }
    }
    return document.importNode(svg, true);
  }

  function key(name, color, shape) {
    const item = el('span', 'key');
    const mark = el('i', shape);
    if (shape === 'dot') mark.style.background = color; else mark.style.borderColor = color;
    item.append(mark, document.createTextNode(name));
    return item;
  }

  function showCharts(doc) {
    const tiers = doc.tiers.map((t) => key(t.name, t.color, 'dot'));
    $('engagement-sub').textContent = doc.charts.plotted + ' ranked creators, coloured by tier; dashed lines are the benchmarks. ' + doc.charts.trend;
    $('engagement-chart').replaceChildren(svgNode(doc.charts.engagement));
    $('engagement-legend').replaceChildren(...tiers, ...doc.charts.lines.map((l) => key(l.name, l.color, l.dashed ? 'dash' : 'solid')));
    $('scores-sub').textContent = doc.counts.ranked + ' ranked creators by score, stacked by tier; ' + doc.counts.filtered + ' filtered rows have no score.';
    $('scores-chart').replaceChildren(svgNode(doc.charts.scores));
    $('scores-legend').replaceChildren(...doc.tiers.map((t) => key(t.name, t.color, 'dot')));
  }

  function component(value) {
    const cell = el('td', 'num');
    if (value === null || value === undefined) {
      cell.classList.add('missing');
      cell.textContent = '–';
      return cell;
    }
    const meter = el('span', 'meter');
    const fill = el('span');
    fill.style.width = Math.round(Math.max(0, Math.min(1, value)) * 100) + '%';
    meter.append(fill);
    cell.append(meter, document.createTextNode(value.toFixed(2)));
    return cell;
  }

  function moveMark(move, top) {
    if (!move) return null;
    const before = move.before.rank;
    if (!before || before > top) return el('span', 'move new', 'new');
    const up = before - move.after.rank;
    if (up > 0) return el('span', 'move up', '▲' + up);
    if (up < 0) return el('span', 'move down', '▼' + -up);
    return null;
  }

  function row(r, move, top) {
    const mark = moveMark(move, top);
    const tr = el('tr', mark ? 'moved' : '');
    const handle = el('td', 'handle', at(r.handle));
    if (mark) handle.append(mark);
    if (r.notes.length) handle.append(el('span', 'notes', r.notes.join(' · ')));
    const chip = el('span', 'chip', r.tier);
    chip.style.background = r.color;
    const tier = el('td');
    tier.append(chip);
    const er = el('td', 'num', r.engagement_rate === null ? '–' : percent(r.engagement_rate));
    const c = r.components;
    tr.append(el('td', 'num', r.rank), handle, el('td', '', r.platform || '–'), tier,
      el('td', 'num', compact(r.followers)), er, component(c.engagement), component(c.niche_fit),
      component(c.cost_efficiency), component(c.authenticity), el('td', 'num score', r.score.toFixed(1)));
    return tr;
  }

  function showRanking(doc, moves) {
    const byHandle = new Map(moves.map((m) => [m.handle + '\u0000' + (m.platform || ''), m]));
    const rows = doc.ranking.map((r) => row(r, byHandle.get(r.handle + '\u0000' + (r.platform || '')), doc.top));
    $('rows').replaceChildren(...rows);
    $('ranking-sub').textContent = doc.ranking.length
      ? 'The best ' + doc.ranking.length + ' of ' + doc.counts.ranked + ' creators that pass every filter. Components run 0–1 (– where the list lacks the data); scores 0–100.'
      : 'No candidate passes the brand\'s filters.';
  }

  // Entered, left, moved in rank, changed tier, then score only: the biggest news first.
  function weight(move, top) {
    const b = move.before, a = move.after;
    const inTop = (s) => s.rank !== null && s.rank <= top;
    if (inTop(a) !== inTop(b)) return 0;
    if (b.rank !== a.rank) return 1;
    return b.tier !== a.tier ? 2 : 3;
  }

  function describe(move, top) {
    const tags = [];
    const b = move.before, a = move.after;
    const inTop = (s) => s.rank !== null && s.rank <= top;
    if (inTop(a) && !inTop(b)) tags.push(['entered', 'entered top ' + top + ' at #' + a.rank + (b.rank ? ' (was #' + b.rank + ')' : '')]);
    else if (inTop(b) && !inTop(a)) tags.push(['left', 'left top ' + top + (a.rank ? ': now #' + a.rank : a.filtered && a.filtered.length ? ': filtered, ' + a.filtered.join('; ') : '') + ' (was #' + b.rank + ')']);
    else if (b.rank && a.rank && b.rank !== a.rank) {
      const up = b.rank - a.rank;
      tags.push([up > 0 ? 'up' : 'down', (up > 0 ? '▲ ' : '▼ ') + Math.abs(up) + ' · #' + b.rank + ' → #' + a.rank]);
    }
    if (b.tier && a.tier && b.tier !== a.tier) tags.push(['tier', 'tier ' + b.tier + ' → ' + a.tier]);
    if (b.score !== null && a.score !== null && b.score !== a.score) {
      const d = a.score - b.score;
      tags.push([d > 0 ? 'up' : 'down', 'score ' + (d > 0 ? '+' : '') + d.toFixed(2) + ' (' + b.score.toFixed(1) + ' → ' + a.score.toFixed(1) + ')']);
    }
    const item = el('li');
    item.append(el('span', 'who', at(move.handle)));
    for (const [tone, text] of tags) item.append(el('span', 'tag ' + tone, text));
    return item;
  }

  function showChanges(changes) {
    const box = $('changes');
    box.hidden = false;
    $('changes-title').textContent = 'What changed in revision ' + changes.to_revision;
    const n = changes.movements.length;
    $('changes-sub').textContent = n
      ? 'Since revision ' + changes.from_revision + ', ' + n + (n === 1 ? ' creator' : ' creators') + ' in the top ' + changes.top + ' changed: who entered or left it, rank moves, tier changes and score deltas.'
      : 'Nothing in the top ' + changes.top + ' changed since revision ' + changes.from_revision + '.';
    const sorted = changes.movements.map((m, i) => [weight(m, changes.top), i, m]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    $('change-list').replaceChildren(...sorted.map(([, , m]) => describe(m, changes.top)));
    box.classList.remove('flash');
    void box.offsetWidth;
    box.classList.add('flash');
  }

  function show(doc) {
    $('brand-name').textContent = doc.brand.name;
    $('brand-description').textContent = doc.brand.description || '';
    document.title = doc.brand.name + ' · scout live dashboard';
    $('revision').textContent = doc.revision;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    showCards(doc);
    showCharts(doc);
    if (doc.changes) showChanges(doc.changes);
    else if (doc.since === 'unknown') $('changes').hidden = true;
    showRanking(doc, doc.changes ? doc.changes.movements : []);
    state.revision = doc.revision;
  }

  // One request at a time; a request asked for meanwhile runs once the first is done.
  async function refresh(compare) {
    if (state.busy) { state.again = true; return; }
    state.busy = true;
    try {
      do {
        state.again = false;
        let path = '/v1/brands/' + encodeURIComponent(state.brand) + '/dashboard?top=' + state.top;
        if (compare && state.revision) path += '&since=' + encodeURIComponent(state.revision);
        show(await api(path));
        problem(null);
      } while (state.again);
    } catch (err) {
      problem('Cannot load the ranking: ' + err.message);
    } finally {
      state.busy = false;
    }
  }

  function showError(error, serving) {
    $('banner').hidden = !error;
    if (!error) return;
    const n = error.diagnostics.length;
    $('banner-title').textContent = 'Reload rejected: the rule files have ' + n + (n === 1 ? ' problem' : ' problems');
    $('banner-text').textContent = (error.revision ? 'The files at revision ' + error.revision + ' were not activated. ' : '') + 'Still serving revision ' + serving + '; fix the files and save to reload.';
    $('banner-diagnostics').textContent = error.rendered;
  }

  function onEvent(name, data) {
    showError(data.error, data.revision);
    if (state.revision && data.revision !== state.revision) refresh(true);
    else if (!state.revision && state.brand) refresh(false);
  }

  function dispatch(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value; else if (field === 'data') data.push(value);
    }
    if (data.length) onEvent(name, JSON.parse(data.join('\n')));
  }

  function live(on, text) {
    $('live').className = 'dot ' + (on ? 'on' : 'off');
    $('live-text').textContent = text;
  }

  // Server-sent events read with fetch, so the token travels in a header; reconnects.
  async function follow() {
    for (;;) {
      try {
        const headers = token ? { Authorization: 'Bearer ' + token } : {};
        const response = await fetch('/v1/events', { headers, cache: 'no-store' });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        live(true, 'live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = (buffer + value).replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (err) {
        // Reconnect below; the dot says so.
      }
      live(false, 'reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }

  async function start() {
    try {
      const { brands } = await api('/v1/brands');
      const select = $('brand');
      for (const b of brands) {
        const option = el('option', '', b.name + ' (' + b.id + ')');
        option.value = b.id;
        select.append(option);
      }
      if (!brands.some((b) => b.id === state.brand)) state.brand = brands.length ? brands[0].id : null;
      select.value = state.brand;
      select.disabled = false;
      select.addEventListener('change', () => {
        state.brand = select.value;
        state.revision = null;
        $('changes').hidden = true;
        params.set('brand', state.brand);
        history.replaceState(null, '', '#' + params.toString());
        refresh(false);
      });
      await refresh(false);
    } catch (err) {
      problem('Cannot reach the API: ' + err.message);
    }
    follow();
  }

  start();
})();
