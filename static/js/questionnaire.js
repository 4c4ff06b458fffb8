// Questionnaire page: show/hide questions by their show_if rule, keep the progress bar current, and
// autosave the draft a few seconds after a change (the whole form, with its CSRF token, to a JSON endpoint).
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) return;
  var wraps = Array.prototype.slice.call(form.querySelectorAll(".question"));
  var status = document.getElementById("autosave-status");
  var url = form.getAttribute("data-autosave");
  var DELAY = 3000;
  var timer = null, saving = false, again = false;

  function valueOf(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : null;
  }
  function answered(wrap) {
    var inputs = wrap.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") return true;
    }
    return false;
  }
  // Parents come before their children, so one pass in page order settles chains.
  function applyRules() {
    var visible = {};
    var shown = 0, done = 0;
    wraps.forEach(function (wrap) {
      var name = wrap.id.slice(5);
      var parent = wrap.getAttribute("data-show-if");
      var show = !parent || (visible[parent] && valueOf(parent) === wrap.getAttribute("data-equals"));
      visible[name] = show;
      wrap.hidden = !show;
      if (show) { shown++; if (answered(wrap)) done++; }
    });
    showProgress({shown: shown, answered: done, percent: shown ? Math.floor(100 * done / shown) : 100});
  }
  function showProgress(p) {
    var bar = document.getElementById("progress-bar");
    if (!bar) return;
    bar.style.width = p.percent + "%";
    bar.setAttribute("aria-valuenow", p.percent);
    bar.classList.toggle("bg-success", p.percent >= 95);
    document.getElementById("progress-percent").textContent = p.percent + "%";
    document.getElementById("progress-answered").textContent = p.answered;
    document.getElementById("progress-shown").textContent = p.shown;
  }
  function showErrors(errors) {
    wraps.forEach(function (wrap) {
      var name = wrap.id.slice(5);
      var box = document.getElementById("error-" + name);
      var messages = errors[name] || [];
      if (box) box.textContent = messages.join(" ");
      wrap.querySelectorAll("input, textarea").forEach(function (el) { el.classList.toggle("is-invalid", messages.length > 0); });
    });
  }
  // The page gives what to say in the reader's language (data-say-<key>, with %(name)s where a value goes); English
  // when it does not. The status's data-state names what it says, whatever the language (saving, saved, ...).
  function words(key, english, values) {
    var text = form.getAttribute("data-say-" + key) || english;
    Object.keys(values || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
    return text;
  }
  function tell(state, text) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("data-state", state);
  }
  function say(key, english, values) { tell(key, words(key, english, values)); }

  function save() {
    timer = null;
    if (saving) { again = true; return; }
    saving = true;
    say("saving", "Saving…");
    var data = new FormData(form);
    fetch(url, {method: "POST", body: data, credentials: "same-origin",
                headers: {"X-CSRFToken": data.get("csrf_token"), "Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {status: r.status, body: body}; }); })
      .then(function (res) {
        if (res.status === 401 && res.body.session_ended) {
          tell("session-ended", "");
          var link = document.createElement("a");
          link.href = res.body.login_url; link.textContent = words("log-in", "Log in again");
          status.appendChild(document.createTextNode(words("session-ended", "Your session ended; your answers are kept.") + " "));
          status.appendChild(link);
          return;
        }
        if (!res.body.saved) { tell("not-saved", res.body.error || words("not-saved", "Not saved.")); return; }
        showErrors(res.body.errors || {});
        var count = Object.keys(res.body.errors || {}).length;
        var time = new Date().toLocaleTimeString(document.documentElement.lang || undefined);
        if (count) say("saved-errors", "Draft saved %(time)s · answers to correct: %(count)s", {time: time, count: count});
        else say("saved", "Draft saved %(time)s", {time: time});
      })
      .catch(function () { say("offline", "Not saved: no connection. Your answers are still on this page; saving again shortly."); schedule(); })
      .then(function () { saving = false; if (again) { again = false; schedule(); } });
  }
  function schedule() {
    if (!url) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, DELAY);
    say("unsaved", "Unsaved changes…");
  }
  form.addEventListener("change", function () { applyRules(); schedule(); });
  form.addEventListener("input", function () { schedule(); });
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); timer = null; } });
  window.addEventListener("beforeunload", function () { if (timer && navigator.sendBeacon) navigator.sendBeacon(url, new FormData(form)); });
  window.questionnaireAutosave = {save: save, delay: DELAY};
  applyRules();
})();
