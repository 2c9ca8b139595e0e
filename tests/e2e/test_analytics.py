"""Analytics end to end: `intentls.stats` over the wire and `intentls stats` in a terminal on the
same history; `intentls report --html` rendered by headless Chromium (every data point drawn,
no network request) with a screenshot."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from intentls.history import rebuild
from intentls.history.database import open_database
from tests.e2e.session import new_token, session
from tests.e2e.test_cli_undo import cli
from tests.generated_history import generate

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_OWN = re.compile(rb"^(?:GET|POST|CONNECT) \S*(?:google\.com|googleapis\.com)[:/]")
"""Chromium's own service calls that the flags do not stop (time, updates, accounts): they come
from the browser, not the page, and go nowhere here."""
SCREENSHOT = Path(__file__).parents[2] / "docs" / "images" / "report.png"


async def test_stats_over_the_wire_and_in_the_terminal(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        for intent in ("hello", "hello", "fail", "ci"):
            await ses.run(intent)
        wire = await ses.command("intentls.stats")
    assert wire["runs"] == 4 and wire["durationError"] == 0.01
    assert wire["undo"] == {"undone": 0, "undoable": wire["undo"]["undoable"], "rate": 0.0}
    assert "finish" in {s["title"] for s in wire["slowestSteps"]}
    assert len(wire["byHour"]) == 24 and sum(wire["byHour"]) == 4
    assert wire["topFailures"][0]["count"] == 1
    terminal = cli(home, folder, "stats", "--json")
    assert terminal.returncode == 0, terminal.stderr
    from_terminal = json.loads(terminal.stdout)
    assert set(from_terminal["suggestions"]) == {"shown", "taken", "dismissed", "rate"}
    # Suggestions shown are saved in batches a moment later: the rest must be equal.
    assert {**from_terminal, "suggestions": None} == {**wire, "suggestions": None}
    table = cli(home, folder, "stats", "--since", "1d")
    assert table.returncode == 0, table.stderr
    assert "4 runs" in table.stdout and "75 % succeeded" in table.stdout
    assert re.search(r"hello\s+2\s+100 %", table.stdout), table.stdout
    bad = cli(home, folder, "stats", "--since", "soon")
    assert bad.returncode == 2 and "not a span like 7d" in bad.stderr


async def test_time_left_appears_in_progress_once_the_intent_has_history(
    home: Path, folder: Path
) -> None:
    slow = "$ sleep 1 then $ echo done"
    async with session(home, [folder]) as ses:
        messages = []
        for _ in range(2):
            token = new_token()
            ses.client.progress_reports[token] = []
            result = await ses.command("intentls.run", {"intent": slow}, token=token)
            assert result["status"] == "succeeded"
            reports = ses.client.progress_reports[token][1:-1]
            messages.append([r.message for r in reports])
            percentages = [r.percentage for r in reports]
            assert percentages == sorted(percentages)
    first, second = messages
    assert not any("left" in m or "almost done" in m for m in first), first
    assert any(re.search(r"sleep 1 · (about \d+ s left|almost done)", m) for m in second), second


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
        return str(answer.read().decode())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_metrics_endpoint_scraped_over_http(home: Path, folder: Path) -> None:
    port = free_port()
    async with session(home, [folder], args=["--metrics-port", str(port)]) as ses:
        for intent in ("hello", "hello", "fail"):
            await ses.run(intent)
        text = await asyncio.to_thread(scrape, f"http://127.0.0.1:{port}/metrics")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("intentls_runs_total", (("intent", "hello"), ("status", "succeeded")))] == 2
    assert samples[("intentls_runs_total", (("intent", "fail"), ("status", "failed")))] == 1
    hello = ("intent", "hello")
    assert samples[("intentls_run_duration_seconds_count", (hello,))] == 2
    assert samples[("intentls_run_duration_seconds_bucket", (hello, ("le", "3600.0")))] == 2
    assert ("intentls_run_duration_seconds_bucket", (hello, ("le", "0.1"))) in samples
    assert sum(v for (name, _), v in samples.items() if name == "intentls_step_failures_total") == 1
    assert samples[("intentls_active_runs", ())] == 0
    assert ("intentls_suggestions_total", (("event", "taken"),)) in samples


@contextmanager
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local port that records the first bytes of every connection (Chromium's proxy: any
    request the page made arrives here). Connections still queued when the block ends are
    drained before it returns."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                if stop.is_set():
                    return
                continue
            with conn:
                conn.settimeout(5)
                seen.append(conn.recv(300))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(timeout=10)
        server.close()


def chromium(page: Path, profile: Path, *extra: str) -> tuple[str, list[bytes]]:
    """The DOM after load (scripts run), and the requests made by the page."""
    with listener() as (port, seen):
        out = subprocess.run(
            [
                "chromium",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--proxy-server=http://127.0.0.1:{port}",
                "--proxy-bypass-list=<-loopback>",
                "--virtual-time-budget=3000",
                *extra,
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return out.stdout, [r for r in seen if not BROWSER_OWN.match(r)]


def test_the_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conn, _ = open_database(home / "history.db")
    generate(conn, 6000, time.time(), days=45, n_folders=2, n_intents=5)
    with conn:
        for table in ("rollup_runs", "rollup_steps", "rollup_failures", "rollup_last"):
            conn.execute(f"DELETE FROM {table}")
        rebuild.rebuild(conn)
    conn.close()
    page = tmp_path / "report.html"
    made = cli(home, tmp_path, "report", "--html", str(page), "--all", "--since", "30d")
    assert made.returncode == 0, made.stderr
    assert re.search(r"src=|href=|url\(", page.read_text("utf-8")) is None  # nothing to fetch
    dom, requests = chromium(page, tmp_path / "profile", "--dump-dom")
    body = re.search(r'<body data-points="(\d+)" data-drawn="(\d+)"', dom)
    assert body is not None, dom[:500]
    assert int(body[1]) > 100 and body[2] == body[1]  # every point and bar laid out
    assert requests == []
    # The check can fail: a page that fetches an image is caught.
    control = tmp_path / "control.html"
    control.write_text('<img src="http://example.invalid/dot.png">', "utf-8")
    _, caught = chromium(control, tmp_path / "profile2", "--dump-dom")
    assert any(b"example.invalid" in r for r in caught)
    shot = tmp_path / "report.png"
    chromium(
        page,
        tmp_path / "profile3",
        "--hide-scrollbars",
        "--window-size=1360,1180",
        f"--screenshot={shot}",
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    if os.environ.get("INTENTLS_UPDATE_SCREENSHOTS"):
        SCREENSHOT.write_bytes(shot.read_bytes())
