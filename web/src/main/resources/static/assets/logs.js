// Log panels: a finished log is fetched once; a live one follows the page's event stream until its end.
(function () {
  "use strict";

  // A log panel keeps its lines (element and lower-cased text) for the search box; lines are added in batches, one
  // DOM insertion and one scroll per batch, so 10,000 lines render at once instead of line by line.
  function LogView(pre) {
    this.pre = pre;
    this.lines = [];
    this.query = "";
  }

  LogView.prototype.line = function (d) {
    var line = document.createElement("span");
    line.className = "line " + (d.stream === "stderr" ? "stderr" : "stdout");
    if (d.time) {
      var t = document.createElement("span");
      t.className = "t";
      t.textContent = d.time.replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", "") + " ";
      line.appendChild(t);
    }
    line.appendChild(document.createTextNode(d.text + "\n"));
    var entry = { el: line, text: String(d.text).toLowerCase() };
    if (this.query) line.hidden = entry.text.indexOf(this.query) < 0;
    this.lines.push(entry);
    return line;
  };

  LogView.prototype.add = function (batch) {
    if (!batch.length) return;
    if (!this.lines.length) this.pre.textContent = "";
    var fragment = document.createDocumentFragment();
    for (var i = 0; i < batch.length; i++) fragment.appendChild(this.line(batch[i]));
    this.pre.appendChild(fragment);
    this.pre.scrollTop = this.pre.scrollHeight;
    this.count();
  };

  LogView.prototype.search = function (query) {
    this.query = query.trim().toLowerCase();
    for (var i = 0; i < this.lines.length; i++) {
      var hide = this.query !== "" && this.lines[i].text.indexOf(this.query) < 0;
      if (this.lines[i].el.hidden !== hide) this.lines[i].el.hidden = hide;
    }
    this.count();
  };

  LogView.prototype.count = function () {
    var counter = document.getElementById("log-search-count");
    if (!counter) return;
    if (!this.query) {
      counter.textContent = this.lines.length + (this.lines.length === 1 ? " line" : " lines");
      return;
    }
    var shown = 0;
    for (var i = 0; i < this.lines.length; i++) if (!this.lines[i].el.hidden) shown++;
    counter.textContent = shown + " of " + this.lines.length + " lines match";
  };

  // when the lines are on screen: the page's own measure, for the browser tests and bench/run-page
  function rendered(pre) {
    window.requestAnimationFrame(function () {
      void pre.scrollHeight;
      pre.dataset.renderedMs = String(Math.round(performance.now()));
    });
  }

  function follow(view, url, onEnd) {
    var pre = view.pre;
    var source = new EventSource(url);
    var pending = [];
    var scheduled = false;
    function flush() {
      scheduled = false;
      var batch = pending;
      pending = [];
      view.add(batch);
    }
    source.addEventListener("line", function (e) {
      pending.push(JSON.parse(e.data));
      if (!scheduled) {
        scheduled = true;
        window.requestAnimationFrame(flush);
      }
    });
    source.addEventListener("end", function (e) {
      source.close();
      flush();
      if (!view.lines.length) pre.textContent = "(no output)";
      pre.dataset.ended = JSON.parse(e.data).status;
      rendered(pre);
      if (onEnd) onEnd();
    });
    source.onerror = function () {
      source.close();
      flush();
      if (!view.lines.length) pre.textContent = "(the log could not be followed; reload the page)";
    };
  }

  /** A finished run's log: one request, rendered in one go. */
  function load(view, url) {
    var pre = view.pre;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (log) {
        view.add(log.lines || []);
        if (!view.lines.length) pre.textContent = "(no output)";
        pre.dataset.ended = log.status;
        rendered(pre);
      })
      .catch(function () { pre.textContent = "(the log could not be loaded; reload the page)"; });
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
    var view = new LogView(run);
    if (live) {
      run.textContent = "";
      follow(view, url, function () {
        document.getElementById("log-state").textContent = "ended";
        waitUntilFinal(url, 20);
      });
    } else {
      load(view, url);
    }
    var search = document.getElementById("log-search");
    if (search) {
      var timer;
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { view.search(search.value); }, 120);
      });
    }
  }

  document.querySelectorAll("pre.build-log").forEach(function (pre) {
    if (pre.dataset.stream) {
      pre.textContent = "";
      follow(new LogView(pre), pre.dataset.stream, function () { setTimeout(function () { location.reload(); }, 500); });
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
