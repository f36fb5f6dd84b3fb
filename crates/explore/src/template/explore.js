// mutexcheck explore: lists the enabled moves, sends the one picked to the server, and draws
// the run it answers with the trace viewer's MutexcheckViewer.draw. Plain JavaScript, no
// network beyond this page's own server. User text goes in through textContent only.
(function () {
  'use strict';
  var root = document.getElementById('explore');
  var statusBox = document.getElementById('status');
  var movesList = document.getElementById('moves');
  var undo = document.getElementById('undo');
  var back = document.getElementById('back');
  var save = document.getElementById('save');
  var saved = document.getElementById('saved');
  var version = 0, busy = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // Every answer bumps data-version: a test (or a curious reader) knows the page is settled.
  function settled() {
    version++;
    root.dataset.version = version;
  }

  function showError(message) {
    statusBox.className = 'error';
    statusBox.textContent = message;
    root.dataset.error = message;
  }

  // Sends a request; resolves to the JSON answer, or to null after showing the error.
  function request(method, path) {
    busy = true;
    return fetch(path, { method: method, cache: 'no-store' }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    }).then(function (res) {
      busy = false;
      if (res.ok) {
        delete root.dataset.error;
        return res.body;
      }
      showError((res.body && res.body.error) || 'HTTP ' + res.status);
      return null;
    }, function (e) {
      busy = false;
      showError('the explore server does not answer (was it stopped?): ' + e);
      return null;
    });
  }

  function show(st) {
    if (!st) return settled();
    MutexcheckViewer.draw(st.view, false);
    statusBox.className = st.status;
    if (st.status === 'violation') {
      statusBox.textContent = '\u26a0 Step ' + st.steps + ': violation (' + st.violation.kind + '): ' +
        st.violation.message;
    } else if (st.status === 'ended') {
      statusBox.textContent = 'Step ' + st.steps + ': the run has ended (nothing can move) and broke no property.';
    } else {
      statusBox.textContent = (st.steps ? 'Step ' + st.steps : 'Initial state') + ': pick the next move (' +
        st.moves.length + ' enabled).';
    }
    movesList.textContent = '';
    st.moves.forEach(function (m) {
      var li = el('li');
      var b = el('button', 'move ' + m.action, m.text);
      b.type = 'button';
      b.dataset.move = m.index;
      b.dataset.actor = m.actor;
      b.dataset.action = m.action;
      b.dataset.outcome = m.outcome;
      b.title = 'move ' + m.index + ': ' + m.text;
      li.appendChild(b);
      movesList.appendChild(li);
    });
    if (!st.moves.length) {
      movesList.appendChild(el('li', 'none', st.status === 'violation'
        ? 'none: a run stops at its first violation (undo, or go back to a step, to branch off)'
        : 'none: nothing can move'));
    }
    undo.disabled = st.steps === 0;
    back.disabled = st.steps === 0;
    save.disabled = st.status !== 'violation';
    save.title = st.status === 'violation'
      ? 'write the run as a trace that mutexcheck replay accepts'
      : 'a trace is a counterexample: break a property first';
    root.dataset.status = st.status;
    root.dataset.steps = st.steps;
    root.dataset.moves = st.moves.length;
    root.dataset.path = st.path.join(',');
    settled();
  }

  movesList.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-move]');
    if (!b || busy) return;
    saved.textContent = '';
    request('POST', '/api/move/' + b.dataset.move).then(show);
  });
  undo.addEventListener('click', function () {
    if (busy) return;
    saved.textContent = '';
    request('POST', '/api/undo').then(show);
  });
  back.addEventListener('click', function () {
    if (busy) return;
    saved.textContent = '';
    request('POST', '/api/back/' + MutexcheckViewer.selected()).then(show);
  });
  save.addEventListener('click', function () {
    if (busy) return;
    request('POST', '/api/save').then(function (res) {
      if (res) {
        saved.textContent = 'Saved ' + res.steps + ' steps to ' + res.path + ' (replay: mutexcheck replay ' + res.path + ')';
        root.dataset.saved = res.path;
      }
      settled();
    });
  });

  request('GET', '/api/state').then(show);
})();
