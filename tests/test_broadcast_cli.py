"""`agency-bot broadcast` and `agency-bot run` as separate processes, as an IT officer runs
them: a directive file queued from the command line, an attachment uploaded once, and a
kill -9 in the middle of sending."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.onboarding.roster import import_roster
from bot.runner import running_bot
from bot.sandbox import Sandbox
from db.models import MessageStatus, OutboundMessage
from db.session import make_engine, make_sessionmaker
from tests.helpers import (
    EXAMPLE_ROSTER,
    FAST,
    cli,
    copies_per_chat,
    in_flight_at,
    join_officers,
    make_settings,
    message_statuses,
    recorded_sent,
    start_run,
    stop_run,
    write_config,
)

SAMPLE = Path(__file__).parent.parent / "examples" / "directive-book-day.toml"
NUMBER = "123/STTTT-TTBCXB"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def test_bad_directive_file_is_refused_and_nothing_queued(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'subjet = "V/v x"\nbody = "y"\nlinks = ["ftp://x"]\ndeadline = "31/02/2020"\n',
        encoding="utf-8",
    )
    code, out, err = await cli("-c", str(config), "broadcast", "--file", str(bad), "--to", "all")
    assert code == 1
    assert out == ""
    assert "unknown key 'subjet'" in err
    assert "links" in err
    assert "deadline" in err
    assert err.count("\n") == 1
    code, _, err = await cli("-c", str(config), "broadcast", "--file", str(SAMPLE), "--to", "x-y")
    assert code == 1
    assert "unknown recipients: x-y" in err
    engine = make_engine(sqlite_url)
    async with make_sessionmaker(engine)() as session:
        assert (await session.scalars(select(OutboundMessage))).all() == []
    await engine.dispose()


async def test_cli_broadcast_is_delivered_by_the_running_bot_with_one_upload(
    sandbox: Sandbox, sqlite_url: str, tmp_path: Path
) -> None:
    settings = make_settings(sandbox, sqlite_url)
    config = write_config(tmp_path / "config.toml", sandbox, sqlite_url)
    pdf = tmp_path / "Công văn 123 Hội Sách.pdf"
    pdf.write_bytes(b"%PDF-1.4 sample letter\n%%EOF\n")
    directive = tmp_path / "directive.toml"
    # First in the file: a key after the sample's [[items]] tables would belong to its last item.
    directive.write_text(
        f'attachment = "{pdf.name}"\n' + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8"
    )
    async with running_bot(settings, tuning=FAST) as bot:
        await import_roster(bot.sessionmaker, EXAMPLE_ROSTER)
        officers = await join_officers(
            bot.sessionmaker, sandbox, ["bao-soc-trang", "dai-ptth", "hoi-vhnt"]
        )
        code, out, err = await cli(
            "broadcast", "--file", str(directive), "-c", str(config), "--json"
        )
        assert code == 0, err
        assert json.loads(out) == {"directive_id": 1, "agencies": 70}  # all but the schools
        for users in officers.values():
            message = await users[0].wait_for_message(NUMBER, timeout=15)
            assert message.document is not None
            assert message.document["file_name"] == "Công văn 123 Hội Sách.pdf"
    uploads = [c for c in sandbox.calls if c.method == "sendDocument" and c.ok]
    assert len(uploads) == 3
    assert str(uploads[0].params["document"]).startswith("attach://")
    assert {c.params["document"] for c in uploads[1:]} == {
        uploads[0].response["result"]["document"]["file_id"]
    }


async def test_kill_9_mid_broadcast_loses_nothing(
    sandbox: Sandbox, db_url: str, tmp_path: Path
) -> None:
    """Kill -9 while sending, start again: every message arrives; the only duplicates are
    messages that were in flight at the kill (claimed, `sending`, when the process died)."""
    sandbox.latency = 0.1
    config = write_config(tmp_path / "config.toml", sandbox, db_url)
    engine = make_engine(db_url)
    sessionmaker = make_sessionmaker(engine)
    await import_roster(sessionmaker, EXAMPLE_ROSTER)
    # "all" is the top of the tree (agencies without a parent): 40 of them get officers.
    lines = EXAMPLE_ROSTER.read_text().splitlines()[1:]
    codes = [line.split(",")[0] for line in lines if line.endswith(",")][:40]
    officers = await join_officers(sessionmaker, sandbox, codes)
    code, _, err = await cli("-c", str(config), "broadcast", "--file", str(SAMPLE), "--to", "all")
    assert code == 0, err

    first = await start_run(config)
    await sandbox.wait_for("sendMessage", count=10, ok=True, timeout=30)
    await stop_run(first, kill=True)
    killed_at = time.monotonic()
    recorded = await recorded_sent(sessionmaker)
    await engine.dispose()

    second = await start_run(config, log=tmp_path / "second.log")
    try:
        for users in officers.values():
            await users[0].wait_for_message(NUMBER, timeout=60)
    finally:
        code = await stop_run(second)
    assert code == 0, (tmp_path / "second.log").read_text()[-2000:]

    copies = Counter(copies_per_chat([u[0] for u in officers.values()], NUMBER).values())
    duplicates = sum((n - 1) * k for n, k in copies.items())
    assert set(copies) <= {1, 2}
    assert recorded < len(codes)  # the kill really fell mid-broadcast
    # Only what Telegram had answered and the first process had not recorded goes twice.
    assert duplicates <= in_flight_at(sandbox, killed_at, recorded)
    engine = make_engine(db_url)
    statuses = await message_statuses(make_sessionmaker(engine))
    await engine.dispose()
    assert statuses == {MessageStatus.SENT: len(codes)}
