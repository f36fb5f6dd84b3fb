// mutexcheck trace viewer: draws the chart and the panel from the JSON data in the page.
// Plain JavaScript, no network. User text goes into the page through textContent only.
// `MutexcheckViewer.draw(data)` draws (and redraws) a run; the viewer page draws the data
// it carries, `mutexcheck explore` draws the run being played after every move.
var MutexcheckViewer = (function () {
  'use strict';
  var root = document.getElementById('viewer');
  var grid = document.getElementById('grid');
  var chart = document.getElementById('chart');
  var data, lanes, steps, states, mutexes, v, posix;
  var HEAD_ROWS = 2;
  // Columns: the step number, then one per mutex (kept in view when the lanes scroll
  // sideways: who owns what is what a reader looks at most), then one per thread.
  // Mutex columns are as wide as the chart allows (up to 220px) once every lane has its
  // minimum width, and never narrower than 128px.
  var STEP_WIDTH = 56, LANE_MIN = 104;
  var MUTEX_WIDTH, FIRST_MUTEX_COL = 2, FIRST_LANE_COL;
  var rows = []; // rows[k]: the cells of step k (0: the initial state)
  var laneHeads = [];
  var srcLines = [];
  var sel = { step: 0, lane: 0 };
  var srcBox = document.getElementById('source');

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function label(text, cls) { return el('span', 'lbl' + (cls ? ' ' + cls : ''), text); }
  function place(e, row, col, rowSpan, colSpan) {
    e.style.gridRow = row + (rowSpan ? ' / span ' + rowSpan : '');
    e.style.gridColumn = col + (colSpan ? ' / span ' + colSpan : '');
    grid.appendChild(e);
    return e;
  }
  // A colour per thread, far apart on the hue circle (golden angle).
  function laneColor(i, light) {
    return 'hsl(' + ((i * 137.508) % 360).toFixed(1) + ', 62%, ' + (light ? '82%' : '42%') + ')';
  }
  function outcomeClass(outcome) {
    if (/^(OK|ABANDONED|TIMEOUT|NOT_OWNER|true|false|done)$/.test(outcome)) return 'o-' + outcome;
    // POSIX's results, coloured as their Win32 counterparts.
    if (outcome === 'OWNERDEAD') return 'o-ABANDONED';
    if (/^(TIMEDOUT|BUSY)$/.test(outcome)) return 'o-TIMEOUT';
    if (/^(PERM|NOTRECOVERABLE|INVAL)$/.test(outcome)) return 'o-NOT_OWNER';
    if (/^alternative /.test(outcome)) return 'o-alt';
    return 'o-fault';
  }
  function stepRow(k) { return HEAD_ROWS + 1 + k; }

  // ---- header -----------------------------------------------------------------------
  function drawHeader() {
    var title = document.getElementById('title');
    title.textContent = '';
    title.appendChild(document.createTextNode(data.model));
    title.appendChild(el('span', 'sub', data.model_path + ' · ' + steps.length + ' steps · ' + data.options));
    var banner = document.getElementById('violation');
    banner.textContent = '';
    banner.title = '';
    if (v) {
      banner.appendChild(label('\u26a0 ' + violationText()));
      banner.title = violationText();
    }
    var legend = document.getElementById('legend');
    legend.textContent = '';
    // Each flavor in its own words: Win32's abandoned mutex is POSIX's owner died (OWNERDEAD).
    var keys = posix
      ? [['OK', 'badge o-OK'], ['OWNERDEAD', 'badge o-ABANDONED'], ['TIMEDOUT', 'badge o-TIMEOUT'],
         ['crashed', 'swatch crash'], ['blocked', 'swatch st-blocked'], ['finished', 'swatch st-finished'],
         ['dead', 'swatch st-dead'], ['owner died (next lock: OWNERDEAD)', 'swatch own abandoned'],
         ['inconsistent', 'swatch own inconsistent']]
      : [['OK', 'badge o-OK'], ['ABANDONED', 'badge o-ABANDONED'], ['TIMEOUT', 'badge o-TIMEOUT'],
         ['crashed', 'swatch crash'], ['blocked', 'swatch st-blocked'], ['finished', 'swatch st-finished'],
         ['dead', 'swatch st-dead'], ['mutex abandoned', 'swatch own abandoned']];
    // A lasso's rows carry the cycle mark: say what it means.
    if (v && v.cycle_start) keys.push(['cycle: repeats forever', 'swatch cycle-key']);
    keys.forEach(function (k) {
      var key = el('span', 'key');
      key.appendChild(k[1].indexOf('badge') === 0 ? label(k[0], k[1]) : el('span', k[1]));
      if (k[1].indexOf('badge') !== 0) key.appendChild(label(k[0]));
      legend.appendChild(key);
    });
    legend.appendChild(label('\u2190/\u2192 or click: step · click a lane: its locals'));
  }
  function violationText() {
    if (v.cycle_start) {
      return 'Violation: the cycle of steps ' + v.cycle_start + '-' + v.step + ' repeats forever (' + v.kind + '): ' + v.message;
    }
    return 'Violation at step ' + v.step + ' (' + v.kind + '): ' + v.message;
  }

  // ---- chart ------------------------------------------------------------------------
  function drawChart() {
    grid.textContent = '';
    rows = [];
    laneHeads = [];
    var room = (chart.clientWidth - STEP_WIDTH - lanes.length * LANE_MIN) / Math.max(1, mutexes.length);
    MUTEX_WIDTH = Math.max(128, Math.min(220, Math.floor(room)));
    FIRST_LANE_COL = FIRST_MUTEX_COL + mutexes.length;
    grid.style.gridTemplateColumns = STEP_WIDTH + 'px' +
      (mutexes.length ? ' repeat(' + mutexes.length + ', ' + MUTEX_WIDTH + 'px)' : '') +
      ' repeat(' + lanes.length + ', minmax(' + LANE_MIN + 'px, 1fr))';
    function pinLeft(e, j) {
      e.classList.add('pinned');
      e.style.left = (j < 0 ? 0 : STEP_WIDTH + j * MUTEX_WIDTH) + 'px';
      if (j === mutexes.length - 1) e.classList.add('last-pinned');
      return e;
    }
    pinLeft(place(el('div', 'cell hd stepno', 'step'), 1, 1, 2), -1);
    data.processes.forEach(function (p) {
      var col = FIRST_LANE_COL + p.lanes[0];
      if (p.lanes.length > 1) {
        var g = place(el('div', 'cell hd group'), 1, col, 1, p.lanes.length);
        g.appendChild(label(p.name));
        g.title = 'process ' + p.name;
      }
      p.lanes.forEach(function (lane) {
        var multi = p.lanes.length > 1;
        var h = place(el('div', 'cell hd' + (multi ? ' second' : '')), multi ? 2 : 1, FIRST_LANE_COL + lane, multi ? 1 : 2);
        var chip = el('span', 'chip');
        chip.style.background = laneColor(lane, false);
        h.appendChild(chip);
        var name = lanes[lane].name;
        h.appendChild(label(multi ? name.slice(p.name.length + 1) : name));
        h.title = 'thread ' + name + ' (click: show its locals)';
        h.dataset.lane = lane;
        h.addEventListener('click', function () { select(sel.step, lane); });
        laneHeads.push(h);
      });
    });
    mutexes.forEach(function (m, j) {
      var h = pinLeft(place(el('div', 'cell hd'), 1, FIRST_MUTEX_COL + j, 2), j);
      h.appendChild(label('owner of ' + m));
      h.title = 'who owns mutex ' + m + ' after each step, with its recursion count';
    });

    function mutexCell(k, j) {
      var st = states[k].mutexes[j], prev = k > 0 ? states[k - 1].mutexes[j] : null;
      var mark = '';
      if (prev && !prev.abandoned && st.abandoned) mark = 'abandoned';
      if (prev && prev.abandoned && !st.abandoned) mark = 'cleared';
      // POSIX: the lock that returned OWNERDEAD left the mutex inconsistent; that is not
      // "cleared" (until `consistent`, unlocking makes it not recoverable).
      if (posix && mark === 'cleared' && st.inconsistent) mark = 'ownerdead';
      if (posix && prev && prev.inconsistent && !st.inconsistent && st.owner !== null) mark = 'consistent';
      if (posix && prev && !prev.not_recoverable && st.not_recoverable) mark = 'notrecoverable';
      var c = el('div', 'cell own' + (mark ? ' mark-' + mark : ''));
      var owner = st.owner === null ? '' : lanes[st.owner].name;
      var freeDead = posix ? 'free, owner died' : 'free, abandoned';
      var text = owner ? owner + ' \u00d7' + st.count : (st.abandoned ? freeDead : '');
      if (st.inconsistent) text += ' \u00b7 inconsistent';
      // Any other state a free mutex can be in (POSIX: not recoverable) is shown in words.
      if (!owner && !st.abandoned && st.text !== 'free') text = st.text;
      if (owner) c.style.background = laneColor(st.owner, true);
      else if (st.abandoned) c.classList.add('abandoned');
      if (st.inconsistent || st.not_recoverable) c.classList.add('inconsistent');
      var why = {
        abandoned: posix ? ' (its owner died at this step: the next lock returns OWNERDEAD)' : ' (abandoned at this step)',
        cleared: ' (the abandoned flag was cleared at this step)',
        ownerdead: ' (locked with OWNERDEAD at this step: inconsistent until `consistent`; unlocked so, it becomes not recoverable)',
        consistent: ' (made consistent at this step)',
        notrecoverable: ' (unlocked while inconsistent at this step: every lock now fails with NOTRECOVERABLE)'
      };
      if (mark === 'abandoned') {
        // The owner's thread ended owning it (its process crashed, it died, or it finished or exited);
        // the same row of its lane says which.
        var was = prev.owner === null ? '' : lanes[prev.owner].name;
        text = posix ? '\u26a0 owner ' + (was ? was + ' ' : '') + 'died' : '\u26a0 abandoned' + (was ? ' by ' + was : '');
      } else if (mark === 'cleared') {
        text += ' \u00b7 flag cleared';
      } else if (mark === 'ownerdead') {
        text = '\u26a0 ' + text + ' (OWNERDEAD)';
      } else if (mark === 'consistent') {
        text += ' \u00b7 made consistent';
      } else if (mark === 'notrecoverable') {
        text = '\u26a0 ' + text;
      }
      if (text) c.appendChild(label(text));
      c.title = 'step ' + k + ': ' + mutexes[j] + ' is ' + st.text + (mark ? why[mark] : '');
      c.dataset.mutex = mutexes[j];
      c.dataset.step = k;
      c.dataset.owner = owner;
      c.dataset.count = st.count;
      c.dataset.abandoned = st.abandoned ? 'true' : 'false';
      c.dataset.mark = mark;
      return c;
    }

    function laneCell(k, lane) {
      var step = k > 0 ? steps[k - 1] : null;
      var thread = states[k].threads[lane];
      var c;
      if (step && step.lanes.indexOf(lane) >= 0) {
        if (step.action === 'run') {
          c = el('div', 'cell ev');
          c.style.borderLeft = '3px solid ' + laneColor(lane, false);
          c.appendChild(label((step.line ? 'L' + step.line + ' ' : '') + (step.operation || ''), 'op'));
          c.appendChild(label(step.outcome, 'badge ' + outcomeClass(step.outcome)));
          c.title = 'step ' + k + ': ' + step.text;
        } else if (step.action === 'die' || step.action === 'crash') {
          // A crash or a thread's death (drawn on the thread's own lane only, as its process
          // lives on): each killed lane says the statement it was at.
          var killed = null;
          step.killed.forEach(function (kd) { if (kd.lane === lane) killed = kd; });
          c = el('div', 'cell crash');
          // The lane names the thread: the actor only when it is another name (the process).
          var who = lanes[lane].name === step.actor ? '' : step.actor + ' ';
          c.appendChild(label('\u2716 ' + who + (step.action === 'die' ? 'died' : 'crashed') +
            (killed ? ' at ' + (killed.line ? 'L' + killed.line + ' ' : '') + killed.statement : '')));
          c.title = 'step ' + k + ': ' + step.text;
        } else {
          c = el('div', 'cell restart');
          c.appendChild(label('\u21bb restarted'));
          c.title = 'step ' + k + ': process ' + step.actor + ' ' + step.outcome;
        }
        c.dataset.event = step.action;
        if (step.changes.length) {
          c.title += '\n' + step.changes.map(function (ch) { return ch.name + ': ' + ch.before + ' \u2192 ' + ch.after; }).join('\n');
        }
      } else {
        c = el('div', 'cell st-' + thread.status);
        c.title = lanes[lane].name + ' is ' + thread.status + (k === 0 ? ' in the initial state' : ' after step ' + k);
      }
      c.dataset.lane = lane;
      c.dataset.step = k;
      return c;
    }

    for (var k = 0; k <= steps.length; k++) {
      var row = stepRow(k), cells = [];
      var violating = !!v && k === v.step;
      var no = pinLeft(place(el('div', 'cell stepno'), row, 1), -1);
      no.appendChild(label(k === 0 ? 'init' : (violating ? '\u26a0' : '') + k));
      no.title = k === 0 ? 'the initial state' : 'step ' + k + ': ' + steps[k - 1].text;
      no.dataset.step = k;
      cells.push(no);
      for (var j = 0; j < mutexes.length; j++) cells.push(pinLeft(place(mutexCell(k, j), row, FIRST_MUTEX_COL + j), j));
      for (var lane = 0; lane < lanes.length; lane++) cells.push(place(laneCell(k, lane), row, FIRST_LANE_COL + lane));
      if (violating) cells.forEach(function (c) { c.classList.add('violating'); });
      // A lasso: the rows of the cycle carry a mark, its first row says what repeats.
      if (v && v.cycle_start && k >= v.cycle_start) {
        cells.forEach(function (c) { c.classList.add('cycle'); });
        if (k === v.cycle_start) {
          no.classList.add('cycle-start');
          no.title += '\nthe cycle starts here: steps ' + v.cycle_start + '-' + v.step + ' repeat forever';
        }
      }
      rows.push(cells);
    }
    if (v) {
      var vrow = place(el('div', 'cell vrow'), stepRow(steps.length + 1), 1);
      vrow.style.gridColumn = '1 / -1';
      vrow.id = 'violation-row';
      var where = v.cycle_start ? 'the cycle of steps ' + v.cycle_start + '-' + v.step + ' repeats forever' : 'step ' + v.step;
      vrow.appendChild(label('\u26a0 ' + where + ': ' + v.message + ' (' + v.kind + ')'));
      vrow.title = violationText();
    }
  }

  grid.addEventListener('click', function (e) {
    var c = e.target.closest('.cell');
    if (!c || c.dataset.step === undefined) return;
    var k = Number(c.dataset.step);
    var lane = c.dataset.lane !== undefined ? Number(c.dataset.lane) : actorLane(k, sel.lane);
    select(k, lane);
  });

  // ---- panel ------------------------------------------------------------------------
  function drawSource() {
    document.getElementById('source-path').textContent = data.model_path;
    srcBox.textContent = '';
    srcLines = data.source.split('\n').map(function (text, i) {
      var line = el('div', 'src-line');
      line.appendChild(el('span', 'ln', i + 1));
      line.appendChild(el('span', 'code', text.replace(/\r$/, '')));
      srcBox.appendChild(line);
      return line;
    });
  }

  function actorLane(k, fallback) { return k > 0 ? steps[k - 1].lanes[0] : fallback; }

  function fillTable(table, items, before, empty) {
    table.textContent = '';
    if (!items.length) {
      var tr = el('tr');
      tr.appendChild(el('td', 'none', empty));
      table.appendChild(tr);
      return;
    }
    items.forEach(function (item, i) {
      var tr = el('tr');
      if (before && before[i] && before[i].value !== item.value) {
        tr.className = 'changed';
        tr.title = 'was ' + before[i].value;
      }
      tr.appendChild(el('td', 'name', item.name));
      tr.appendChild(el('td', 'value', item.value));
      table.appendChild(tr);
    });
  }

  function showPanel() {
    var k = sel.step, lane = sel.lane, state = states[k], prev = k > 0 ? states[k - 1] : null;
    var info = document.getElementById('step-info');
    info.textContent = '';
    if (k === 0) {
      info.appendChild(el('div', 'what', 'Initial state (before step 1 of ' + steps.length + ')'));
    } else {
      var step = steps[k - 1];
      info.appendChild(el('div', 'what', 'Step ' + k + ' of ' + steps.length + ': ' + step.text));
      var list = el('ul', 'changes');
      step.changes.forEach(function (ch) { list.appendChild(el('li', '', ch.name + ': ' + ch.before + ' \u2192 ' + ch.after)); });
      if (!step.changes.length) list.appendChild(el('li', '', 'changes nothing'));
      info.appendChild(list);
    }
    if (v && k === v.step) info.appendChild(el('div', 'viol', '\u26a0 ' + v.kind + ': ' + v.message));
    fillTable(document.getElementById('shared'), state.shared, prev && prev.shared, 'no shared variables');
    var mutexItems = function (s) { return s.mutexes.map(function (m, j) { return { name: mutexes[j], value: m.text }; }); };
    fillTable(document.getElementById('mutex-table'), mutexItems(state), prev && mutexItems(prev), 'no mutexes');
    if (!lanes[lane]) {
      document.getElementById('thread-heading').textContent = 'No threads';
      fillTable(document.getElementById('locals'), [], null, 'no locals');
      return;
    }
    var thread = state.threads[lane], process = lanes[lane].process;
    document.getElementById('thread-heading').textContent = 'Thread ' + lanes[lane].name + ': ' + thread.status +
      (thread.next_line ? ', next ' + (thread.next_at || 'line ' + thread.next_line) : '');
    // Process memory is shared by the process's threads: named with the process, as in a report.
    var prefix = data.processes[process].name + '.';
    var memory = state.memory[process].map(function (it) { return { name: prefix + it.name, value: it.value }; });
    var prevMemory = prev && prev.memory[process].map(function (it) { return { name: it.name, value: it.value }; });
    var items = thread.locals.concat(memory);
    var before = prev && prev.threads[lane].locals.concat(prevMemory);
    fillTable(document.getElementById('locals'), items, before, 'no locals');
    srcLines.forEach(function (line) { line.classList.remove('cur', 'next'); });
    if (thread.next_line && srcLines[thread.next_line - 1]) srcLines[thread.next_line - 1].classList.add('next');
    var cur = k > 0 && steps[k - 1].line ? srcLines[steps[k - 1].line - 1] : null;
    if (cur) {
      cur.classList.add('cur');
      // Scroll the source box only (not the page) so the line is in its middle.
      srcBox.scrollTop = Math.max(0, cur.offsetTop - srcBox.clientHeight / 2);
    }
  }

  function select(k, lane) {
    k = Math.max(0, Math.min(steps.length, k));
    if (rows[sel.step]) rows[sel.step].forEach(function (c) { c.classList.remove('sel'); });
    laneHeads.forEach(function (h) { h.classList.remove('sel-lane'); });
    sel = { step: k, lane: lane };
    rows[k].forEach(function (c) { c.classList.add('sel'); });
    if (laneHeads[lane]) laneHeads[lane].classList.add('sel-lane');
    root.dataset.selectedStep = k;
    root.dataset.selectedLane = lanes[lane] ? lanes[lane].name : '';
    showPanel();
    // The address names the selection, so a link (or a reload) opens the same view.
    try {
      history.replaceState(null, '', '#step=' + k + (lanes[lane] ? '&thread=' + encodeURIComponent(lanes[lane].name) : ''));
    } catch (e) { /* some browsers refuse to touch a file:// address; the view works anyway */ }
  }

  // `#step=9&thread=worker[1]`: the selection a link asks for, else the violating step and
  // the thread that took it.
  function initialSelection() {
    var last = v ? v.step : steps.length;
    var want = { step: last, lane: actorLane(last, 0) };
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var kv = part.split('='), value = decodeURIComponent(kv[1] || '');
      if (kv[0] === 'step' && /^[0-9]+$/.test(value)) {
        want.step = Math.min(steps.length, Number(value));
        want.lane = actorLane(want.step, want.lane);
      }
      if (kv[0] === 'thread') {
        lanes.forEach(function (l, i) { if (l.name === value) want.lane = i; });
      }
    });
    return want;
  }

  function reveal(k) {
    // Keep the selected row visible below the sticky header rows.
    var cell = rows[k][0], head = HEAD_ROWS * 24;
    var top = cell.offsetTop, bottom = top + cell.offsetHeight;
    if (top - head < chart.scrollTop) chart.scrollTop = top - head;
    else if (bottom > chart.scrollTop + chart.clientHeight) chart.scrollTop = bottom - chart.clientHeight + 24;
  }

  document.addEventListener('keydown', function (e) {
    if (!data) return;
    var to = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') to = sel.step + 1;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') to = sel.step - 1;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = steps.length;
    if (to === null) return;
    e.preventDefault();
    select(to, sel.lane);
    reveal(sel.step);
  });

  // ---- self-check -------------------------------------------------------------------
  // Labels whose boxes intersect, counted per area (header, chart, panel) with the chart
  // scrolled to its top: the browser test asserts there are none at 1280x800.
  function countOverlaps() {
    var total = 0, measured = 0;
    [document.getElementById('top'), chart, document.getElementById('panel')].forEach(function (area) {
      var boxes = [];
      area.querySelectorAll('.lbl').forEach(function (e) {
        var r = e.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) boxes.push(r);
      });
      measured += boxes.length;
      boxes.sort(function (a, b) { return a.top - b.top; });
      for (var i = 0; i < boxes.length; i++) {
        for (var j = i + 1; j < boxes.length && boxes[j].top < boxes[i].bottom - 0.5; j++) {
          var dx = Math.min(boxes[i].right, boxes[j].right) - Math.max(boxes[i].left, boxes[j].left);
          if (dx > 0.5) total++;
        }
      }
    });
    return { overlaps: total, measured: measured };
  }

  // Draws `d` (a run: the viewer's data) in the page, replacing what was drawn. With
  // `select` true the selection starts where a link asks (the viewer page); otherwise at
  // the end of the run (explore, after each move).
  function draw(d, fromLink) {
    data = d;
    lanes = d.lanes; steps = d.steps; states = d.states; mutexes = d.mutexes; v = d.violation; posix = d.semantics === 'posix';
    sel = { step: 0, lane: 0 };
    drawHeader();
    drawChart();
    drawSource();
    var start;
    if (fromLink) {
      start = initialSelection();
    } else {
      var last = v ? v.step : steps.length;
      start = { step: last, lane: actorLane(last, 0) };
    }
    select(start.step, start.lane);
    var check = countOverlaps();
    root.dataset.lanes = lanes.length;
    root.dataset.steps = steps.length;
    root.dataset.mutexes = mutexes.length;
    root.dataset.labels = check.measured;
    root.dataset.overlaps = check.overlaps;
    root.dataset.viewport = window.innerWidth + 'x' + window.innerHeight;
    reveal(start.step);
    root.dataset.ready = 'true';
  }

  return { draw: draw, selected: function () { return sel.step; } };
})();

// The viewer page carries its trace; the explore page fetches its run from its server.
(function () {
  var carried = document.getElementById('trace-data');
  if (carried) MutexcheckViewer.draw(JSON.parse(carried.textContent), true);
})();
