#!/usr/bin/env python3
"""The idle benchmark's HTTP side: makes K hello scripts as the admin, waits until each is active, calls each
webhook a few times (so that warm containers exist), and writes the scripts' ids to a file (for the clean-up of
their images). Plain urllib; every step bounded in time.

  scripts.py BASE ADMIN_PASSWORD K CALLS IDS_FILE
"""
import json
import sys
import time
import urllib.request

CODE = "export default async (event) => ({hello: event.body.name})"


def http(method, url, body=None, token=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json"} if data is not None else {}
    if token:
        headers["authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def main(base, admin_password, k, calls, ids_file):
    token = http("POST", base + "/api/auth/login", {"username": "admin", "password": admin_password})["token"]
    scripts = [http("POST", base + "/api/scripts", {"name": f"idle-{i:02d}", "code": CODE}, token) for i in range(k)]
    with open(ids_file, "w") as f:
        f.writelines(s["id"] + "\n" for s in scripts)
    started = time.monotonic()
    waiting = {s["id"] for s in scripts}
    while waiting:
        if time.monotonic() - started > 600:
            sys.exit(f"{len(waiting)} of {k} scripts not active after 600 s")
        time.sleep(1)
        for v in http("GET", base + "/api/scripts", token=token):
            if v.get("buildState") == "FAILED":
                sys.exit(f"script {v['id']}: build FAILED")
            if v["id"] in waiting and v.get("activeVersion") is not None and v["activeVersion"] == v["version"]:
                waiting.discard(v["id"])
    print(f"   {k} script(s) active after {time.monotonic() - started:.1f} s", flush=True)
    for _ in range(calls):
        for s in scripts:
            t = time.monotonic()
            body = http("POST", s["webhookUrl"], {"name": "idle"}, timeout=120)
            print(f"   {s['webhookUrl']}: {(time.monotonic() - t) * 1000:.0f} ms {json.dumps(body)[:60]}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
