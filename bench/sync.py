"""Benchmark the field app's sync: N records queued offline in Chromium, then sent over loopback.

    .venv/bin/python bench/sync.py [--records 1000] [--database sqlite|postgres]
                                   [--database-url URL]

One run gets a fresh database (a temporary SQLite file, or a new database on the PostgreSQL
server named by --database-url, dropped afterwards), migrated and loaded with the demo, and a
real server (`python -m hoctap serve --no-worker`) on a free port, with its own media and var
folders. Then, in Debian's headless Chromium:

* sign in as chihoi.quaicang, open /field/ and download the pack of branch 03289-CH1 for
  2021-2022, as an officer does before going to the village;
* cut the network and queue N records with `HoctapField.enqueue`, shaped as the app's
  `saveEnrol` and `saveAssess` shape them: a new person, an enrolment, ten self-assessment
  scores, the "self-assessed" step and one small JPEG made on a canvas;
* restore the network and time `HoctapField.sync({})` (repeated until it stops with ""),
  counting the requests to /api/v1/; then sync once more, which must send nothing. (With
  `--send app`, the app's own sending on the "online" event is timed instead.)

The BASELINE, in the same run against the same server, sends N other records of the same kind
from this process with http.client over a keep-alive connection, half before the sync and half
after: the same four requests per record (enrol, scores, self_assess, photo) with the same pack
token. A child process of this
script with its own Django setup checks the database after each phase: N new assessments under
the client UUIDs, each self-assessed with its scores and exactly one photo, N new people and no
two alike, nothing added by the second sync. See bench/README.md.
"""

import argparse
import base64
import contextlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Request, Response, Route, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "RESULT "
CHROMIUM = "/usr/bin/chromium"
# As tests/browser/conftest.py: Chromium's background services must not reach for the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER, PASSWORD = "chihoi.quaicang", "hoctap-demo"
BRANCH, PERIOD = "03289-CH1", "2021-2022"
CODES = [f"CS{i}" for i in range(1, 11)]
GROUPS = ("G1", "G2", "G3")
FAMILY = ("Lò", "Quàng", "Cà", "Lường", "Tòng", "Vì", "Giàng", "Mùa", "Nguyễn", "Lê")
GIVEN = ("An", "Bình", "Hoa", "Lan", "Mai", "Minh", "Pâng", "Tiến", "Xuân", "Yến")
ETHNICITIES = ("Thái", "Mông", "Kinh", "Khơ Mú")
BATCH = 100  # records queued per page.evaluate
API = "/api/v1/"

# A small JPEG, different for each seed, drawn on a canvas in the page (a few KB at 320×240).
PHOTO_JS = """
async function benchPhoto(seed) {
    const canvas = new OffscreenCanvas(320, 240);
    const g = canvas.getContext("2d");
    g.fillStyle = `hsl(${(seed * 37) % 360} 55% 60%)`;
    g.fillRect(0, 0, 320, 240);
    for (let k = 0; k < 60; k++) {
        const h = (seed * 13 + k * 29) % 360;
        g.fillStyle = `hsl(${h} 70% ${25 + ((seed + k) % 50)}%)`;
        const x = (seed * 7 + k * 53) % 320, y = (seed * 3 + k * 31) % 240;
        g.fillRect(x, y, 10 + (k % 30), 6 + (k % 20));
    }
    g.fillStyle = "#000";
    g.font = "28px sans-serif";
    g.fillText("#" + seed, 16, 40);
    return canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 });
}
"""

# Queue one batch exactly as field.js does: saveEnrol's record and enrol item, then saveAssess's
# updated record with its scores, self_assess and evidence items and the photo blob.
ENQUEUE_JS = (
    "async ({ plan, period, unit }) => {"
    + PHOTO_JS
    + """
    const F = window.HoctapField;
    const sizes = [];
    for (const p of plan) {
        const citizen = {
            full_name: p.name, birth_year: p.birth_year, sex: p.sex, ethnicity: p.ethnicity,
            national_id: null, household: "",
        };
        const body = {
            id: p.id, period: period, unit: unit, group: p.group,
            consent: { given: true, how: "paper" }, citizen: citizen,
        };
        const record = {
            id: p.id, citizen: Object.assign({ unit: unit }, citizen), unit: unit, group: p.group,
            citizenId: null, state: "registered", version: null, self: {}, local: true, photos: 0,
        };
        await F.enqueue(record, [
            { kind: "enrol", assessment: p.id, body: body, size: JSON.stringify(body).length },
        ]);
        const blob = await benchPhoto(p.seed);
        const items = [
            { kind: "scores", assessment: p.id, body: { scores: p.scores },
              size: JSON.stringify(p.scores).length },
            { kind: "self_assess", assessment: p.id, body: {}, size: 0 },
            { kind: "evidence", assessment: p.id, evidence: p.photo,
              body: { name: "photo.jpg", indicators: [p.indicator] }, size: blob.size },
        ];
        const updated = Object.assign({}, record, { self: p.scores, photos: 1 });
        await F.enqueue(updated, items, [{ id: p.photo, blob: blob }]);
        sizes.push(blob.size);
    }
    return sizes;
}"""
)

# The same photos for the baseline, as base64 (made before the baseline is timed).
PHOTOS_JS = (
    "async (seeds) => {"
    + PHOTO_JS
    + """
    const out = [];
    for (const seed of seeds) {
        const bytes = new Uint8Array(await (await benchPhoto(seed)).arrayBuffer());
        let text = "";
        for (let i = 0; i < bytes.length; i += 8192) {
            text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
        }
        out.push(btoa(text));
    }
    return out;
}"""
)

# Before going online: an empty, large buffer of resource timings.
TIMINGS_JS = """() => {
    performance.clearResourceTimings();
    performance.setResourceTimingBufferSize(1000000);
}"""

# "engine": time HoctapField.sync({}) until it stops with "". "app": the app itself sends (as
# field.js does on the "online" event, with its screen updated as each item goes); wait until
# nothing waits, timed from the "online" event. The browser's resource timings, which the app
# does not see, give how long each request took from the fetch to the last byte of the answer
# (service worker included) and where: before it left (queue, worker), waiting for the server's
# first byte, reading the body. The rest of the time is the sync's own work in the page.
SYNC_JS = """async (mode) => {
    let sent = 0, rounds = 0, stopped = "", started = performance.now();
    if (mode === "engine") {
        let result;
        do {
            result = await HoctapField.sync({});
            sent += result.sent;
            rounds += 1;
        } while (result.stopped !== "" && result.stopped !== "auth" && rounds < 20);
        stopped = result.stopped;
    } else {
        // The app's sync holds the lock "hoctap-field-sync" while it works: watching the lock
        // is cheap, where reading the outbox over and over would slow the app down.
        started = window.benchOnlineAt;
        const busy = async () => {
            const locks = await navigator.locks.query();
            return locks.held.concat(locks.pending).some((l) => l.name === "hoctap-field-sync");
        };
        const idle = performance.now();
        for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            if (await busy()) continue;
            const items = await HoctapField.all("outbox");
            if (items.every((i) => i.status === "done" || i.status === "dropped")) break;
            if (performance.now() - idle > 300000) { stopped = "stalled"; break; }
        }
        sent = (await HoctapField.all("outbox")).filter((i) => i.status === "done").length;
    }
    const ms = performance.now() - started;
    const api = performance.getEntriesByType("resource").filter((entry) => {
        return new URL(entry.name).pathname.indexOf("/api/v1/") === 0;
    });
    const requests = {}, phases = { before: [], server: [], body: [] };
    api.forEach((entry) => {
        const path = new URL(entry.name).pathname.split("/");
        const kind = path.length > 5 ? path[5] : "enrol";
        (requests[kind] = requests[kind] || []).push(entry.duration);
        phases.before.push(entry.requestStart - entry.startTime);
        phases.server.push(entry.responseStart - entry.requestStart);
        phases.body.push(entry.responseEnd - entry.responseStart);
    });
    // Seconds for each quarter of the requests, and the part of them spent in requests: shows
    // whether the pace holds over the run.
    const quarters = [];
    api.sort((a, b) => a.startTime - b.startTime);
    for (let q = 0; q < 4 && api.length >= 4; q++) {
        const end = Math.floor(((q + 1) * api.length) / 4);
        const part = api.slice(Math.floor((q * api.length) / 4), end);
        const to = q < 3 ? api[end].startTime : started + ms;
        const from = q > 0 ? part[0].startTime : started;
        const busy = part.reduce((sum, entry) => sum + entry.duration, 0);
        quarters.push([(to - from) / 1000, busy / 1000]);
    }
    return {
        ms: ms, sent: sent, rounds: rounds, stopped: stopped, requests: requests,
        phases: phases, quarters: quarters,
    };
}"""

# Registered before the app's own scripts, so that it runs before field.js's "online" listener
# (which starts sending at once): it notes when the signal came back and, when the benchmark
# times the engine alone, stops that listener. (A capture listener added later does not do:
# Chromium runs the app's listener first.)
HOLD_ONLINE_JS = """window.addEventListener("online", (event) => {
    window.benchOnlineAt = performance.now();
    if (window.benchHoldOnline) event.stopImmediatePropagation();
});"""

STATUSES_JS = """async () => {
    const counts = {};
    (await HoctapField.all("outbox")).forEach((item) => {
        counts[item.status] = (counts[item.status] || 0) + 1;
    });
    return counts;
}"""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- child: look at the database with Django -------------------------------------------------


def _check(plan_file: Path | None) -> dict[str, Any]:
    """Count the rows of interest; with a plan, check that each record arrived exactly once."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoctap.settings")
    django.setup()
    from decimal import Decimal

    from django.db.models import Count

    import hoctap
    from hoctap.assessments.models import Assessment, AssessmentEvent, Evidence
    from hoctap.people.models import Citizen

    result: dict[str, Any] = {
        # The hoctap the server runs too (same environment): a `git archive` copy on
        # PYTHONPATH measures another version, as with bench/reports.py.
        "code": str(Path(hoctap.__file__).resolve().parent),
        "assessments": Assessment.objects.count(),
        "citizens": Citizen.objects.count(),
        "evidence": Evidence.objects.count(),
        "events": AssessmentEvent.objects.count(),
        # The same person twice in one unit: the duplicates an unsafe re-send would make.
        "duplicate_people": Citizen.objects.values("home_unit", "search_name", "birth_year")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
    }
    if plan_file is None:
        return result
    plan: list[dict[str, Any]] = json.loads(plan_file.read_text(encoding="utf-8"))
    ids = [p["id"] for p in plan]
    found = {
        str(a.pk): a
        for a in Assessment.objects.filter(pk__in=ids).select_related("citizen", "unit")
    }
    photos: dict[str, list[str]] = {}
    for assessment_id, evidence_id in Evidence.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "id"
    ):
        photos.setdefault(str(assessment_id), []).append(str(evidence_id))
    actions: dict[str, Counter[str]] = {}
    for assessment_id, action in AssessmentEvent.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "action"
    ):
        actions.setdefault(str(assessment_id), Counter())[action] += 1
    problems: list[str] = []
    for p in plan:
        a = found.get(p["id"])
        if a is None:
            problems.append(f"{p['id']}: missing")
            continue
        scores = {k: Decimal(str(v)) for k, v in a.self_scores.items()}
        if scores != {k: Decimal(v) for k, v in p["scores"].items()}:
            problems.append(f"{p['id']}: scores {a.self_scores}")
        if a.state != "self_assessed":
            problems.append(f"{p['id']}: state {a.state}")
        if a.citizen is None or a.citizen.full_name != p["name"] or a.unit.code != BRANCH:
            problems.append(f"{p['id']}: person or unit")
        if photos.get(p["id"]) != [p["photo"]]:
            problems.append(f"{p['id']}: photos {photos.get(p['id'])}")
        done = actions.get(p["id"], Counter())
        if done["self_assess"] != 1 or done["evidence_added"] != 1:
            problems.append(f"{p['id']}: events {dict(done)}")
    names = [p["name"] for p in plan]
    result.update(
        found=len(found),
        people_named=Citizen.objects.filter(full_name__in=names).count(),
        event_actions=dict(sum(actions.values(), Counter())),
        problems=problems[:20],
        problem_count=len(problems),
    )
    return result


# --- parent: database, server, browser, baseline ---------------------------------------------


def _child(env: dict[str, str], plan_file: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--check", str(plan_file or "")]
    done = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True, timeout=600
    )
    line = [x for x in done.stdout.splitlines() if x.startswith(RESULT_MARK)][-1]
    result: dict[str, Any] = json.loads(line.removeprefix(RESULT_MARK))
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Run `hoctap serve` on `port` until the block ends; yield its base URL."""
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "hoctap", "serve", "--port", str(port), "--no-worker"]
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server, our own arguments
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 120 s")
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _plan(n: int, tag: str, seed: int) -> list[dict[str, Any]]:
    """N new people with their scores and photo ids; names are unique to this run and tag."""
    rng = random.Random(seed)
    plan = []
    for i in range(n):
        female = rng.random() < 0.5
        name = f"{rng.choice(FAMILY)} {'Thị' if female else 'Văn'} {rng.choice(GIVEN)} {tag}{i:05d}"
        plan.append(
            {
                "id": str(uuid.uuid4()),
                "photo": str(uuid.uuid4()),
                "seed": seed * 100_000 + i,
                "name": name,
                "birth_year": rng.randint(1950, 2005),
                "sex": "female" if female else "male",
                "ethnicity": rng.choice(ETHNICITIES),
                "group": rng.choice(GROUPS),
                "scores": {code: str(rng.randint(0, 10)) for code in CODES},
                "indicator": rng.choice(CODES),
            }
        )
    return plan


def _save(plan: list[dict[str, Any]], folder: Path, name: str) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def _no_signal(route: Route) -> None:
    route.abort("internetdisconnected")


def _log_in_and_download(tab: Page, base: str) -> None:
    """As tests/browser: the real login form, then the app's download form."""
    tab.goto(f"{base}/accounts/login/")
    tab.fill("#id_username", USER)
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    tab.wait_for_url(f"{base}/")
    tab.goto(f"{base}/field/")
    expect(tab.locator("body")).to_have_attribute("data-ready", "true")
    tab.select_option("#download-period", PERIOD)
    tab.select_option("#download-unit", BRANCH)
    tab.click("#download-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã tải", timeout=60_000)
    tab.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            while (!navigator.serviceWorker.controller) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        }"""
    )


class Baseline:
    """A plain HTTP client over one keep-alive connection, sending what the phone sends."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token
        self.requests = 0
        self.connections = 0
        self.statuses: Counter[int] = Counter()
        self._socket: object = None
        # Milliseconds per request, by kind (enrol, scores, transitions, evidence).
        self.timings: dict[str, list[float]] = {}

    def call(self, method: str, path: str, body: bytes, content_type: str) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Content-Type": content_type,
        }
        started = time.perf_counter()
        self.connection.request(method, API + path, body=body, headers=headers)
        if self.connection.sock is not self._socket:
            self._socket = self.connection.sock
            self.connections += 1
        answer = self.connection.getresponse()
        data = answer.read()
        kind = path.split("/")[2] if path.count("/") >= 2 else "enrol"
        self.timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        self.requests += 1
        self.statuses[answer.status] += 1
        if answer.status not in (200, 201):
            raise SystemExit(f"baseline: {method} {path} answered {answer.status}: {data[:300]!r}")
        decoded: dict[str, Any] = json.loads(data) if data else {}
        return decoded

    def send_all(
        self, plan: list[dict[str, Any]], photos: list[bytes], pack: dict[str, Any]
    ) -> float:
        """Send every record of `plan` in turn; return the seconds it took."""
        started = time.perf_counter()
        for p, photo in zip(plan, photos, strict=True):
            self.send(p, photo, pack["period"], pack["unit"])
        seconds = time.perf_counter() - started
        # Not left idle through the sync (the server would time it out): a new one next time.
        self.connection.close()
        return seconds

    def send(self, p: dict[str, Any], photo: bytes, period: str, unit: str) -> None:
        """Enrol, score, self-assess and attach the photo of one record: four requests."""
        citizen = {
            "full_name": p["name"],
            "birth_year": p["birth_year"],
            "sex": p["sex"],
            "ethnicity": p["ethnicity"],
            "national_id": None,
            "household": "",
        }
        enrol = {
            "id": p["id"],
            "period": period,
            "unit": unit,
            "group": p["group"],
            "consent": {"given": True, "how": "paper"},
        }
        created = self._json("POST", "assessments", {**enrol, "citizen": citizen})
        path = f"assessments/{p['id']}"
        scored = self._json(
            "PUT",
            f"{path}/scores",
            {"layer": "self", "scores": p["scores"], "version": created["version"]},
        )
        self._json(
            "POST",
            f"{path}/transitions",
            {"action": "self_assess", "version": scored["version"], "reason": ""},
        )
        boundary = uuid.uuid4().hex
        parts = [
            ('name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg', photo),
            ('name="indicators"', p["indicator"].encode()),
            ('name="id"', p["photo"].encode()),
        ]
        body = b"".join(
            f"--{boundary}\r\nContent-Disposition: form-data; {head}\r\n\r\n".encode()
            + value
            + b"\r\n"
            for head, value in parts
        )
        body += f"--{boundary}--\r\n".encode()
        self.call("POST", f"{path}/evidence", body, f"multipart/form-data; boundary={boundary}")

    def _json(self, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.call(method, path, json.dumps(payload).encode(), "application/json")


def _measure(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    n: int = args.records
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "hoctap.settings",
        "HOCTAP_VAR_DIR": str(folder / "var"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hoctap", "demo"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=1800,
    )
    load_s = time.perf_counter() - started
    _progress(f"  migrated and loaded the demo in {load_s:.1f} s")
    port = _free_port()
    sync_plan = _plan(n, "S", 1)
    base_plan = _plan(n, "B", 2)
    sync_file = _save(sync_plan, folder, "sync-plan")
    base_file = _save(base_plan, folder, "baseline-plan")
    # Lets routes (and the request counter) see a service worker's requests too, as in tests.
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    with (
        _server(env, port, folder / "server.log") as base,
        sync_playwright() as driver,
    ):
        # A profile on disk, as a phone's browser keeps its data. (In a throw-away context
        # Chromium keeps IndexedDB in memory, where each write grows slower with all that was
        # written before: 5 ms per outbox item at first, 25–50 ms after a few thousand.)
        context = driver.chromium.launch_persistent_context(
            str(folder / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="vi-VN",
            viewport={"width": 360, "height": 740},
            service_workers="allow",
        )
        context.add_init_script(HOLD_ONLINE_JS)
        tab = context.pages[0] if context.pages else context.new_page()
        _log_in_and_download(tab, base)
        pack = tab.evaluate(
            """async () => {
                const pack = await HoctapField.getMeta("pack");
                const token = await HoctapField.getMeta("token");
                return { period: pack.period.code, unit: pack.unit.code, token: token.token,
                         people: pack.citizens.length };
            }"""
        )
        _progress(f"  pack downloaded: {pack['people']} people of {pack['unit']}")
        photos = [
            base64.b64decode(text)
            for start in range(0, n, BATCH)
            for text in tab.evaluate(
                PHOTOS_JS, [p["seed"] for p in base_plan[start : start + BATCH]]
            )
        ]
        before = _child(env)

        # The baseline's first half now and its second half after the sync, so that a change
        # in the machine's load during the run weighs on both alike.
        client = Baseline(port, pack["token"])
        half = n // 2
        first_s = client.send_all(base_plan[:half], photos[:half], pack)
        _progress(f"  baseline, first half: {client.requests} requests in {first_s:.1f} s")
        mid = _child(env)

        # Offline: queue the records in the page.
        context.route("**/*", _no_signal)
        context.set_offline(True)
        requests: list[str] = []

        def asked(request: Request) -> None:
            if API in request.url:
                requests.append(request.url)

        context.on("request", asked)
        queued = time.perf_counter()
        sizes: list[int] = []
        for start in range(0, n, BATCH):
            chunk = sync_plan[start : start + BATCH]
            sizes += tab.evaluate(
                ENQUEUE_JS, {"plan": chunk, "period": pack["period"], "unit": pack["unit"]}
            )
        queue_s = time.perf_counter() - queued
        offline_requests = len(requests)
        waiting = tab.evaluate(STATUSES_JS)
        _progress(f"  queued {n} records offline in {queue_s:.1f} s; outbox {waiting}")

        # The app sends by itself when the signal comes back (field.js listens for "online").
        # By default the run times HoctapField.sync alone, and the listener put first holds the
        # app's back; with --send app the app's own sending is timed instead.
        engine = args.send == "engine"
        tab.evaluate(f"window.benchHoldOnline = {'true' if engine else 'false'}")
        tab.evaluate(TIMINGS_JS)
        statuses: Counter[int] = Counter()

        def answered(response: Response) -> None:
            if API in response.url:
                statuses[response.status] += 1

        context.on("response", answered)
        requests.clear()
        context.unroute("**/*", _no_signal)
        wall = time.perf_counter()
        context.set_offline(False)
        untouched = tab.evaluate(STATUSES_JS) if engine else {"waiting": 4 * n}
        synced = tab.evaluate(SYNC_JS, args.send)
        sync_wall_s = time.perf_counter() - wall
        sync_requests = len(requests)
        after_sync = tab.evaluate(STATUSES_JS)
        _progress(
            f"  sync: {synced['sent']} items in {synced['ms'] / 1000:.1f} s, "
            f"{sync_requests} requests, stopped {synced['stopped']!r}; outbox {after_sync}"
        )
        synced_db = _child(env, sync_file)

        requests.clear()
        tab.evaluate(TIMINGS_JS)
        again = tab.evaluate(SYNC_JS, "engine")
        again_requests = len(requests)
        again_db = _child(env)

        context.close()

        second_s = client.send_all(base_plan[half:], photos[half:], pack)
        baseline_s = first_s + second_s
        _progress(f"  baseline, second half: {client.requests} requests in all, {second_s:.1f} s")
        baseline_db = _child(env, base_file)

    sync_s = synced["ms"] / 1000
    checks = {
        "nothing sent while offline": offline_requests == 0,
        "outbox untouched until the timed sync": untouched == {"waiting": 4 * n},
        "sync worked the outbox through": synced["stopped"] == "" and synced["sent"] == 4 * n,
        "every outbox item done": after_sync == {"done": 4 * n},
        "sync: N new assessments": synced_db["assessments"] - mid["assessments"] == n,
        "sync: N new people": synced_db["citizens"] - mid["citizens"] == n,
        "sync: N new photos": synced_db["evidence"] - mid["evidence"] == n,
        "sync: each record exactly as queued": synced_db["found"] == n
        and synced_db["problem_count"] == 0
        and synced_db["people_named"] == n,
        "no duplicate people": baseline_db["duplicate_people"] == before["duplicate_people"],
        "second sync sent nothing": again["sent"] == 0
        and again["stopped"] == ""
        and again_requests == 0,
        "second sync added nothing": all(
            again_db[k] == synced_db[k] for k in ("assessments", "citizens", "evidence", "events")
        ),
        "baseline: each record exactly as sent": baseline_db["assessments"]
        - again_db["assessments"]
        + mid["assessments"]
        - before["assessments"]
        == n
        and baseline_db["citizens"] - again_db["citizens"] + mid["citizens"] - before["citizens"]
        == n
        and baseline_db["found"] == n
        and baseline_db["problem_count"] == 0,
    }
    return {
        "records": n,
        "database": args.database,
        "send": args.send,
        "load_s": round(load_s, 1),
        "queue_s": round(queue_s, 2),
        "sync_s": round(sync_s, 3),
        "sync_wall_s": round(sync_wall_s, 3),
        "sync_rounds": synced["rounds"],
        "sync_requests": sync_requests,
        "sync_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "baseline_s": round(baseline_s, 3),
        "baseline_halves_s": [round(first_s, 3), round(second_s, 3)],
        "baseline_requests": client.requests,
        "baseline_connections": client.connections,
        "baseline_statuses": {str(k): v for k, v in sorted(client.statuses.items())},
        "ratio": round(sync_s / baseline_s, 3),
        "sync_requests_per_record": round(sync_requests / n, 3),
        "baseline_requests_per_record": round(client.requests / n, 3),
        "sync_records_per_s": round(n / sync_s, 1),
        "baseline_records_per_s": round(n / baseline_s, 1),
        "photo_bytes_mean": round(sum(sizes) / len(sizes)),
        "baseline_photo_bytes_mean": round(sum(len(p) for p in photos) / len(photos)),
        "second_sync": {"sent": again["sent"], "requests": again_requests},
        "sync_request_ms": _by_kind(synced["requests"]),
        "sync_request_phases_ms": _by_kind(synced["phases"], overall=False),
        "sync_quarters_s": [[round(a, 2), round(b, 2)] for a, b in synced["quarters"]],
        "baseline_request_ms": _by_kind(client.timings),
        "sync_problems": synced_db["problems"],
        "baseline_problems": baseline_db["problems"],
        "event_actions_sync": synced_db["event_actions"],
        "load_average": round(os.getloadavg()[0], 2),
        "code": before["code"],
        "checks": checks,
        "ok": all(checks.values()),
    }


def _by_kind(
    timings: dict[str, list[float]], *, overall: bool = True
) -> dict[str, dict[str, float]]:
    """Per kind of request: how many, the median and the total time in ms."""
    out = {
        kind: {
            "n": len(ms),
            "median": round(statistics.median(ms), 1),
            "total": round(sum(ms), 1),
        }
        for kind, ms in sorted(timings.items())
    }
    if not overall:
        return out
    every = [m for ms in timings.values() for m in ms]
    out["all"] = {
        "n": len(every),
        "median": round(statistics.median(every), 1) if every else 0.0,
        "total": round(sum(every), 1),
    }
    return out


def _summary(r: dict[str, Any]) -> str:
    n = r["records"]
    lines = [
        f"{n:,} records on {r['database']} (each: enrol, 10 scores, self-assess, one photo of "
        f"~{r['photo_bytes_mean'] / 1024:.1f} KB)",
        f"  {'':<28} {'seconds':>9} {'records/s':>10} {'requests':>9} {'per record':>11}",
        f"  {'field ' + r['send'] + ' sync (Chromium)':<28} {r['sync_s']:>9.2f}"
        f" {r['sync_records_per_s']:>10.1f}"
        f" {r['sync_requests']:>9,} {r['sync_requests_per_record']:>11.2f}",
        f"  {'baseline (http.client)':<28} {r['baseline_s']:>9.2f}"
        f" {r['baseline_records_per_s']:>10.1f} {r['baseline_requests']:>9,}"
        f" {r['baseline_requests_per_record']:>11.2f}",
        f"  baseline halves (before / after the sync): {r['baseline_halves_s'][0]:.1f} s /"
        f" {r['baseline_halves_s'][1]:.1f} s",
        f"  ratio sync / baseline: {r['ratio']:.2f}×; sync answers {r['sync_statuses']},"
        f" baseline answers {r['baseline_statuses']} over {r['baseline_connections']}"
        " connection(s)",
        f"  queued offline in {r['queue_s']:.1f} s; second sync: {r['second_sync']['sent']} items,"
        f" {r['second_sync']['requests']} requests; load average {r['load_average']}"
        f" ({os.cpu_count()} CPUs)",
    ]
    mine, theirs = r["sync_request_ms"], r["baseline_request_ms"]
    lines.append(
        f"  time in requests (fetch to last byte): sync {mine['all']['total'] / 1000:.1f} s of"
        f" {r['sync_s']:.1f} s, baseline {theirs['all']['total'] / 1000:.1f} s of"
        f" {r['baseline_s']:.1f} s; median ms per request (sync / baseline):"
    )
    lines.append(
        "    "
        + ", ".join(
            f"{kind} {mine[kind]['median']:.1f} / {theirs.get(kind, {}).get('median', 0):.1f}"
            for kind in mine
        )
    )
    lines.append(f"  hoctap from {r['code']}")
    phases = r["sync_request_phases_ms"]
    lines.append(
        "  sync requests, median ms: before leaving the browser (queue, worker)"
        f" {phases['before']['median']:.1f}, to the server's first byte"
        f" {phases['server']['median']:.1f}, body {phases['body']['median']:.1f}"
    )
    lines.append(
        "  sync by quarter of its requests, seconds (of which in requests): "
        + ", ".join(f"{a:.1f} ({b:.1f})" for a, b in r["sync_quarters_s"])
    )
    for name, passed in r["checks"].items():
        lines.append(f"  [{'ok' if passed else 'FAILED'}] {name}")
    for problem in r["sync_problems"] + r["baseline_problems"]:
        lines.append(f"    {problem}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL server to create the benchmark database on (default: $DATABASE_URL)",
    )
    parser.add_argument(
        "--send",
        choices=("engine", "app"),
        default="engine",
        help="time HoctapField.sync({}) alone (default), or the app's own sending on 'online'",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and folder")
    parser.add_argument("--check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check is not None:
        plan = Path(args.check) if args.check else None
        print(RESULT_MARK + json.dumps(_check(plan)), flush=True)
        return
    if args.records < 1:
        parser.error("--records must be at least 1")
    sys.path.insert(0, str(ROOT))
    from bench.reports import _fresh_database

    folder = Path(tempfile.mkdtemp(prefix="hoctap-bench-sync-"))
    _progress(f"N={args.records:,} on {args.database} (working folder {folder})")
    try:
        with _fresh_database(args.database, args.database_url, args.records, args.keep) as url:
            result = _measure(args, url, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(_summary(result))
    print(RESULT_MARK + json.dumps(result), flush=True)
    if not result["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
