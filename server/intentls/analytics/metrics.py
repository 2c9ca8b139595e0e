"""Prometheus metrics of one server (`intentls serve --metrics-port N`, on 127.0.0.1 only),
with the official `prometheus-client`: runs by intent and status, run durations, failed steps
by category, active runs, undos, and suggestions shown, taken and dismissed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from intentls.model import RunResult, RunStatus

BUCKETS_S = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
"""Commands take from a tenth of a second (a lint of one file) to an hour (a full build)."""


class Acceptance(Protocol):
    @property
    def shown(self) -> int: ...
    @property
    def taken(self) -> int: ...
    @property
    def dismissed(self) -> int: ...


class Metrics:
    """Fed by the history's writes (a `history.store.RunWatcher`); active runs are read from
    the engine at scrape time."""

    def __init__(
        self,
        active: Callable[[], int],
        acceptance: Callable[[], Acceptance] | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._runs = Counter(
            "intentls_runs", "Runs by intent and status", ["intent", "status"], registry=r
        )
        self._duration = Histogram(
            "intentls_run_duration_seconds",
            "Duration of finished runs",
            ["intent"],
            buckets=BUCKETS_S,
            registry=r,
        )
        self._failures = Counter(
            "intentls_step_failures", "Failed steps by error category", ["category"], registry=r
        )
        self._undos = Counter("intentls_undos", "Runs undone (or redone)", ["action"], registry=r)
        Gauge("intentls_active_runs", "Runs running now", registry=r).set_function(active)
        if acceptance is not None:
            r.register(_Suggestions(acceptance))
        self._server: Callable[[], None] | None = None

    def run_finished(self, result: RunResult) -> None:
        self._runs.labels(result.intent, result.status.value).inc()
        if result.status is not RunStatus.BLOCKED:
            self._duration.labels(result.intent).observe(result.duration_ms / 1000)
        for step in result.steps:
            if step.error is not None and step.status.value == "failed":
                self._failures.labels(step.error.category).inc()

    def runs_undone(self, run_ids: list[str], undone: bool) -> None:
        self._undos.labels("undo" if undone else "redo").inc(len(run_ids))

    def serve(self, port: int) -> None:
        """Listen on 127.0.0.1:`port` (a thread of prometheus-client's) until `close`."""
        server, thread = start_http_server(port, addr="127.0.0.1", registry=self.registry)

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

        self._server = stop

    def close(self) -> None:
        if self._server is not None:
            self._server()
            self._server = None


class _Suggestions(Collector):
    """Suggestion counts as the suggestions service keeps them, read at scrape time."""

    def __init__(self, acceptance: Callable[[], Acceptance]) -> None:
        self._acceptance = acceptance

    def collect(self) -> Iterator[Metric]:
        now = self._acceptance()
        family = CounterMetricFamily(
            "intentls_suggestions", "Suggestions by event", labels=["event"]
        )
        for event, count in (
            ("shown", now.shown),
            ("taken", now.taken),
            ("dismissed", now.dismissed),
        ):
            family.add_metric([event], count)
        yield family
