"""Webhook mode on the public internet (issue 12, item 1): a weak secret stops the start,
the server listens on loopback unless told otherwise, and a body too big is refused.
The forged update itself: tests/test_web.py::test_a_forged_webhook_update_is_refused_and_
changes_nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from bot.config import ConfigError, Settings, settings_from_mapping
from bot.runner import running_bot
from bot.sandbox import Sandbox
from bot.web.telegram import MAX_UPDATE_BYTES, SECRET_HEADER
from tests.helpers import FAST, cli, make_settings, write_config

SECRET = "w" * 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("secret", ["short-secret", "x" * 31, "has spaces " * 4])
def test_a_weak_webhook_secret_is_a_config_error(secret: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping(
            {
                "telegram": {
                    "mode": "webhook",
                    "webhook": {"url": "https://bot.example.gov.vn/hook", "secret_token": secret},
                }
            }
        )
    message = str(raised.value)
    assert "telegram.webhook.secret_token = <hidden>: use 32 to 256 characters" in message
    assert secret not in message
    assert "\n" not in message


async def test_the_bot_refuses_to_start_with_a_weak_secret(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    hook = "[telegram.webhook]\nurl = 'https://bot.example.gov.vn/hook'\nsecret_token = 'abc123'"
    config = write_config(
        tmp_path / "config.toml",
        sandbox,
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        telegram='mode = "webhook"',
        extra=hook,
    )
    code, _, err = await cli("-c", str(config), "run")
    assert code == 1
    assert err.strip().splitlines() == [
        f"agency-bot: error: {config}: telegram.webhook.secret_token = <hidden>: use 32 to 256 "
        "characters of A-Z, a-z, 0-9, _ and - (e.g. the output of `openssl rand -hex 32`), "
        "or leave it empty"
    ]
    assert not [c for c in sandbox.calls if c.method == "setWebhook"]


def test_the_web_server_listens_on_loopback_by_default() -> None:
    assert Settings().web.listen == "127.0.0.1"


async def test_a_webhook_body_too_big_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    settings = make_settings(
        sandbox,
        f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}",
        telegram={"mode": "webhook", "webhook": {"url": url, "secret_token": SECRET}},
        web={"port": port},
    )
    padding = "x" * (MAX_UPDATE_BYTES + 1)
    body = '{"update_id": 1, "padding": "' + padding + '"}'
    async with running_bot(settings, tuning=FAST), httpx.AsyncClient() as client:
        big = await client.post(
            url,
            content=body,
            headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
        )
        assert big.status_code in (400, 413)
        # Without the secret, not even read.
        bare = await client.post(url, content=body, headers={"Content-Type": "application/json"})
        assert bare.status_code == 403
