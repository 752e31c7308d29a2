// The editor page: Monaco for the code (the textarea stays the form field), dependency rows checked as you type,
// the cron preview, copying the webhook URL, the outbound-network hosts and the "Try it" panel.
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

  // --- the language: Monaco's mode, and a new script's template when its code is still the other one's
  var languageField = document.getElementById("language");
  function language() {
    return languageField ? languageField.value : "node";
  }
  function monacoLanguage() {
    return language() === "python" ? "python" : "javascript";
  }
  function templateOf(name) {
    var element = document.getElementById("template-" + name);
    return element ? element.value : null;
  }
  if (languageField) {
    var previousLanguage = language();
    languageField.addEventListener("change", function () {
      var before = templateOf(previousLanguage);
      var after = templateOf(language());
      var code = currentCode();
      if (after !== null && (!code.trim() || (before !== null && code.trim() === before.trim()))) {
        if (editor) editor.setValue(after);
        else codeField.value = after;
      }
      if (editor) window.monaco.editor.setModelLanguage(editor.getModel(), monacoLanguage());
      previousLanguage = language();
    });
  }

  // --- Monaco, from the WebJar through its AMD loader; without it the plain textarea still works
  if (window.require && window.require.config) {
    // absolute URLs: the language workers resolve module paths against their own (blob-less) scope, where a bare
    // "/webjars/..." cannot be parsed; the worker itself comes from this origin (worker-src 'self')
    var vs = window.location.origin + "/webjars/monaco-editor/0.52.2/min/vs";
    window.MonacoEnvironment = {
      getWorkerUrl: function () { return vs + "/base/worker/workerMain.js"; }
    };
    window.require.config({ paths: { vs: vs } });
    window.require(["vs/editor/editor.main"], function () {
      var host = document.getElementById("monaco");
      editor = window.monaco.editor.create(host, {
        value: codeField.value,
        language: monacoLanguage(),
        ariaLabel: "Code",
        automaticLayout: true,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 13,
        tabSize: 2
      });
      codeField.hidden = true;
      // the server's syntax error of a refused save, where it is in the code
      var refused = document.getElementById("code-error");
      var at = refused && /line (\d+), column (\d+): (.*)$/.exec(refused.textContent);
      if (at) {
        var line = Number(at[1]), column = Number(at[2]);
        window.monaco.editor.setModelMarkers(editor.getModel(), "cronhook-save", [{
          startLineNumber: line, startColumn: column, endLineNumber: line, endColumn: column + 1,
          message: at[3], severity: window.monaco.MarkerSeverity.Error
        }]);
        editor.revealLineInCenter(line);
        editor.setPosition({ lineNumber: line, column: column });
      }
      host.classList.add("ready");
      window.cronhookEditor = editor;
    });
  }
  form.addEventListener("submit", function () {
    codeField.value = currentCode();
    leaving = true;
  });

  // a reply as its caller sees it: status line, headers, then the body (pretty when it is JSON)
  function replyText(reply) {
    var head = ["HTTP " + reply.status];
    Object.keys(reply.headers || {}).forEach(function (name) {
      (reply.headers[name] || []).forEach(function (value) { head.push(name + ": " + value); });
    });
    var body = reply.body == null ? "" : String(reply.body);
    if (reply.base64) body = "(binary, base64) " + body;
    else {
      try {
        body = JSON.stringify(JSON.parse(body), null, 2);
      } catch (e) {
        // not JSON: as it is
      }
    }
    return head.join("\n") + "\n\n" + body;
  }

  // --- starting points (a new script): replace the code, asking first if it was changed since the last one chosen
  var starting = document.getElementById("starting-point");
  if (starting) {
    var chosenCode = codeField.value;
    var templateCode = codeField.value;
    var chosen = "";
    starting.addEventListener("change", function () {
      if (currentCode() !== chosenCode && !window.confirm("Replace the code you wrote with this starting point?")) {
        starting.value = chosen;
        return;
      }
      var source = document.getElementById("starting-point-" + starting.value);
      chosenCode = source ? source.value : templateCode;
      chosen = starting.value;
      if (editor) editor.setValue(chosenCode);
      else codeField.value = chosenCode;
      if (chosen === "cron" && !cronBox.checked) {
        cronBox.checked = true;
        cronBox.dispatchEvent(new Event("change"));
      }
    });
  }

  // --- unsaved changes: the script form's fields and code as the page came, against what they are now
  var leaving = false;
  function snapshot() {
    var fields = new FormData(form);
    fields.delete("code");
    return currentCode() + "\u0000" + new URLSearchParams(fields).toString();
  }
  var initial = snapshot();
  function unsaved() {
    return !leaving && snapshot() !== initial;
  }
  window.cronhookUnsaved = unsaved;
  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // "Run now" from the try panel takes its sample event along; the header's runs with an empty one
  var runNow = document.getElementById("run-now");
  if (runNow) {
    runNow.addEventListener("submit", function (event) {
      var withEvent = event.submitter && event.submitter.id === "run-now-with-event";
      document.getElementById("run-now-event-json").value =
        withEvent ? document.getElementById("try-event").value : "";
    });
  }

  // every other form of the page (secrets, rotate, run now, delete) leaves it: confirm first, then guard the changes
  document.querySelectorAll("form").forEach(function (other) {
    if (other === form) return;
    other.addEventListener("submit", function (event) {
      var question = other.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        return;
      }
      if (unsaved() && !window.confirm("Your changes to the script are not saved and will be lost. Leave them?")) {
        event.preventDefault();
        return;
      }
      leaving = true;
    });
  });

  // --- dependencies
  var rows = document.getElementById("dependency-rows");
  var template = document.getElementById("dep-template");

  var check = debounce(function (row) {
    var name = row.querySelector(".dep-name").value.trim();
    var range = row.querySelector(".dep-range").value;
    var error = row.querySelector(".dep-error");
    // npm names and ranges only: a Python requirement is checked when the script is saved
    if ((!name && !range.trim()) || language() === "python") {
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

  // --- outbound network: one host per line, as the form sends it (blank lines left out)
  var egressField = document.getElementById("egress-allow");
  var egressError = document.getElementById("egress-error");

  function egressHosts() {
    return egressField.value.split(/\r?\n/).map(function (line) { return line.trim(); })
      .filter(function (line) { return line.length > 0; });
  }

  // a refused allow-list's reasons next to the field: "egress.allow[i]" names the i-th host (from 0)
  function showEgressErrors(errors) {
    var messages = (errors || []).filter(function (e) { return e.field && e.field.indexOf("egress") === 0; })
      .map(function (e) {
        var m = /^egress\.allow\[(\d+)\]$/.exec(e.field);
        return (m ? "host " + (Number(m[1]) + 1) + ": " : "") + e.message;
      });
    egressError.textContent = messages.join("; ");
    egressError.hidden = messages.length === 0;
    egressField.setAttribute("aria-invalid", messages.length ? "true" : "false");
  }

  // --- Try it: the unsaved code, its dependencies and the sample event, run once. The answer is a stream of
  // server-sent events (install lines, log lines, then the result or an error), shown as they arrive.
  var tryButton = document.getElementById("try-button");
  var output = document.getElementById("try-output");
  var eventField = document.getElementById("try-event");
  var eventError = document.getElementById("try-event-error");

  function element(tag, text, id, className) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (id) e.id = id;
    if (className) e.className = className;
    return e;
  }

  function section(title, text, id) {
    output.appendChild(element("h3", title));
    output.appendChild(element("pre", text, id));
  }

  function problem(body, httpStatus) {
    showEgressErrors(body.errors);
    var head = document.getElementById("try-status");
    head.className = "alert error";
    head.textContent = (body.title || ("HTTP " + httpStatus)) + ": " + (body.detail || "the try-out failed");
    if (body.errors && body.errors.length) {
      var ul = element("ul", null, "try-errors");
      body.errors.forEach(function (e) { ul.appendChild(element("li", e.field + ": " + e.message)); });
      head.after(ul);
    }
    output.dataset.state = "done";
  }

  // the panel while the try-out runs: a status line, the install's lines (when there are any) and the logs
  function start() {
    output.hidden = false;
    output.textContent = "";
    output.dataset.state = "running";
    output.appendChild(element("p", "Waiting for a try-out worker…", "try-status", "alert"));
    var install = element("details", null, "try-install-box");
    install.open = true;
    install.hidden = true;
    install.appendChild(element("summary", "Installing dependencies"));
    install.appendChild(element("pre", "", "try-install"));
    output.appendChild(install);
    output.appendChild(element("h3", "Logs"));
    output.appendChild(element("pre", "", "try-logs"));
  }

  function append(id, text) {
    var pre = document.getElementById(id);
    var line = element("span", text + "\n", null, "line");
    pre.appendChild(line);
  }

  var handlers = {
    started: function (data) {
      var status = document.getElementById("try-status");
      if (data.attempt > 1) {
        // another worker took it over from one that stopped: it starts again from the beginning
        document.getElementById("try-install").textContent = "";
        document.getElementById("try-logs").textContent = "";
        status.textContent = "Running again (attempt " + data.attempt + "): the first try-out worker stopped…";
      } else {
        status.textContent = "Running…";
      }
    },
    install: function (data) {
      document.getElementById("try-install-box").hidden = false;
      document.getElementById("try-status").textContent = "Installing dependencies…";
      append("try-install", (data.stream === "stderr" ? "! " : "  ") + data.text);
    },
    log: function (data) {
      document.getElementById("try-status").textContent = "Running…";
      append("try-logs", (data.stream === "stderr" ? "! " : "  ") + data.text);
    },
    result: function (body) {
      var head = document.getElementById("try-status");
      head.className = "alert " + (body.status === "SUCCEEDED" ? "ok" : "error");
      head.textContent = body.status + (body.durationMs != null ? " in " + body.durationMs + " ms" : "");
      var logs = document.getElementById("try-logs");
      if (!logs.textContent) logs.textContent = "(no output)";
      if (body.error) section("Error", body.error, "try-error");
      if (body.reply) section("HTTP reply", replyText(body.reply), "try-reply");
      else if (body.result !== undefined) section("Result", JSON.stringify(body.result, null, 2), "try-result");
      var install = document.getElementById("try-install-box");
      var lines = install.querySelectorAll(".line").length;
      install.querySelector("summary").textContent = "Dependency install (" + lines + (lines === 1 ? " line)" : " lines)");
      if (body.status === "SUCCEEDED") install.open = false;
      output.dataset.state = "done";
    },
    error: function (body) { problem(body); }
  };

  // reads "event: <name>\ndata: <json>\n\n" blocks from the response body as they arrive
  function readEvents(response) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(block) {
      var name = "message", data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length && handlers[name]) handlers[name](JSON.parse(data.join("\n")));
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (buffer.trim()) dispatch(buffer);
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var blocks = buffer.split(/\r?\n\r?\n/);
        buffer = blocks.pop();
        blocks.forEach(dispatch);
        return pump();
      });
    }
    return pump();
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
    var headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
    if (csrfHeader && csrfToken) headers[csrfHeader.content] = csrfToken.content;
    showEgressErrors([]);
    tryButton.disabled = true;
    tryButton.textContent = "Running…";
    start();
    fetch("/scripts/try", {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify({ code: currentCode(), dependencies: dependencies(), event: event, language: language(),
        scriptId: document.getElementById("try-button").dataset.scriptId || null,
        egress: { allow: egressHosts() } })
    }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (r.ok && type.indexOf("text/event-stream") === 0) return readEvents(r);
      return r.text().then(function (text) {
        var body;
        try { body = text ? JSON.parse(text) : {}; } catch (e) { body = { detail: text }; }
        problem(body, r.status);
      });
    }).catch(function (e) {
      problem({ title: "Network error", detail: e.message });
    }).finally(function () {
      if (output.dataset.state !== "done") problem({ title: "Try-out interrupted", detail: "the connection ended before the result" });
      tryButton.disabled = false;
      tryButton.textContent = "Try it";
    });
  });
})();
