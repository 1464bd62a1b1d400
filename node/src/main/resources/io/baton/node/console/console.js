// Baton web console: refreshes the live part of the page every second, and asks before it acts.
// No framework, no build step: the node serves this file as it is.
(function () {
  'use strict';
  var REFRESH_MS = 1000;
  // A node that is stopped (SIGSTOP, a hung VM) accepts the connection and never answers: without a
  // bound the page would wait forever and keep showing the old state as if it were current. An action
  // waits longer than the node's own 10 s bound, so that the node's answer, not ours, says what happened.
  var ANSWER_MS = 5000;
  var ACTION_ANSWER_MS = 15000;
  var live = document.getElementById('live');
  var notice = document.getElementById('notice');
  var confirmBox = document.getElementById('confirm');
  var confirmText = document.getElementById('confirm-text');
  var choiceLabel = document.getElementById('confirm-choice-label');
  var choice = document.getElementById('confirm-choice');
  var pending = null;
  var timer = null;
  var shown = null;

  function say(text, bad) {
    notice.textContent = text;
    notice.className = bad ? 'bad' : 'ok';
  }

  function request(method, path, body, within) {
    var abort = new AbortController();
    setTimeout(function () { abort.abort(); }, within); // no effect once the answer is read
    return fetch(path, {
      method: method,
      signal: abort.signal,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? { 'X-Baton-Console': '1' }
        : { 'X-Baton-Console': '1', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body
    });
  }

  function refresh() {
    clearTimeout(timer);
    request('GET', '/console/live', undefined, ANSWER_MS).then(function (r) {
      return r.text().then(function (text) {
        if (r.status === 200) {
          // Replaced only when it changed: a button is not swapped under the pointer for nothing.
          if (text !== shown) { live.innerHTML = text; shown = text; }
          if (notice.dataset.stale === 'yes') { say('', false); notice.dataset.stale = ''; }
        } else {
          say(text.trim(), true);
          notice.dataset.stale = 'yes';
        }
      });
    }).catch(function (e) {
      var why = e.name === 'AbortError' ? 'no answer within ' + ANSWER_MS / 1000 + ' s' : e.message;
      say('This node does not answer (' + why + '): what the page shows may be out of date.', true);
      notice.dataset.stale = 'yes';
    }).then(function () {
      timer = setTimeout(refresh, REFRESH_MS);
    });
  }

  // What each button asks before it acts.
  var QUESTIONS = {
    'move': function (b) { return 'Move group ' + b.dataset.group + ' from ' + (b.dataset.owner || 'nowhere') + ' to'; },
    'start': function (b) { return 'Start group ' + b.dataset.group + ' on'; },
    'stop': function (b) {
      return 'Stop group ' + b.dataset.group + (b.dataset.owner ? ' on ' + b.dataset.owner : '') +
        '? Its application stops and it stays offline until started.';
    },
    'maintenance-on': function (b) {
      return 'Put group ' + b.dataset.group + ' in maintenance? No automatic start, failover, takeover or failback until it ends.';
    },
    'maintenance-off': function (b) { return 'End maintenance of group ' + b.dataset.group + '?'; }
  };

  function ask(button) {
    var action = button.dataset.action;
    pending = { action: action, group: button.dataset.group };
    confirmText.textContent = QUESTIONS[action](button);
    choice.innerHTML = '';
    var targets = (button.dataset.targets || '').split(' ').filter(Boolean);
    if (action === 'move' || action === 'start') {
      if (action === 'start') { targets.unshift(''); }
      targets.forEach(function (t) {
        var o = document.createElement('option');
        o.value = t;
        o.textContent = t === '' ? 'its preferred node' : t;
        choice.appendChild(o);
      });
      choiceLabel.hidden = false;
    } else {
      choiceLabel.hidden = true;
    }
    confirmBox.hidden = false;
    document.getElementById('confirm-yes').focus();
  }

  function act() {
    if (!pending) { return; }
    var form = new URLSearchParams();
    form.set('action', pending.action);
    form.set('group', pending.group);
    if (pending.action === 'move') { form.set('to', choice.value); }
    if (pending.action === 'start' && choice.value) { form.set('on', choice.value); }
    var what = pending.action + ' ' + pending.group;
    pending = null;
    confirmBox.hidden = true;
    say(what + ': sent…', false);
    request('POST', '/console/action', form.toString(), ACTION_ANSWER_MS).then(function (r) {
      return r.text().then(function (text) { say(what + ': ' + text.trim(), r.status !== 200); });
    }).catch(function (e) {
      say(what + ': no answer (' + (e.name === 'AbortError' ? 'none within ' + ACTION_ANSWER_MS / 1000 + ' s'
        : e.message) + '); run batonctl status to see whether it was done', true);
    }).then(refresh);
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-action]');
    if (button && !button.disabled) { ask(button); }
  });
  document.getElementById('confirm-yes').addEventListener('click', act);
  document.getElementById('confirm-no').addEventListener('click', function () {
    pending = null;
    confirmBox.hidden = true;
  });
  var signOut = document.getElementById('sign-out');
  if (signOut) {
    signOut.addEventListener('click', function () {
      request('POST', '/console/sign-out', '', ANSWER_MS).then(function () { window.location.reload(); });
    });
  }
  timer = setTimeout(refresh, REFRESH_MS);
})();
