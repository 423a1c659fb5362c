/* carport site script: charts, tables, search, feedback links.
   Classic script, no modules, no fetch: the site must work opened from disk.
   Data arrive by classic <script src> files that call carport.view (a
   chart) and carport.table (a table's columns, and its rows as the CSV
   text itself); the page holds only a slot for each table. */
(function () {
  'use strict';

  var pending = [];
  var charts = {};
  var rowData = {};
  var tables = {};

  var carport = {};
  carport.view = function (id, option, meta) {
    pending.push({ id: id, option: option, meta: meta || {} });
  };
  // spec: {cols: [[machine name, label, format, 1 if numeric], ...],
  // own: column marking the reader's row, sample: column counting the
  // events behind a row, min: the small-sample threshold}
  carport.table = function (table, spec, csv) { rowData[table] = { spec: spec, csv: csv }; };
  carport.charts = charts;
  carport.tables = tables;
  window.carport = carport;

  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  };

  /* ---- numbers, dates and times, as the column catalogue says ---- */

  var whole = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  var decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 });
  var ukParts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false
  });
  var NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

  function formatNumber(v, format) {
    switch (format) {
      case 'percent': return (v * 100).toFixed(1) + '%';
      case 'count': case 'ms': case 'rank': return whole.format(Math.round(v));
      default: return decimal.format(v);
    }
  }

  function ukTime(s) {
    var d = new Date(s);
    if (isNaN(d.getTime())) { return s; }
    var p = {};
    ukParts.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute;
  }

  // formatCell shows a raw CSV cell; the CSV keeps the raw form.
  function formatCell(s, format) {
    if (s === '') { return ''; }
    switch (format) {
      case 'percent': case 'count': case 'ms': case 'rank': case 'number':
        return NUMBER.test(s) ? formatNumber(parseFloat(s), format) : s;
      case 'datetime': return ukTime(s);
      default: return s;
    }
  }
  carport.formatCell = formatCell;

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* ---- CSV: read as RFC 4180, written as Go's encoding/csv writes ---- */

  function parseCSV(text) {
    var rows = [], row = [], field = '', i = 0, n = text.length, quoted = false;
    while (i < n) {
      var c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          quoted = false; i++; continue;
        }
        field += c; i++; continue;
      }
      if (c === '"') { quoted = true; i++; continue; }
      if (c === ',') { row.push(field); field = ''; i++; continue; }
      if (c === '\r' && text[i + 1] === '\n') { i++; continue; }
      if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
      field += c; i++;
    }
    if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
    return rows;
  }
  carport.parseCSV = parseCSV;

  // quote a field that holds a comma, quote, CR or LF, starts with a
  // space, or is \. ; lines end in LF.
  function csvField(s) {
    if (s === '\\.' || /[",\r\n]/.test(s) || /^\s/.test(s)) {
      return '"' + s.replace(/"/g, '""') + '"';
    }
    return s;
  }

  // A cell a spreadsheet would run as a formula (=, +, -, @, tab or CR
  // first) is written with a leading ' ; a number (optional '-', digits,
  // optional fraction) stays a number (OWASP "CSV Injection"). This is
  // internal/csvcell's rule, which the site's CSV files already follow:
  // it is idempotent, so a cell neutralised there is not changed again.
  var PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
  function safeCell(s) {
    if (PLAIN_NUMBER.test(s)) { return s; }
    if (/^[=+\-@\t\r]/.test(s)) { return "'" + s; }
    return s;
  }
  carport.safeCell = safeCell;

  function download(name, text) {
    var blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 2000);
  }

  /* ---- charts ---- */

  function axisFormatter(meta) {
    if (meta.format === 'percent') {
      return function (v) { return Math.round(v * 1000) / 10 + '%'; };
    }
    if (meta.format === 'count' || meta.format === 'ms' || meta.format === 'rank' || meta.log) {
      return function (v) { return whole.format(v); };
    }
    return null;
  }

  function tooltipFormatter(meta) {
    return function (params) {
      if (!Array.isArray(params)) { params = [params]; }
      if (params.length === 0) { return ''; }
      var p0 = params[0];
      var key = meta.time && Array.isArray(p0.value) ? p0.value[0] : p0.name;
      var head = meta.time ? key : p0.axisValueLabel || p0.name;
      var lines = ['<strong>' + escapeHTML(head) + '</strong>'];
      params.forEach(function (p) {
        var v = Array.isArray(p.value) ? p.value[1] : p.value;
        if (v === '-' || v === undefined || v === null) { return; }
        var shown = typeof v === 'number' ? formatNumber(v, meta.format || 'number') : '–';
        // a stacked segment named by its own value (a model's firmware)
        var name = p.data && typeof p.data === 'object' && p.data.name ? p.data.name + ' (' + p.seriesName + ')' : p.seriesName;
        lines.push(p.marker + escapeHTML(name) + ': <strong>' + escapeHTML(shown) + '</strong>');
      });
      if (meta.small && meta.small[key] !== undefined) {
        lines.push('<em>Small sample: ' + whole.format(meta.small[key]) + ' ' + escapeHTML(meta.sample || 'events') + '</em>');
      }
      return lines.join('<br>');
    };
  }

  function legendButtons(chart, option, box) {
    var series = option.series || [];
    if (series.length < 2) { return; }
    var colours = option.color || [];
    var group = el('div', 'legend');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Show or hide series');
    series.forEach(function (s, i) {
      var b = el('button', 'legend-item');
      b.type = 'button';
      b.setAttribute('aria-pressed', 'true');
      var sw = el('span', 'swatch');
      sw.style.backgroundColor = colours[i % colours.length] || '#1d4ed8';
      sw.setAttribute('aria-hidden', 'true');
      b.appendChild(sw);
      b.appendChild(document.createTextNode(s.name));
      b.addEventListener('click', function () {
        chart.dispatchAction({ type: 'legendToggleSelect', name: s.name });
        var on = b.getAttribute('aria-pressed') !== 'true';
        b.setAttribute('aria-pressed', on ? 'true' : 'false');
      });
      group.appendChild(b);
    });
    box.appendChild(group);
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function isoDay(t) { var d = new Date(t); return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  function dayStart(s) { var p = s.split('-'); return new Date(+p[0], +p[1] - 1, +p[2]).getTime(); }

  function zoomControls(chart, option, box, id) {
    var data = option.series && option.series[0] && option.series[0].data;
    if (!data || data.length === 0) { return; }
    // a point is [day, value], or {value: [day, value], ...} when styled
    var day = function (d) { return (Array.isArray(d) ? d : d.value)[0]; };
    var first = day(data[0]), last = day(data[data.length - 1]);
    var wrap = el('div', 'zoom');
    wrap.setAttribute('role', 'group');
    wrap.setAttribute('aria-label', 'Days shown');
    var inputs = {};
    ['from', 'to'].forEach(function (k) {
      var label = el('label', null, k === 'from' ? 'From ' : 'To ');
      var input = el('input');
      input.type = 'date';
      input.min = first;
      input.max = last;
      input.value = k === 'from' ? first : last;
      input.id = id + '-' + k;
      label.appendChild(input);
      wrap.appendChild(label);
      inputs[k] = input;
    });
    var reset = el('button', null, 'Whole month');
    reset.type = 'button';
    wrap.appendChild(reset);
    var apply = function () {
      var a = inputs.from.value || first, b = inputs.to.value || last;
      if (a > b) { var t = a; a = b; b = t; }
      chart.dispatchAction({ type: 'dataZoom', startValue: dayStart(a), endValue: dayStart(b) + 86399000 });
    };
    inputs.from.addEventListener('change', apply);
    inputs.to.addEventListener('change', apply);
    reset.addEventListener('click', function () {
      inputs.from.value = first;
      inputs.to.value = last;
      chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
    });
    chart.on('datazoom', function () {
      var dz = chart.getOption().dataZoom[0];
      if (typeof dz.startValue === 'number') { inputs.from.value = isoDay(dz.startValue); }
      if (typeof dz.endValue === 'number') { inputs.to.value = isoDay(dz.endValue); }
    });
    box.appendChild(wrap);
  }

  function initCharts() {
    if (typeof window.echarts === 'undefined') { return; }
    pending.forEach(function (p) {
      var node = document.getElementById(p.id);
      if (!node || charts[p.id]) { return; }
      var o = p.option, meta = p.meta;
      var f = axisFormatter(meta);
      var ys = Array.isArray(o.yAxis) ? o.yAxis : [o.yAxis || {}];
      ys.forEach(function (a) {
        if (f) { a.axisLabel = a.axisLabel || {}; a.axisLabel.formatter = f; }
      });
      o.yAxis = ys;
      if (meta.time) {
        var xs = Array.isArray(o.xAxis) ? o.xAxis : [o.xAxis || {}];
        xs.forEach(function (a) { a.axisLabel = a.axisLabel || {}; a.axisLabel.formatter = '{d} {MMM}'; });
        o.xAxis = xs;
        (o.dataZoom || []).forEach(function (z) {
          if (z.type === 'slider') { z.height = 18; z.bottom = 6; z.labelFormatter = function (v) { return isoDay(v); }; }
        });
      }
      o.tooltip = o.tooltip || {};
      o.tooltip.formatter = tooltipFormatter(meta);
      o.tooltip.confine = true;
      var chart = window.echarts.init(node, null, { renderer: 'canvas' });
      chart.setOption(o);
      charts[p.id] = chart;
      var box = node.parentNode;
      legendButtons(chart, o, box);
      if (meta.time) { zoomControls(chart, o, box, p.id); }
    });
    var resize = function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); };
    window.addEventListener('resize', resize);
    window.addEventListener('beforeprint', resize);
    window.addEventListener('afterprint', resize);
  }

  /* ---- tables: rows from the view's script, sorted, filtered, paged ---- */

  var PAGE_SIZES = [25, 50, 100, 500];

  function Table(table, csv) {
    var all = parseCSV(csv);
    this.el = table;
    this.head = all[0] || [];
    this.rows = all.slice(1);
    this.cols = [];
    var self = this;
    each(table.tHead.rows[0].cells, function (th, i) {
      self.cols.push({
        format: th.getAttribute('data-format') || 'text',
        numeric: th.getAttribute('data-numeric') === 'true', th: th
      });
      var b = th.querySelector('button');
      if (b) {
        th.setAttribute('aria-sort', 'none');
        b.addEventListener('click', function () { self.sort(i); });
      }
    });
    this.own = this.head.indexOf(table.getAttribute('data-own'));
    this.sample = this.head.indexOf(table.getAttribute('data-sample'));
    this.min = parseInt(table.getAttribute('data-min') || '0', 10) || 0;
    this.order = this.rows.map(function (_, i) { return i; });
    this.term = '';
    this.shown = this.order.slice();
    this.page = 0;
    this.size = 50;
    this.all = false;
    this.text = [];
    this.count = document.getElementById(table.getAttribute('data-count'));
    this.pager = document.querySelector('nav.pager[data-table="' + table.id + '"]');
    this.buildPager();
    this.render();
  }

  Table.prototype.rowText = function (i) {
    if (this.text[i] === undefined) {
      var r = this.rows[i], cols = this.cols, parts = [];
      r.forEach(function (c, j) { parts.push(c, formatCell(c, cols[j] ? cols[j].format : 'text')); });
      this.text[i] = parts.join('\u0001').toLowerCase();
    }
    return this.text[i];
  };

  Table.prototype.filter = function (term) {
    this.term = term.trim().toLowerCase();
    var self = this;
    this.shown = this.term === '' ? this.order.slice() : this.order.filter(function (i) { return self.rowText(i).indexOf(self.term) >= 0; });
    this.page = 0;
    this.render();
  };

  Table.prototype.sort = function (col) {
    var th = this.cols[col].th;
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    this.cols.forEach(function (c) { c.th.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', dir);
    var numeric = this.cols[col].numeric, rows = this.rows, sign = dir === 'ascending' ? 1 : -1;
    var key = function (i) {
      var t = rows[i][col];
      if (t === undefined || t.trim() === '') { return null; }
      if (numeric) { var f = parseFloat(t); return isNaN(f) ? null : f; }
      return t;
    };
    var keyed = this.order.map(function (i, pos) { return { i: i, k: key(i), pos: pos }; });
    keyed.sort(function (a, b) {
      if (a.k === null || b.k === null) {
        if (a.k === b.k) { return a.pos - b.pos; }
        return a.k === null ? 1 : -1; // empty cells last either way
      }
      var c = numeric ? a.k - b.k : a.k.localeCompare(b.k, undefined, { numeric: true });
      return c !== 0 ? sign * c : a.pos - b.pos;
    });
    this.order = keyed.map(function (x) { return x.i; });
    this.filter(this.term);
  };

  Table.prototype.render = function () {
    var body = this.el.tBodies[0];
    var from = this.all ? 0 : this.page * this.size;
    var to = this.all ? this.shown.length : Math.min(this.shown.length, from + this.size);
    var frag = document.createDocumentFragment();
    for (var k = from; k < to; k++) {
      var i = this.shown[k], r = this.rows[i];
      var tr = document.createElement('tr');
      if (this.own >= 0 && (r[this.own] || '').trim() !== '') { tr.className = 'own'; }
      var small = this.sample >= 0 && this.min > 0 && NUMBER.test(r[this.sample] || '') && parseFloat(r[this.sample]) < this.min;
      if (small) { tr.className += ' small'; }
      for (var j = 0; j < this.cols.length; j++) {
        var c = this.cols[j], td = document.createElement('td');
        var raw = r[j] === undefined ? '' : r[j];
        if (c.numeric) { td.className = 'num'; }
        if (c.format === 'date' || c.format === 'datetime') { td.className = 'nowrap'; }
        if (raw === '' && c.numeric) {
          td.textContent = '–';
          td.className += ' none';
        } else {
          td.textContent = formatCell(raw, c.format);
        }
        if (c.format === 'percent' && raw !== '') { td.title = raw; }
        if (small && j === this.sample) { td.appendChild(el('span', 'small-tag', 'small sample')); }
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    body.textContent = '';
    body.appendChild(frag);
    var total = this.rows.length, n = this.shown.length;
    if (this.count) {
      this.count.textContent = n === total ? whole.format(total) + ' rows' : whole.format(n) + ' of ' + whole.format(total) + ' rows';
    }
    this.updatePager(from, to);
  };

  Table.prototype.buildPager = function () {
    var nav = this.pager, self = this;
    if (!nav) { return; }
    if (this.rows.length <= this.size) { return; }
    nav.hidden = false;
    this.prev = el('button', 'prev', '‹ Previous');
    this.prev.type = 'button';
    this.next = el('button', 'next', 'Next ›');
    this.next.type = 'button';
    this.where = el('span', 'where');
    this.where.setAttribute('aria-live', 'polite');
    var label = el('label', null, 'Rows per page ');
    var select = el('select');
    PAGE_SIZES.forEach(function (s) {
      var o = el('option', null, String(s));
      o.value = String(s);
      if (s === self.size) { o.selected = true; }
      select.appendChild(o);
    });
    label.appendChild(select);
    this.prev.addEventListener('click', function () { if (self.page > 0) { self.page--; self.render(); } });
    this.next.addEventListener('click', function () {
      if ((self.page + 1) * self.size < self.shown.length) { self.page++; self.render(); }
    });
    select.addEventListener('change', function () { self.size = parseInt(select.value, 10); self.page = 0; self.render(); });
    nav.appendChild(this.prev);
    nav.appendChild(this.where);
    nav.appendChild(this.next);
    nav.appendChild(label);
  };

  Table.prototype.updatePager = function (from, to) {
    if (!this.where) { return; }
    var n = this.shown.length;
    this.where.textContent = n === 0 ? 'No rows' : 'Rows ' + whole.format(from + 1) + '–' + whole.format(to) + ' of ' + whole.format(n);
    this.prev.disabled = from === 0;
    this.next.disabled = to >= n;
  };

  // csv is the rows that match the filter, in the order shown, every page:
  // machine column names, values as the CSV holds them.
  Table.prototype.csv = function () {
    var cols = this.cols, rows = this.rows;
    var lines = [this.head.map(function (h) { return csvField(h); }).join(',')];
    this.shown.forEach(function (i) {
      lines.push(rows[i].map(function (c, j) { return csvField(safeCell(c)); }).join(','));
    });
    return lines.join('\n') + '\n';
  };

  // the rows of the current page, as displayed: what a reader sees
  Table.prototype.visible = function () {
    return Array.prototype.map.call(this.el.tBodies[0].rows, function (tr) {
      return Array.prototype.map.call(tr.cells, function (td) { return td.textContent; });
    });
  };

  // buildTable replaces a table's slot with the tools above the table
  // (filter, count, downloads), the table with its head, and the pager;
  // the slot's link to the CSV file moves into the tools.
  function buildTable(slot, id, spec) {
    var sec = slot.closest('section.view');
    var title = sec ? sec.getAttribute('data-title') : id;
    var key = id.replace(/^t-/, '');
    var tools = el('div', 'table-tools');
    var label = el('label', null, 'Filter rows ');
    var input = el('input', 'filter');
    input.type = 'search';
    input.setAttribute('data-table', id);
    input.setAttribute('autocomplete', 'off');
    label.appendChild(input);
    tools.appendChild(label);
    var count = el('span', 'count');
    count.id = 'n-' + key;
    count.setAttribute('aria-live', 'polite');
    tools.appendChild(count);
    var dl = el('button', 'dl', 'Download filtered rows as CSV');
    dl.type = 'button';
    dl.setAttribute('data-table', id);
    dl.setAttribute('data-name', key + '-filtered.csv');
    tools.appendChild(dl);
    var file = slot.querySelector('a[download]');
    if (file) { tools.appendChild(file); }
    var wrap = el('div', 'table-wrap');
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', title + ' table');
    var table = el('table', 'data');
    table.id = id;
    table.setAttribute('data-count', count.id);
    if (spec.own) { table.setAttribute('data-own', spec.own); }
    if (spec.sample && spec.min > 0) {
      table.setAttribute('data-sample', spec.sample);
      table.setAttribute('data-min', String(spec.min));
    }
    table.appendChild(el('caption', 'sr', title + '. Select a column heading to sort.'));
    var tr = el('tr');
    spec.cols.forEach(function (c) {
      var th = el('th');
      th.setAttribute('data-format', c[2]);
      if (c[3]) { th.className = 'num'; th.setAttribute('data-numeric', 'true'); }
      var b = el('button', null, c[1]);
      b.type = 'button';
      b.title = c[0];
      th.appendChild(b);
      tr.appendChild(th);
    });
    table.createTHead().appendChild(tr);
    table.appendChild(document.createElement('tbody'));
    wrap.appendChild(table);
    var pager = el('nav', 'pager');
    pager.setAttribute('data-table', id);
    pager.setAttribute('aria-label', 'Pages of ' + title);
    pager.hidden = true;
    slot.replaceWith(tools, wrap, pager);
    return table;
  }

  function initTables() {
    each(document.querySelectorAll('div.table-slot[data-table]'), function (slot) {
      var id = slot.getAttribute('data-table'), data = rowData[id];
      if (data === undefined) { return; }
      tables[id] = new Table(buildTable(slot, id, data.spec), data.csv);
    });
    each(document.querySelectorAll('input.filter'), function (input) {
      var t = tables[input.getAttribute('data-table')];
      if (t) { input.addEventListener('input', function () { t.filter(input.value); }); }
    });
    each(document.querySelectorAll('button.dl'), function (btn) {
      var t = tables[btn.getAttribute('data-table')];
      if (t) { btn.addEventListener('click', function () { download(btn.getAttribute('data-name'), t.csv()); }); }
    });
    // print every matching row of tables that are not huge, and the help
    window.addEventListener('beforeprint', function () {
      each(document.querySelectorAll('details.help'), function (d) { d.open = true; });
      Object.keys(tables).forEach(function (k) { var t = tables[k]; if (t.shown.length <= 2000) { t.all = true; t.render(); } });
    });
    window.addEventListener('afterprint', function () {
      Object.keys(tables).forEach(function (k) { var t = tables[k]; if (t.all) { t.all = false; t.render(); } });
    });
  }

  /* ---- feedback links under every view ---- */

  function initFeedback() {
    var base = document.querySelectorAll('.feedback-links a');
    if (base.length === 0) { return; }
    var token = encodeURIComponent('whole report');
    each(document.querySelectorAll('section.view[data-view]'), function (sec) {
      var name = encodeURIComponent('view ' + sec.getAttribute('data-view') + ' (' + sec.getAttribute('data-title') + ')');
      var p = el('p', 'feedback-view');
      p.appendChild(document.createTextNode('About this view: '));
      each(base, function (a, i) {
        if (i > 0) { p.appendChild(document.createTextNode(' · ')); }
        var link = el('a', null, a.textContent);
        link.href = a.getAttribute('href').split(token).join(name);
        p.appendChild(link);
      });
      sec.appendChild(p);
    });
  }

  /* ---- home page: filter the list of reports ---- */

  function initFinder() {
    var input = document.getElementById('report-filter');
    if (!input) { return; }
    var empty = document.querySelector('.finder-empty');
    input.addEventListener('input', function () {
      var term = input.value.trim().toLowerCase();
      var any = false;
      each(document.querySelectorAll('li[data-search]'), function (li) {
        var hide = term !== '' && li.getAttribute('data-search').indexOf(term) < 0;
        li.hidden = hide;
        if (!hide) { any = true; }
      });
      each(document.querySelectorAll('.category[data-group]'), function (g) {
        g.hidden = !g.querySelector('li[data-search]:not([hidden])');
      });
      each(document.querySelectorAll('.role[data-group]'), function (g) {
        g.hidden = term !== '' && !g.querySelector('li[data-search]:not([hidden])');
      });
      if (empty) { empty.hidden = any; }
    });
  }

  function init() {
    initTables();
    initCharts();
    initFeedback();
    initFinder();
    document.documentElement.classList.add('js');
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
