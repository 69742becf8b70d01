"""What an IT officer meets running the bot: one process per SQLite file, one-line errors,
`agency-bot doctor`, `agency-bot db backup`, JSON logs."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.logs import setup_logging
from bot.sandbox import Sandbox
from db.migrate import upgrade
from db.session import make_engine
from tests.helpers import cli, restored_logging, start_run, stop_run, until_polling, write_config

TOKEN = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # shaped like a real one


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def _migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("agency-bot: error: ")
    return err


async def test_a_second_run_on_the_same_sqlite_file_is_refused(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    first = await start_run(config, log=tmp_path / "first.log")
    try:
        await until_polling(sandbox)
        code, out, err = await cli("-c", str(config), "run")
        assert code == 1
        assert out == ""
        line = _one_line(err)
        assert f"pid {first.pid}" in line
        assert "one process per database file" in line
        # The first one goes on serving.
        await sandbox.add_user("Officer").ask("/start", "đường link mời", timeout=15)
    finally:
        assert await stop_run(first) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+asyncpg://bot:s3cret@127.0.0.1:1/agency", "cannot reach the database at "),
        ("sqlite+aiosqlite:////no/such/folder/bot.db", "cannot reach the database at "),
    ],
)
async def test_an_unreachable_database_is_one_line(
    sandbox: Sandbox, tmp_path: Path, url: str, expected: str
) -> None:
    config = write_config(tmp_path / "config.toml", sandbox, url)
    for command in (["agencies", "list"], ["report", "1"], ["run"]):
        code, _, err = await cli("-c", str(config), *command)
        assert code == 1
        assert expected in _one_line(err)
        assert "s3cret" not in err  # the password is not repeated


async def test_an_output_that_cannot_be_written_is_one_line(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    await _migrated(sqlite_url)
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    cases = [
        (["--format", "csv", "--output", str(tmp_path / "none" / "r.csv")], "no folder"),
        (["--format", "xlsx", "--output", str(tmp_path)], "it is a folder"),
    ]
    for args, reason in cases:
        code, _, err = await cli("-c", str(config), "report", "1", *args)
        assert code == 1
        assert reason in _one_line(err)


async def test_webhook_mode_without_a_url_fails_at_the_config(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "config.toml", sandbox, sqlite_url, telegram='mode = "webhook"'
    )
    for command in (["run"], ["agencies", "list"]):
        code, _, err = await cli("-c", str(config), *command)
        assert code == 1
        assert "webhook mode needs telegram.webhook.url" in _one_line(err)


async def test_a_web_port_in_use_is_one_line(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(
            tmp_path / "config.toml", sandbox, sqlite_url, extra=f"[web]\nport = {port}"
        )
        code, _, err = await cli("-c", str(config), "run")
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in _one_line(err)


# --- doctor -----------------------------------------------------------------------------------


async def test_doctor_passes_a_ready_installation(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    await _migrated(sqlite_url)
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    code, out, err = await cli("-c", str(config), "doctor")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "✓ config",
        "✓ token",
        "✓ database",
        "✓ webhook",
        "✓ calendar",
        "✓ disk",
    ]
    assert "@agency_sandbox_bot" in out
    assert "schema 0010 (current)" in out
    assert "Asia/Ho_Chi_Minh" in out
    assert "GB free beside" in out


async def test_doctor_names_each_problem_and_its_fix(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    try:
        await upgrade(engine, "0003")  # an old schema
    finally:
        await engine.dispose()
    await sandbox.add_user("x").send("/start")  # Telegram has an update for a webhook, say
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    text = config.read_text(encoding="utf-8").replace(sandbox.token, TOKEN)
    config.write_text(text, encoding="utf-8")
    code, out, _ = await cli("-c", str(config), "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)}
    assert code == 1
    assert not checks["token"]["ok"]
    assert "refused the token" in checks["token"]["detail"]
    assert "@BotFather" in checks["token"]["fix"]
    assert TOKEN not in out
    assert not checks["database"]["ok"]
    assert "schema at 0003" in checks["database"]["detail"]
    assert "agency-bot db upgrade" in checks["database"]["fix"]
    assert not checks["webhook"]["ok"]
    assert checks["calendar"]["ok"]


async def test_doctor_compares_the_webhook_with_the_config(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    await _migrated(sqlite_url)
    hook = "[telegram.webhook]\nurl = 'https://bot.example.gov.vn/telegram'"
    config = write_config(
        tmp_path / "config.toml", sandbox, sqlite_url, telegram='mode = "webhook"', extra=hook
    )
    code, out, _ = await cli("-c", str(config), "doctor")
    [line] = [line for line in out.splitlines() if "webhook" in line.split(":")[0]]
    assert code == 1
    assert line.startswith("✗ webhook: Telegram has no webhook yet")
    assert "agency-bot run" in line


async def test_doctor_with_a_broken_config_says_so_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[reminders]\nevery = '5x'\n", encoding="utf-8")
    code, out, _ = await cli("-c", str(config), "doctor")
    assert code == 1
    assert out.startswith("✗ config: ")
    assert out.count("\n") == 1


# --- db backup --------------------------------------------------------------------------------


async def test_db_backup_copies_a_running_bots_database(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    first = await start_run(config)
    try:
        await until_polling(sandbox)
        roster = Path(__file__).parent.parent / "examples" / "agencies.csv"
        code, _, err = await cli("-c", str(config), "agencies", "import", str(roster))
        assert code == 0, err
        backup = tmp_path / "backup.db"
        code, out, err = await cli("-c", str(config), "db", "backup", str(backup))
        assert code == 0, err
        assert f"to {backup}" in out
        again = await cli("-c", str(config), "db", "backup", str(backup))
    finally:
        await stop_run(first)
    with sqlite3.connect(backup) as copy:
        agencies = copy.execute("SELECT count(*) FROM agencies").fetchone()
    assert agencies == (len(roster.read_text(encoding="utf-8").splitlines()) - 1,)
    assert again[0] == 1
    assert "never overwrites" in _one_line(again[2])


async def test_db_backup_of_postgresql_points_to_pg_dump(sandbox: Sandbox, tmp_path: Path) -> None:
    url = "postgresql+asyncpg://bot@127.0.0.1:5432/agency"
    config = write_config(tmp_path / "config.toml", sandbox, url)
    code, _, err = await cli("-c", str(config), "db", "backup", str(tmp_path / "x"))
    assert code == 1
    assert "pg_dump" in _one_line(err)


# --- logs -------------------------------------------------------------------------------------


def test_json_logs_are_one_object_a_line_without_the_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with restored_logging():
        setup_logging(logging.INFO, "json")
        log = logging.getLogger("bot.test")
        log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise ConnectionError(f"https://api.telegram.org/bot{TOKEN}/sendMessage timed out")
        except ConnectionError:
            log.exception("request failed")
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["level"] for e in entries] == ["INFO", "ERROR"]
    assert entries[0]["logger"] == "bot.test"
    assert entries[0]["message"] == "calling https://api.telegram.org/bot<token>/getMe"
    assert "ConnectionError" in entries[1]["exception"]
    assert TOKEN not in "\n".join(lines)
