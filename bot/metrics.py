"""Every Prometheus metric of the bot, in one place (served at GET /metrics).

Each application gets a fresh `CollectorRegistry` (tests start many bots in one process).
Metrics are updated where the event happens (a message sent, a press recorded); only the
send queue's depth and age are read at scrape time, by one indexed query. No label ever
holds a secret or a person: labels are fixed words (a message kind, a reason category).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

PREFIX = "agency_bot"

# Reasons a message is retried or given up, as a few fixed words (never Telegram's text).
RETRY_REASONS = ("rate_limited", "timeout", "network", "server_error", "unexpected", "waiting")
FAILURE_REASONS = ("blocked", "rejected", "network", "telegram", "unexpected")
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.messages_sent = Counter(
            f"{PREFIX}_messages_sent",
            "Messages delivered to Telegram (a split letter counts once), by kind",
            ["kind"],
            registry=r,
        )
        self.messages_retried = Counter(
            f"{PREFIX}_messages_retried",
            "Messages put back in the queue to try again, by reason",
            ["reason"],
            registry=r,
        )
        self.messages_failed = Counter(
            f"{PREFIX}_messages_failed",
            "Messages given up, by reason (blocked: the user blocked the bot)",
            ["reason"],
            registry=r,
        )
        self.telegram_429 = Counter(
            f"{PREFIX}_telegram_429",
            "429 Too Many Requests answers from the Bot API",
            registry=r,
        )
        self.api_latency = Histogram(
            f"{PREFIX}_send_latency_seconds",
            "Bot API request duration (request to answer, after pacing), by method",
            ["method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge(
            f"{PREFIX}_queue_depth",
            "Messages in the send queue, by status (queued, sending)",
            ["status"],
            registry=r,
        )
        self.queue_oldest_age = Gauge(
            f"{PREFIX}_queue_oldest_age_seconds",
            "How long the oldest due message has waited to be sent (0 when none waits)",
            registry=r,
        )
        self.acknowledgements = Counter(
            f"{PREFIX}_acknowledgements",
            "Đã nhận presses that recorded an agency's acknowledgement",
            registry=r,
        )
        self.reminder_rounds = Counter(
            f"{PREFIX}_reminder_rounds",
            "Agencies reminded, by kind (scheduled rounds, manual /remind)",
            ["kind"],
            registry=r,
        )
        self.evidence_checks = Counter(
            f"{PREFIX}_evidence_checks",
            "Evidence URLs checked, by result (verified, unverified)",
            ["result"],
            registry=r,
        )
        self.leader = Gauge(
            f"{PREFIX}_leader",
            "1 while this instance leads sending and reminders",
            registry=r,
        )
        self.database_errors = Counter(
            f"{PREFIX}_database_errors",
            "Database operations that failed because the database could not be reached",
            ["where"],
            registry=r,
        )
        self.database_available = Gauge(
            f"{PREFIX}_database_available",
            "0 while this instance cannot reach the database",
            registry=r,
        )
        self.webhook_refused = Counter(
            f"{PREFIX}_webhook_refused",
            "Webhook requests refused (no or wrong secret token, or not an update)",
            registry=r,
        )
        for kind in ("directive", "reminder", "notice"):
            self.messages_sent.labels(kind=kind)
        for reason in RETRY_REASONS:
            self.messages_retried.labels(reason=reason)
        for reason in FAILURE_REASONS:
            self.messages_failed.labels(reason=reason)
        for status in ("queued", "sending"):
            self.queue_depth.labels(status=status)
        for kind in ("scheduled", "manual"):
            self.reminder_rounds.labels(kind=kind)
        for result in ("verified", "unverified"):
            self.evidence_checks.labels(result=result)

    def evidence_checked(self, result: str) -> None:
        """An evidence check ended (`verified` or `unverified`): for the evidence checker."""
        self.evidence_checks.labels(result=result).inc()

    def observe_api_call(self, method: str, seconds: float, status: int) -> None:
        """One Bot API request answered (AiohttpRequest's hook)."""
        self.api_latency.labels(method=method).observe(seconds)
        if status == 429:
            self.telegram_429.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
