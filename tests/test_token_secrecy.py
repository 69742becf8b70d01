"""The bot token, the webhook secret and the database password never reach a log line, a
traceback or an error message (issue 12, item 4)."""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path

import aiohttp
import pytest
from telegram.error import NetworkError

from bot.config import ConfigError, settings_from_mapping
from bot.logs import log_uncaught_exceptions, setup_logging
from bot.sandbox import Sandbox
from bot.telegram.request import AiohttpRequest
from tests.helpers import cli, restored_logging, write_config

# Shaped like a real one: BotFather's 35 characters after the colon.
TOKEN = "123456789:AAHk9cX2vQe7Lm4Rt8Yp1Zs6Wd3Fg5Jh0Kn"
SECRET = "s3cret-" + "q" * 33
PASSWORD = "pg-pass-w0rd"


def _chained_error() -> NetworkError:
    """What the request class raises when aiohttp fails with the URL in its message."""
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    try:
        try:
            raise aiohttp.InvalidURL(url)
        except aiohttp.InvalidURL as inner:
            raise NetworkError("aiohttp.InvalidURL") from inner
    except NetworkError as outer:
        return outer


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_chained_traceback_with_the_url_is_redacted(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with restored_logging():
        setup_logging(logging.INFO, fmt)
        logging.getLogger("bot.test").error("sending failed", exc_info=_chained_error())
    err = capsys.readouterr().err
    assert "aiohttp.client_exceptions.InvalidURL" in err  # the chained traceback is there
    assert "<token>" in err
    assert TOKEN not in err
    assert TOKEN.split(":")[1] not in err
    if fmt == "json":
        assert json.loads(err)["level"] == "ERROR"


async def test_the_request_class_raises_errors_without_the_token() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        # A URL aiohttp cannot use: its error message repeats the URL, token included.
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://[bad/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert TOKEN not in str(raised.value)
    assert "<token>" in str(raised.value)


@pytest.mark.parametrize(
    ("key", "section", "value", "kept"),
    [
        ("telegram.token", "telegram", {"token": TOKEN + " "}, "telegram.token = <hidden>"),
        (
            "webhook secret",
            "telegram",
            {"webhook": {"secret_token": SECRET + "!"}},
            "secret_token = <hidden>",
        ),
        (
            "database.url",
            "database",
            {"url": f"postgres://bot:{PASSWORD}@db.example/agency"},
            "postgres://bot:***@db.example/agency",
        ),
    ],
)
def test_config_errors_do_not_repeat_secrets(
    key: str, section: str, value: dict[str, object], kept: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping({section: value})
    message = str(raised.value)
    assert kept in message, key
    for secret in (TOKEN, SECRET, PASSWORD):
        assert secret not in message
    assert "\n" not in message


async def test_a_refused_token_is_one_line_without_it(sandbox: Sandbox, tmp_path: Path) -> None:
    """`run` and `invite` with a token Telegram refuses (PTB's InvalidToken repeats it)."""
    config = write_config(
        tmp_path / "config.toml", sandbox, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    )
    text = config.read_text(encoding="utf-8").replace(sandbox.token, TOKEN)
    config.write_text(text, encoding="utf-8")
    for argv in (("run",), ("invite", "so-y-te")):
        code, _, err = await cli("-c", str(config), *argv)
        lines = [line for line in err.splitlines() if "error" in line]
        assert code == 1, argv
        assert TOKEN not in err, argv
        assert lines == [
            "agency-bot: error: Telegram refused telegram.token (or AGENCY_BOT_TOKEN): "
            "check it with @BotFather"
        ], err


def test_an_exception_nobody_caught_in_a_thread_is_logged_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with restored_logging():
        hooks = sys.excepthook, threading.excepthook
        try:
            setup_logging(logging.INFO, "text")
            log_uncaught_exceptions()

            def fail() -> None:
                raise RuntimeError(f"fetching https://api.telegram.org/bot{TOKEN}/getFile failed")

            worker = threading.Thread(target=fail, name="worker")
            worker.start()
            worker.join()
        finally:
            sys.excepthook, threading.excepthook = hooks
    err = capsys.readouterr().err
    assert "uncaught exception in thread worker" in err
    assert "RuntimeError" in err
    assert TOKEN not in err
