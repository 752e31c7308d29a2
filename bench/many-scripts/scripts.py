#!/usr/bin/env python3
"""The many-scripts benchmark's HTTP side: makes N hello scripts (of one user, or each of its own user), waits until
every one is active, and calls N webhooks once each. Parallel plain urllib (no packages); every step bounded in time.

  scripts.py create BASE ADMIN_PASSWORD STATE_DIR one|users N   -> STATE_DIR/paths-<mode>-<N>.txt
  scripts.py call BASE PATHS_FILE [timeout seconds]             one POST to each path, prints how they went
  scripts.py quiet METRICS_URL [timeout seconds]                 waits until the app stops finishing runs

State (the scripts and users made so far) is kept in STATE_DIR/<mode>.json, so that creating 10, then 100, then
1,000 scripts makes only the missing ones. Environment: PARALLEL (HTTP calls at once, default 16), CREATE_TIMEOUT
(seconds for making and building one batch, default 1800).
"""
import concurrent.futures
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

CODE = "export default async (event) => ({hello: event.body.name})"
PASSWORD = "bench-user-password-1"
PARALLEL = int(os.environ.get("PARALLEL", "16"))


class BenchError(Exception):
    pass


def http(method, url, body=None, token=None, timeout=60):
    """One JSON request; retries 429/503 (Retry-After) and connection resets a few times."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json"} if data is not None else {}
    if token:
        headers["authorization"] = "Bearer " + token
    for attempt in range(8):
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            if e.code in (429, 503) and attempt < 7:
                time.sleep(float(e.headers.get("retry-after") or 1))
                continue
            raise BenchError(f"{method} {url}: HTTP {e.code}: {text[:500]}") from None
        except (ConnectionError, urllib.error.URLError) as e:
            if attempt < 7:
                time.sleep(1)
                continue
            raise BenchError(f"{method} {url}: {e}") from None
    raise AssertionError("unreachable")


def login(base, username, password):
    return http("POST", base + "/api/auth/login", {"username": username, "password": password})["token"]


def parallel(fn, items, what, deadline):
    """fn over items, PARALLEL at once; the first failure or the deadline stops the batch with a clear message."""
    results = [None] * len(items)
    pool = concurrent.futures.ThreadPoolExecutor(PARALLEL)
    try:
        futures = {pool.submit(fn, item): n for n, item in enumerate(items)}
        remaining = max(1.0, deadline - time.monotonic())
        done, pending = concurrent.futures.wait(futures, timeout=remaining,
                                                return_when=concurrent.futures.FIRST_EXCEPTION)
        for f in done:
            if f.exception() is not None:
                raise BenchError(f"{what}: {f.exception()}")
            results[futures[f]] = f.result()
        if pending:
            raise BenchError(f"{what}: {len(pending)} of {len(items)} not done before the time-out")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def create(base, admin_password, state_dir, mode, n):
    deadline = time.monotonic() + float(os.environ.get("CREATE_TIMEOUT", "1800"))
    state_file = os.path.join(state_dir, mode + ".json")
    state = json.load(open(state_file)) if os.path.exists(state_file) else []
    admin = login(base, "admin", admin_password)
    todo = list(range(len(state), n))
    started = time.monotonic()

    def make(i):
        if mode == "one":
            token, user = admin, "admin"
        else:
            user = f"bench-u{i:04d}"
            http("POST", base + "/api/users", {"username": user, "password": PASSWORD}, admin)
            token = login(base, user, PASSWORD)
        script = http("POST", base + "/api/scripts", {"name": f"hello-{i:04d}", "code": CODE}, token)
        return {"user": user, "token": token, "id": script["id"], "hook": script["webhookUrl"]}

    made = parallel(make, todo, f"making {len(todo)} scripts ({mode})", deadline)
    state.extend(made)
    json.dump(state, open(state_file, "w"))
    requested = time.monotonic() - started

    # every new script built and its version active; a failed build stops the benchmark
    waiting = {s["id"]: s for s in made}
    polls = 0
    while waiting:
        if time.monotonic() > deadline:
            raise BenchError(f"{len(waiting)} of {len(made)} scripts ({mode}) not active before the time-out")
        time.sleep(1 if polls else 0.2)
        polls += 1
        if mode == "one":
            views = [v for v in http("GET", base + "/api/scripts", token=admin, timeout=120) if v["id"] in waiting]
        else:
            views = parallel(lambda s: http("GET", base + "/api/scripts/" + s["id"], token=s["token"]),
                             list(waiting.values()), "polling the builds", deadline)
        for v in views:
            if v.get("buildState") == "FAILED":
                raise BenchError(f"script {v['id']} ({v['name']}): build FAILED")
            if v.get("activeVersion") is not None and v["activeVersion"] == v["version"]:
                waiting.pop(v["id"], None)
        if polls % 15 == 0:
            print(f"   {len(made) - len(waiting)} of {len(made)} active after {time.monotonic() - started:.0f} s",
                  flush=True)
    total = time.monotonic() - started
    who = "one user" if mode == "one" else "one user each"
    print(f"   made {len(made)} scripts ({who}; {len(state)} in all) in {total:.1f} s: requests {requested:.1f} s, "
          f"until all active {total - requested:.1f} s", flush=True)
    paths = os.path.join(state_dir, f"paths-{mode}-{n}.txt")
    with open(paths, "w") as f:
        for s in state[:n]:
            f.write(urllib.parse.urlsplit(s["hook"]).path + "\n")


def call(base, paths_file, timeout):
    """One POST to each webhook (PARALLEL at once): the warm-up round over all N, which also shows the cold starts."""
    paths = [p.strip() for p in open(paths_file) if p.strip()]
    deadline = time.monotonic() + timeout
    started = time.monotonic()

    def one(path):
        t = time.monotonic()
        left = deadline - t
        if left <= 0:
            return None, "not sent (time-out)"
        try:
            request = urllib.request.Request(base + path, data=b'{"name":"bench"}', method="POST",
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=left) as response:
                response.read()
                return time.monotonic() - t, None
        except urllib.error.HTTPError as e:
            return time.monotonic() - t, f"HTTP {e.code}"
        except Exception as e:  # a time-out or a reset: counted, reported, not fatal
            return time.monotonic() - t, type(e).__name__

    pool = concurrent.futures.ThreadPoolExecutor(PARALLEL)
    results = list(pool.map(one, paths))
    pool.shutdown(wait=False)
    ok = sorted(d for d, err in results if err is None)
    errors = {}
    for _, err in results:
        if err:
            errors[err] = errors.get(err, 0) + 1
    pct = lambda q: f"{ok[min(len(ok) - 1, int(q * len(ok)))] * 1000:.0f} ms" if ok else "-"
    print(f"   warm-up round: {len(paths)} webhooks once each, {PARALLEL} at once, in "
          f"{time.monotonic() - started:.1f} s: {len(ok)} answered 2xx (p50 {pct(0.5)}, max {pct(1.0)})"
          + (f", failed: {errors}" if errors else ""), flush=True)


def quiet(metrics_url, timeout):
    """Waits until the app's count of finished runs stands still for two polls in a row: the calls whose callers
    hung up when the last wrk stopped are still worked off (dozens of cold starts at large N), and the next N must
    not pay for them."""
    def finished():
        text = urllib.request.urlopen(metrics_url, timeout=30).read().decode()
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("cronhook_run_duration_seconds_count"))
    started = time.monotonic()
    first = last = finished()
    still = 0
    while still < 2 and time.monotonic() - started < timeout:
        time.sleep(3)
        now = finished()
        still = still + 1 if now == last else 0
        last = now
    state = "quiet" if still >= 2 else "NOT quiet (time-out)"
    print(f"   {state} after {time.monotonic() - started:.0f} s: {last - first:.0f} runs finished meanwhile",
          flush=True)


def main(argv):
    try:
        if argv[1] == "create":
            create(argv[2].rstrip("/"), argv[3], argv[4], argv[5], int(argv[6]))
        elif argv[1] == "call":
            call(argv[2].rstrip("/"), argv[3], float(argv[4]) if len(argv) > 4 else 120)
        elif argv[1] == "quiet":
            quiet(argv[2], float(argv[3]) if len(argv) > 3 else 180)
        else:
            raise SystemExit(__doc__)
    except BenchError as e:
        print(f"FAILED: {e}", file=sys.stderr, flush=True)
        os._exit(1)  # not waiting for requests still in flight


if __name__ == "__main__":
    main(sys.argv)
