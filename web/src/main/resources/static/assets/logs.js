// Log panels: a finished log is fetched once; a live one follows the page's event stream until its end.
(function () {
  "use strict";

  function append(pre, time, stream, text) {
    var line = document.createElement("span");
    line.className = "line " + (stream === "stderr" ? "stderr" : "stdout");
    if (time) {
      var t = document.createElement("span");
      t.className = "t";
      t.textContent = time.replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", "") + " ";
      line.appendChild(t);
    }
    line.appendChild(document.createTextNode(text + "\n"));
    pre.appendChild(line);
  }

  function follow(pre, url, onEnd) {
    pre.textContent = "";
    var source = new EventSource(url);
    var any = false;
    source.addEventListener("line", function (e) {
      var d = JSON.parse(e.data);
      any = true;
      append(pre, d.time, d.stream, d.text);
      pre.scrollTop = pre.scrollHeight;
    });
    source.addEventListener("end", function (e) {
      source.close();
      if (!any) pre.textContent = "(no output)";
      pre.dataset.ended = JSON.parse(e.data).status;
      if (onEnd) onEnd();
    });
    source.onerror = function () {
      source.close();
      if (!any) pre.textContent = "(the log could not be followed; reload the page)";
    };
  }

  function waitUntilFinal(url, tries) {
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (log) {
        var final = ["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"].indexOf(log.status) >= 0;
        if (final || tries <= 0) location.reload();
        else setTimeout(function () { waitUntilFinal(url, tries - 1); }, 500);
      })
      .catch(function () { location.reload(); });
  }

  var run = document.getElementById("run-log");
  if (run) {
    var url = run.dataset.stream;
    var live = run.dataset.live === "true";
    follow(run, url, live ? function () {
      document.getElementById("log-state").textContent = "ended";
      waitUntilFinal(url, 20);
    } : null);
  }

  document.querySelectorAll("pre.build-log").forEach(function (pre) {
    if (pre.dataset.stream) {
      follow(pre, pre.dataset.stream, function () { setTimeout(function () { location.reload(); }, 500); });
      return;
    }
    fetch(pre.dataset.json, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        pre.textContent = b.log && b.log.length ? b.log : "(no build log)";
        if (b.packages && b.packages.length) {
          pre.textContent += "\nResolved packages:\n" + b.packages.map(function (p) {
            return "  " + p.name + "@" + p.version;
          }).join("\n");
        }
      })
      .catch(function () { pre.textContent = "(the build log could not be loaded)"; });
  });
})();
