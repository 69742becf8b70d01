"""The bot's web server: health, readiness, metrics, and Telegram's webhook with its secret."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from bot.runner import RunningBot, running_bot
from bot.sandbox import Sandbox
from bot.web.telegram import SECRET_HEADER, derived_secret
from db.models import OutboundMessage, Staff
from tests.helpers import (
    ADMIN_ID,
    FAST,
    StartBot,
    eventually,
    join_officers,
    make_settings,
    queue_letter,
)

SECRET = "k" * 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _webhook_settings(sandbox: Sandbox, tmp_path: Path, secret: str = SECRET) -> Any:
    port = _free_port()
    return make_settings(
        sandbox,
        f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}",
        telegram={
            "mode": "webhook",
            "webhook": {"url": f"http://127.0.0.1:{port}/telegram-hook", "secret_token": secret},
        },
        web={"port": port},
    )


def _staff_add_update(update_id: int) -> dict[str, Any]:
    """What Telegram would post if the admin typed `/staff add 666 admin`."""
    command = "/staff add 666 admin"
    admin = {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Admin"},
            "from": admin,
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def _staff_ids(bot: RunningBot) -> list[int]:
    async with bot.sessionmaker() as session:
        return list((await session.scalars(select(Staff.telegram_user_id))).all())


async def test_webhook_mode_receives_updates_with_the_secret(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = _webhook_settings(sandbox, tmp_path)
    async with running_bot(settings, tuning=FAST) as bot:
        hook = (await sandbox.wait_for("setWebhook"))[0]
        assert hook.params["url"] == settings.telegram.webhook.url
        assert hook.params["secret_token"] == SECRET
        await sandbox.add_user("Officer").ask("/start", "đường link mời")
        assert sandbox.stats.webhook_deliveries >= 1
        assert bot.web_url.endswith(f":{settings.web.port}")


async def test_a_forged_webhook_update_is_refused_and_changes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """An attacker who knows an admin's id posts `/staff add 666 admin` as that admin."""
    settings = _webhook_settings(sandbox, tmp_path)
    url = settings.telegram.webhook.url
    async with running_bot(settings, tuning=FAST) as bot, httpx.AsyncClient() as client:
        forged = await client.post(url, json=_staff_add_update(1))
        wrong = await client.post(
            url, json=_staff_add_update(2), headers={SECRET_HEADER: SECRET[:-1] + "x"}
        )
        assert (forged.status_code, wrong.status_code) == (403, 403)
        assert 666 not in await _staff_ids(bot)
        assert not [c for c in sandbox.calls if c.method == "sendMessage"]
        # The same update with Telegram's secret is taken: the refusal was the secret's doing.
        real = await client.post(url, json=_staff_add_update(3), headers={SECRET_HEADER: SECRET})
        assert real.status_code == 200
        await sandbox.wait_for("sendMessage", chat_id=ADMIN_ID)
        assert 666 in await _staff_ids(bot)
        metrics = (await client.get(f"{bot.web_url}/metrics")).text
        assert "agency_bot_webhook_refused_total 2.0" in metrics


async def test_without_a_configured_secret_one_is_derived_and_registered(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = _webhook_settings(sandbox, tmp_path, secret="")
    async with running_bot(settings, tuning=FAST), httpx.AsyncClient() as client:
        hook = (await sandbox.wait_for("setWebhook"))[0]
        secret = derived_secret(sandbox.token)
        assert hook.params["secret_token"] == secret
        assert len(secret) >= 32
        await sandbox.add_user("Officer").ask("/start", "đường link mời")
        bare = await client.post(settings.telegram.webhook.url, json=_staff_add_update(9))
        assert bare.status_code == 403


async def test_health_and_readiness(start_bot: StartBot) -> None:
    bot = await start_bot(roster=False)
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        assert (health.status_code, ready.status_code) == (200, 200)
        assert "leader" in ready.text
        async with bot.engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '0003'"))
        stale = await client.get("/readyz")
        assert stale.status_code == 503
        assert "schema at 0003" in stale.text
        assert "agency-bot db upgrade" in stale.text
        assert (await client.get("/healthz")).status_code == 200


def _samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_during_a_broadcast_match_the_database(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    """Scraped while a letter goes out (some officers blocked the bot, Telegram answers a
    429 once): the counters say what the send queue says."""
    bot = await start_bot()
    codes = ["so-y-te", "dai-ptth", "bao-soc-trang", "hoi-vhnt", "so-khcn", "so-gddt"]
    officers = await join_officers(bot.sessionmaker, sandbox, codes)
    blocked = [officers[code][0] for code in codes[:2]]
    for user in blocked:
        sandbox.faults.add("sendMessage", status=403, chat_id=user.id)
    sandbox.faults.add("sendMessage", status=429, retry_after=1, chat_id=officers[codes[2]][0].id)
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        await queue_letter(bot, to=tuple(codes))
        during = (await client.get("/metrics")).text
        assert "agency_bot_queue_depth" in during
        for users in [officers[code] for code in codes[2:]]:
            await users[0].wait_for_message("123/STTTT-TTBCXB", timeout=15)

        async def by_status() -> dict[str, int]:
            async with bot.sessionmaker() as session:
                rows = await session.execute(
                    select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
                )
            return {str(status): int(count) for status, count in rows.all()}

        await eventually(by_status, {"sent": 4, "failed": 2}, timeout=15)
        exposition = (await client.get("/metrics")).text
    scraped = _samples(exposition)
    sent = scraped[("agency_bot_messages_sent_total", (("kind", "directive"),))]
    failed = scraped[("agency_bot_messages_failed_total", (("reason", "blocked"),))]
    retried = scraped[("agency_bot_messages_retried_total", (("reason", "rate_limited"),))]
    assert (sent, failed) == (4, 2)
    assert retried == 1
    assert scraped[("agency_bot_telegram_429_total", ())] == 1
    assert scraped[("agency_bot_leader", ())] == 1
    assert scraped[("agency_bot_queue_depth", (("status", "queued"),))] == 0
    assert scraped[("agency_bot_database_available", ())] == 1
    latency = scraped[("agency_bot_send_latency_seconds_count", (("method", "sendMessage"),))]
    assert latency == 4 + 2 + 1  # every request answered, failures included
    assert sandbox.token not in exposition
    assert all(str(user.id) not in exposition for user in blocked)
