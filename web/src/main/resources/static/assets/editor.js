// The editor page: the script's files in a tree and Monaco (each file's textarea stays its form field), dependency
// rows checked as you type, the cron preview, copying the webhook URL, the outbound-network hosts and the "Try it" panel.
(function () {
  "use strict";
  var csrfHeader = document.querySelector('meta[name="csrf-header"]');
  var csrfToken = document.querySelector('meta[name="csrf-token"]');
  var form = document.getElementById("script-form");
  var codeField = document.getElementById("code");
  var readOnly = document.getElementById("script-fields").disabled;
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

  // --- the files: the entry (the form's "code") and the others (repeated filePath/fileContent fields), one block
  // each. Without this script every block shows, the last an empty slot to add a file; with it a tree picks the one
  // shown, and with Monaco each file is a model of the one editor. The rules are SourceFiles' (the server checks again).
  var filesBox = document.getElementById("files");
  var rules = JSON.parse(filesBox.dataset.rules);
  var maxFiles = Number(filesBox.dataset.maxFiles);
  var maxPath = Number(filesBox.dataset.maxPath);
  var maxDepth = Number(filesBox.dataset.maxDepth);
  var tree = document.getElementById("file-tree");
  var fileError = document.getElementById("file-action-error");
  var fileTemplate = document.getElementById("file-template");
  var files = [];
  var selected = null;

  function fileOf(block) {
    return {
      path: block.dataset.path,
      entry: block.dataset.entry === "true",
      block: block,
      field: block.querySelector("textarea"),
      pathField: block.querySelector(".file-path"),
      model: null
    };
  }
  var spare = filesBox.querySelector(".spare-file");
  if (spare) spare.remove();
  filesBox.querySelectorAll(".source-file").forEach(function (block) { files.push(fileOf(block)); });
  var entry = files[0];
  filesBox.classList.add("with-tree");
  document.getElementById("file-bar").hidden = false;
  if (readOnly) document.querySelector(".file-actions").hidden = true;

  function textOf(file) {
    return file.model ? file.model.getValue() : file.field.value;
  }
  function currentCode() {
    return textOf(entry);
  }
  function setEntryText(text) {
    if (entry.model) entry.model.setValue(text);
    else entry.field.value = text;
  }
  function languageOf(path) {
    if (path === entry.path) return monacoLanguage();
    if (/\.(mjs|cjs|js)$/.test(path)) return "javascript";
    if (/\.ts$/.test(path)) return "typescript";
    if (/\.json$/.test(path)) return "json";
    if (/\.py$/.test(path)) return "python";
    if (/\.md$/.test(path)) return "markdown";
    return "plaintext";
  }
  function directoryOf(path) {
    var slash = path.lastIndexOf("/");
    return slash < 0 ? "" : path.slice(0, slash);
  }

  // the entry first, then the files beside it, then each directory's files under its name
  function renderTree() {
    tree.textContent = "";
    var others = files.filter(function (f) { return !f.entry; }).sort(function (a, b) {
      var da = directoryOf(a.path), db = directoryOf(b.path);
      if (da !== db) return da === "" ? -1 : db === "" ? 1 : da < db ? -1 : 1;
      return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    });
    var directory = "";
    [entry].concat(others).forEach(function (file) {
      var dir = file.entry ? "" : directoryOf(file.path);
      if (dir !== directory) {
        var head = document.createElement("li");
        head.className = "file-dir";
        head.textContent = dir + "/";
        tree.appendChild(head);
        directory = dir;
      }
      var item = document.createElement("li");
      item.className = "file-item" + (dir ? " nested" : "") + (file === selected ? " selected" : "");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", file === selected ? "true" : "false");
      item.tabIndex = 0;
      item.dataset.path = file.path;
      item.textContent = dir ? file.path.slice(dir.length + 1) : file.path;
      if (file.entry) item.appendChild(element("span", " entry", null, "muted small entry-mark"));
      var error = file.block.querySelector(".field-error:not([hidden])");
      if (error && error.textContent) {
        item.classList.add("invalid");
        item.title = error.textContent;
      }
      item.addEventListener("click", function () { select(file); });
      item.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(file);
        }
      });
      tree.appendChild(item);
    });
    document.getElementById("rename-file").disabled = !selected || selected.entry;
    document.getElementById("delete-file").disabled = !selected || selected.entry;
  }

  function select(file) {
    selected = file;
    files.forEach(function (f) { f.block.hidden = f !== file; });
    if (editor && file.model) {
      editor.setModel(file.model);
      editor.updateOptions({ ariaLabel: "Code of " + file.path });
    }
    fileError.hidden = true;
    renderTree();
  }

  function pathProblem(path, except) {
    var rule = rules[language()] || rules.node;
    if (!path) return "a file needs a path";
    if (path.length > maxPath) return "a path has at most " + maxPath + " characters";
    var segments = path.split("/");
    if (segments.length > maxDepth) return "a path is at most " + maxDepth + " levels deep";
    var bad = segments.some(function (segment) { return !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(segment); });
    if (bad) {
      return "is not a relative path of letters, digits, '.', '_' and '-' (no leading dot, no '..', '/' between " +
        "directories)";
    }
    if (path === rule.manifest) return "dependencies are given in the Dependencies rows here, not as a " + path;
    if (rule.reserved.indexOf(path) >= 0 || path === rule.dependencyDir || path.indexOf(rule.dependencyDir + "/") === 0) {
      return "is a name Cronhook's image uses itself; rename the file";
    }
    if (path === entry.path) return "is the entry's name";
    var taken = files.some(function (f) { return f !== except && f.path === path; });
    if (taken) return "there is already a file " + path;
    return null;
  }

  function refuse(path, problem) {
    fileError.textContent = (path ? path + ": " : "") + problem;
    fileError.hidden = false;
  }

  function addModel(file) {
    if (!window.monaco || !editor) return;
    file.model = window.monaco.editor.createModel(file.field.value, languageOf(file.path),
      window.monaco.Uri.parse("file:///" + file.path));
  }

  document.getElementById("new-file").addEventListener("click", function () {
    if (files.length >= maxFiles) {
      refuse("", "a script has at most " + maxFiles + " files");
      return;
    }
    var path = window.prompt("Path of the new file (e.g. lib/util.mjs):", "");
    if (path === null) return;
    path = path.trim();
    var problem = pathProblem(path, null);
    if (problem) {
      refuse(path, problem);
      return;
    }
    var block = fileTemplate.content.firstElementChild.cloneNode(true);
    block.dataset.path = path;
    filesBox.appendChild(block);
    var file = fileOf(block);
    file.pathField.value = path;
    file.field.setAttribute("aria-label", "Content of " + path);
    files.push(file);
    addModel(file);
    select(file);
    if (editor) editor.focus();
  });

  document.getElementById("rename-file").addEventListener("click", function () {
    var file = selected;
    if (!file || file.entry) return;
    var path = window.prompt("New path of " + file.path + ":", file.path);
    if (path === null) return;
    path = path.trim();
    if (path === file.path) return;
    var problem = pathProblem(path, file);
    if (problem) {
      refuse(path, problem);
      return;
    }
    var text = textOf(file);
    file.path = path;
    file.block.dataset.path = path;
    file.pathField.value = path;
    file.field.value = text;
    file.field.setAttribute("aria-label", "Content of " + path);
    if (file.model) {
      // a model's URI is fixed: the renamed file gets a new one, and the old one goes
      var old = file.model;
      addModel(file);
      old.dispose();
    }
    select(file);
  });

  document.getElementById("delete-file").addEventListener("click", function () {
    var file = selected;
    if (!file || file.entry) return;
    if (!window.confirm("Delete " + file.path + "? It is gone from the script when you save.")) return;
    files.splice(files.indexOf(file), 1);
    file.block.remove();
    if (file.model) file.model.dispose();
    select(entry);
  });

  // the entry's name follows the language (index.mjs, main.py)
  function renameEntry() {
    var rule = rules[language()] || rules.node;
    entry.path = rule.entry;
    entry.block.dataset.path = rule.entry;
    entry.block.querySelector(".entry-name").textContent = rule.entry;
    renderTree();
  }

  if (languageField) {
    var previousLanguage = language();
    languageField.addEventListener("change", function () {
      var before = templateOf(previousLanguage);
      var after = templateOf(language());
      var code = currentCode();
      if (after !== null && (!code.trim() || (before !== null && code.trim() === before.trim()))) {
        setEntryText(after);
      }
      if (entry.model) window.monaco.editor.setModelLanguage(entry.model, monacoLanguage());
      previousLanguage = language();
      renameEntry();
    });
  }
  select(entry);

  // a refused save's syntax errors, where they are in each file
  function markRefused(file) {
    var refused = file.block.querySelector(".field-error");
    var at = refused && /line (\d+), column (\d+): (.*)$/.exec(refused.textContent);
    if (!at || !file.model) return false;
    var line = Number(at[1]), column = Number(at[2]);
    window.monaco.editor.setModelMarkers(file.model, "cronhook-save", [{
      startLineNumber: line, startColumn: column, endLineNumber: line, endColumn: column + 1,
      message: at[3], severity: window.monaco.MarkerSeverity.Error
    }]);
    return { line: line, column: column };
  }

  // --- Monaco, from the WebJar through its AMD loader; without it the plain textareas still work
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
        model: null,
        ariaLabel: "Code",
        readOnly: readOnly,
        automaticLayout: true,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 13,
        tabSize: 2
      });
      files.forEach(addModel);
      filesBox.classList.add("with-monaco");
      // the first file the server marked is shown, at the error (the entry when it is one of them)
      var shown = null, shownAt = null;
      files.forEach(function (file) {
        var at = markRefused(file);
        if (at && !shown) {
          shown = file;
          shownAt = at;
        }
      });
      select(shown || selected);
      if (shownAt) {
        editor.revealLineInCenter(shownAt.line);
        editor.setPosition({ lineNumber: shownAt.line, column: shownAt.column });
      }
      host.classList.add("ready");
      window.cronhookEditor = editor;
    });
  }
  form.addEventListener("submit", function () {
    files.forEach(function (file) { file.field.value = textOf(file); });
    leaving = true;
  });

  // every file as the api's "files" takes them (the entry first); null while the script is one file
  function sourceFiles() {
    if (files.length === 1) return null;
    var out = {};
    out[entry.path] = textOf(entry);
    files.forEach(function (file) { if (!file.entry) out[file.path] = textOf(file); });
    return out;
  }

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
      setEntryText(chosenCode);
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
    fields.delete("filePath");
    fields.delete("fileContent");
    var texts = files.map(function (file) { return file.path + "\u0000" + textOf(file); });
    return texts.join("\u0000") + "\u0000" + new URLSearchParams(fields).toString();
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
      body: JSON.stringify({ code: sourceFiles() ? null : currentCode(), files: sourceFiles(), dependencies: dependencies(), event: event, language: language(),
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
