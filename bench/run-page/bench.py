"""Drives the run-page benchmark: see run.sh. Speaks the W3C WebDriver protocol to /usr/bin/chromedriver."""
import json, statistics, subprocess, sys, time, urllib.request

base, password, n, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


def call(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=300) as r:
        text = r.read().decode()
        return json.loads(text) if text else None


token = call("POST", base + "/api/auth/login", {"username": "admin", "password": password})["token"]
code = ("export default async function () {\n  for (let i = 0; i < %d; i++) console.log(\"line \" + i + \" of a"
        " log that is long enough to look like a real one\");\n  return \"done\";\n}\n" % n)
script = call("POST", base + "/api/scripts", {"name": "run-page-bench", "code": code}, token)
for _ in range(600):
    if call("GET", base + "/api/scripts/" + script["id"], token=token).get("activeVersion") == 1:
        break
    time.sleep(0.5)
req = urllib.request.Request(script["webhookUrl"], method="POST", data=b"{}")
req.add_header("content-type", "application/json")
with urllib.request.urlopen(req, timeout=120) as r:
    run_id = r.headers["X-Cronhook-Run-Id"]
for _ in range(600):
    if len(call("GET", base + "/api/runs/" + run_id + "/logs", token=token)["lines"]) >= n:
        break
    time.sleep(0.5)
started = time.monotonic()
log = call("GET", base + "/api/runs/" + run_id + "/logs", token=token)
print("GET /api/runs/{id}/logs: %d lines in %.0f ms" % (len(log["lines"]), (time.monotonic() - started) * 1000))

driver = subprocess.Popen(["/usr/bin/chromedriver", "--port=19515"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
try:
    wd = "http://127.0.0.1:19515"
    for _ in range(50):
        try:
            call("GET", wd + "/status")
            break
        except OSError:
            time.sleep(0.2)
    session = call("POST", wd + "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000"]}}}})["value"]["sessionId"]
    s = wd + "/session/" + session

    def run_js(script, *args):
        return call("POST", s + "/execute/sync", {"script": script, "args": list(args)})["value"]

    call("POST", s + "/url", {"url": base + "/login"})
    run_js("document.getElementById('username').value = arguments[0];"
           "document.getElementById('password').value = arguments[1];"
           "document.querySelector('form').submit();", "admin", password)
    time.sleep(1)
    times = []
    for i in range(repeats):
        call("POST", s + "/url", {"url": base + "/runs/" + run_id})
        for _ in range(1200):
            rendered = run_js("var p = document.getElementById('run-log');"
                              "return p && p.dataset.renderedMs ? [p.dataset.renderedMs,"
                              " document.querySelectorAll('#run-log .line').length] : null;")
            if rendered:
                break
            time.sleep(0.05)
        times.append(int(rendered[0]))
        print("run page %d: %d lines rendered %s ms after navigation" % (i + 1, rendered[1], rendered[0]))
    print("median %d ms, max %d ms over %d loads" % (statistics.median(times), max(times), len(times)))
    call("DELETE", s)
finally:
    driver.terminate()
