// The editor page: Monaco for the code (the textarea stays the form field), dependency rows checked as you type,
// the cron preview, copying the webhook URL and the "Try it" panel.
(function () {
  "use strict";
  var csrfHeader = document.querySelector('meta[name="csrf-header"]');
  var csrfToken = document.querySelector('meta[name="csrf-token"]');
  var form = document.getElementById("script-form");
  var codeField = document.getElementById("code");
  var editor = null;

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json();
    });
  }

  function currentCode() {
    return editor ? editor.getValue() : codeField.value;
  }

  // --- Monaco, from the WebJar through its AMD loader; without it the plain textarea still works
  if (window.require && window.require.config) {
    window.require.config({ paths: { vs: "/webjars/monaco-editor/0.52.2/min/vs" } });
    window.require(["vs/editor/editor.main"], function () {
      var host = document.getElementById("monaco");
      editor = window.monaco.editor.create(host, {
        value: codeField.value,
        language: "javascript",
        ariaLabel: "Code",
        automaticLayout: true,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 13,
        tabSize: 2
      });
      codeField.hidden = true;
      host.classList.add("ready");
      window.cronhookEditor = editor;
    });
  }
  form.addEventListener("submit", function () {
    codeField.value = currentCode();
  });

  // --- dependencies
  var rows = document.getElementById("dependency-rows");
  var template = document.getElementById("dep-template");

  var check = debounce(function (row) {
    var name = row.querySelector(".dep-name").value.trim();
    var range = row.querySelector(".dep-range").value;
    var error = row.querySelector(".dep-error");
    if (!name && !range.trim()) {
      error.hidden = true;
      return;
    }
    getJson("/scripts/check-dependency?name=" + encodeURIComponent(name) + "&range=" + encodeURIComponent(range))
      .then(function (result) {
        var problems = [result.name, result.range].filter(Boolean);
        row.querySelector(".dep-name").setAttribute("aria-invalid", result.name ? "true" : "false");
        row.querySelector(".dep-range").setAttribute("aria-invalid", result.range ? "true" : "false");
        error.textContent = problems.join("; ");
        error.hidden = problems.length === 0;
      });
  }, 250);

  function wire(row) {
    row.querySelector(".dep-name").addEventListener("input", function () { check(row); });
    row.querySelector(".dep-range").addEventListener("input", function () { check(row); });
    row.querySelector(".remove-dep").addEventListener("click", function () { row.remove(); });
  }
  rows.querySelectorAll(".dep-row").forEach(wire);
  document.getElementById("add-dependency").addEventListener("click", function () {
    var row = template.content.firstElementChild.cloneNode(true);
    var n = rows.children.length;
    row.querySelector(".dep-name").id = "dep-name-" + n;
    row.querySelector(".dep-range").id = "dep-range-" + n;
    rows.appendChild(row);
    wire(row);
    row.querySelector(".dep-name").focus();
  });

  function dependencies() {
    var out = {};
    rows.querySelectorAll(".dep-row").forEach(function (row) {
      var name = row.querySelector(".dep-name").value.trim();
      if (name) out[name] = row.querySelector(".dep-range").value.trim();
    });
    return out;
  }

  // --- cron preview: in words, the next fire times in the chosen zone, or what is wrong
  var cronBox = document.getElementById("cron");
  var cronFields = document.getElementById("cron-fields");
  var expression = document.getElementById("cron-expression");
  var zone = document.getElementById("cron-timezone");
  var preview = debounce(function () {
    getJson("/scripts/cron-preview?expression=" + encodeURIComponent(expression.value) +
      "&timezone=" + encodeURIComponent(zone.value)).then(function (p) {
      var error = document.getElementById("cron-expression-error");
      var message = p.errors["cron.expression"] || p.errors["cron.timezone"] || "";
      error.textContent = message;
      error.hidden = !message;
      expression.setAttribute("aria-invalid", message ? "true" : "false");
      document.getElementById("cron-preview").textContent = p.description || "";
      var list = document.getElementById("cron-next");
      list.textContent = "";
      p.next.forEach(function (t) {
        var li = document.createElement("li");
        li.textContent = t;
        list.appendChild(li);
      });
    });
  }, 250);
  expression.addEventListener("input", preview);
  zone.addEventListener("change", preview);
  function toggleCron() { cronFields.classList.toggle("off", !cronBox.checked); }
  cronBox.addEventListener("change", toggleCron);
  toggleCron();

  // --- webhook URL copy
  var copy = document.getElementById("copy-webhook");
  if (copy) {
    copy.addEventListener("click", function () {
      var input = document.querySelector(copy.dataset.copy);
      input.select();
      var done = function () {
        copy.textContent = "Copied";
        setTimeout(function () { copy.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, done);
      else { document.execCommand("copy"); done(); }
    });
  }

  // --- Try it: the unsaved code, its dependencies and the sample event, run once
  var tryButton = document.getElementById("try-button");
  var output = document.getElementById("try-output");
  var eventField = document.getElementById("try-event");
  var eventError = document.getElementById("try-event-error");

  function section(title, text, id) {
    var h = document.createElement("h3");
    h.textContent = title;
    var pre = document.createElement("pre");
    pre.textContent = text;
    if (id) pre.id = id;
    output.appendChild(h);
    output.appendChild(pre);
  }

  function show(ok, body, httpStatus) {
    output.hidden = false;
    output.textContent = "";
    var head = document.createElement("p");
    head.id = "try-status";
    if (!ok) {
      head.className = "alert error";
      head.textContent = (body.title || ("HTTP " + httpStatus)) + ": " + (body.detail || "the try-out failed");
      output.appendChild(head);
      if (body.errors && body.errors.length) {
        var ul = document.createElement("ul");
        body.errors.forEach(function (e) {
          var li = document.createElement("li");
          li.textContent = e.field + ": " + e.message;
          ul.appendChild(li);
        });
        output.appendChild(ul);
      }
      return;
    }
    head.className = "alert " + (body.status === "SUCCEEDED" ? "ok" : "error");
    head.textContent = body.status + (body.durationMs != null ? " in " + body.durationMs + " ms" : "");
    output.appendChild(head);
    if (body.error) section("Error", body.error, "try-error");
    if (body.reply) section("HTTP reply", JSON.stringify(body.reply, null, 2), "try-reply");
    else if (body.result !== undefined) section("Result", JSON.stringify(body.result, null, 2), "try-result");
    var logs = (body.logs || []).map(function (l) {
      return (l.stream === "stderr" ? "! " : "  ") + l.text;
    }).join("\n");
    section("Logs", logs || "(no output)", "try-logs");
  }

  tryButton.addEventListener("click", function () {
    var event;
    try {
      event = JSON.parse(eventField.value || "{}");
      if (event === null || typeof event !== "object" || Array.isArray(event)) throw new Error("must be a JSON object");
      eventError.hidden = true;
      eventField.setAttribute("aria-invalid", "false");
    } catch (e) {
      eventError.textContent = "The sample event is not a JSON object: " + e.message;
      eventError.hidden = false;
      eventField.setAttribute("aria-invalid", "true");
      return;
    }
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (csrfHeader && csrfToken) headers[csrfHeader.content] = csrfToken.content;
    tryButton.disabled = true;
    tryButton.textContent = "Running…";
    fetch("/scripts/try", {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify({ code: currentCode(), dependencies: dependencies(), event: event })
    }).then(function (r) {
      return r.text().then(function (text) {
        var body;
        try { body = text ? JSON.parse(text) : {}; } catch (e) { body = { detail: text }; }
        show(r.ok, body, r.status);
      });
    }).catch(function (e) {
      show(false, { title: "Network error", detail: e.message });
    }).finally(function () {
      tryButton.disabled = false;
      tryButton.textContent = "Try it";
    });
  });
})();
