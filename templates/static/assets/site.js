/* carport site script: charts, sortable and filterable tables, CSV download.
   Classic script, no modules, no fetch: the site must work opened from disk. */
(function () {
  'use strict';

  var pending = [];
  var charts = {};

  // carport.view is called by the data/<role>/<report>/<view>.js files,
  // which load after this script; charts are drawn once the page is parsed.
  var carport = {};
  carport.view = function (id, option, meta) {
    pending.push({ id: id, option: option, meta: meta || {} });
  };
  carport.charts = charts;
  window.carport = carport;

  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function percentAxis(option) {
    var axes = option.yAxis || [{}];
    if (!Array.isArray(axes)) { axes = [axes]; }
    axes.forEach(function (a) {
      a.axisLabel = a.axisLabel || {};
      a.axisLabel.formatter = function (v) { return Math.round(v * 1000) / 10 + '%'; };
    });
    option.yAxis = axes;
    option.tooltip = option.tooltip || {};
    option.tooltip.valueFormatter = function (v) {
      return typeof v === 'number' ? (v * 100).toFixed(2) + '%' : '–';
    };
  }

  function initCharts() {
    if (typeof window.echarts === 'undefined') { return; }
    pending.forEach(function (p) {
      var el = document.getElementById(p.id);
      if (!el || charts[p.id]) { return; }
      if (p.meta.percent) { percentAxis(p.option); }
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(p.option);
      charts[p.id] = chart;
    });
    var resize = function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); };
    window.addEventListener('resize', resize);
    window.addEventListener('beforeprint', resize);
    window.addEventListener('afterprint', resize);
  }

  // Tables: click a heading to sort, type to filter.
  function sortKey(td, numeric) {
    var t = td ? td.textContent : '';
    if (t.trim() === '') { return null; }
    if (numeric) {
      var f = parseFloat(t);
      return isNaN(f) ? null : f;
    }
    return t;
  }

  function sortTable(table, col, th) {
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    each(table.tHead.rows[0].cells, function (c) { c.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', dir);
    var numeric = th.getAttribute('data-numeric') === 'true';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'ascending' ? 1 : -1;
    var keyed = rows.map(function (r, i) { return { r: r, k: sortKey(r.cells[col], numeric), i: i }; });
    keyed.sort(function (a, b) {
      if (a.k === null || b.k === null) {
        if (a.k === b.k) { return a.i - b.i; }
        return a.k === null ? 1 : -1; // empty cells last either way
      }
      var c = numeric ? a.k - b.k : a.k.localeCompare(b.k, undefined, { numeric: true });
      return c !== 0 ? sign * c : a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (x) { frag.appendChild(x.r); });
    body.appendChild(frag);
  }

  function rowText(r) {
    var parts = [];
    each(r.cells, function (c) { parts.push(c.textContent); });
    return parts.join('\u0001').toLowerCase();
  }

  function filterTable(table, term) {
    term = term.trim().toLowerCase();
    var shown = 0;
    var total = table.tBodies[0].rows.length;
    each(table.tBodies[0].rows, function (r) {
      var hide = term !== '' && rowText(r).indexOf(term) < 0;
      r.hidden = hide;
      if (!hide) { shown++; }
    });
    var count = document.getElementById(table.getAttribute('data-count'));
    if (count) {
      count.textContent = shown === total ? total + ' rows' : shown + ' of ' + total + ' rows';
    }
  }

  // CSV exactly as Go's encoding/csv writes it: quote a field that holds a
  // comma, quote, CR or LF, starts with a space, or is \. ; lines end in LF.
  function csvField(s) {
    if (s === '\\.' || /[",\r\n]/.test(s) || /^\s/.test(s)) {
      return '"' + s.replace(/"/g, '""') + '"';
    }
    return s;
  }

  function tableCSV(table) {
    var lines = [];
    var head = [];
    each(table.tHead.rows[0].cells, function (c) { head.push(csvField(c.textContent)); });
    lines.push(head.join(','));
    each(table.tBodies[0].rows, function (r) {
      if (r.hidden) { return; }
      var cells = [];
      each(r.cells, function (c) { cells.push(csvField(c.textContent)); });
      lines.push(cells.join(','));
    });
    return lines.join('\n') + '\n';
  }
  carport.tableCSV = tableCSV;

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

  function initTables() {
    each(document.querySelectorAll('table.data'), function (table) {
      if (!table.tHead) { return; }
      each(table.tHead.rows[0].cells, function (th, i) {
        var b = th.querySelector('button');
        if (b) { b.addEventListener('click', function () { sortTable(table, i, th); }); }
      });
    });
    each(document.querySelectorAll('input.filter'), function (input) {
      var table = document.getElementById(input.getAttribute('data-table'));
      if (!table) { return; }
      input.addEventListener('input', function () { filterTable(table, input.value); });
    });
    each(document.querySelectorAll('button.dl'), function (btn) {
      var table = document.getElementById(btn.getAttribute('data-table'));
      if (!table) { return; }
      btn.addEventListener('click', function () { download(btn.getAttribute('data-name'), tableCSV(table)); });
    });
  }

  // Home page: filter the list of reports.
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
    initCharts();
    initTables();
    initFinder();
    document.documentElement.classList.add('js');
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
