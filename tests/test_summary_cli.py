"""`agency-bot report` and `agency-bot events`, run in-process as an operator would type them."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.cli.commands import main
from bot.reports import pdf
from bot.reports.pdf import soffice
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from tests.cli_capsys import run
from tests.summary_scenario import CSV, build_campaign


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose database holds the campaign (directive 1)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            await build_campaign(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def test_csv_goes_to_stdout_exactly(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, err = run(capsys, "report", "1", "--format", "csv", "-c", str(config))
    assert (code, err) == (0, "")
    assert out == CSV


def test_csv_to_a_file_is_utf8_without_bom(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    code, out, _ = run(
        capsys, "-c", str(config), "report", "1", "--format", "csv", "--output", str(target)
    )
    assert code == 0
    assert str(target) in out
    assert target.read_bytes() == CSV.encode("utf-8")


def test_text_is_the_default(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, _ = run(capsys, "-c", str(config), "report", "1")
    assert code == 0
    assert "123/STTTT-TTBCXB" in out
    assert "acknowledged 2 (50%)" in out
    assert "Nguyễn Văn An (thủ công)" in out


def test_json_gives_the_rows_and_the_counts(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out, _ = run(capsys, "-c", str(config), "--json", "report", "1")
    data = json.loads(out)
    assert code == 0
    assert data["counts"]["acknowledged"] == 2
    assert [row["agency_code"] for row in data["agencies"]][:2] == ["bao-soc-trang", "dai-ptth"]
    assert data["agencies"][1]["acknowledged_at"] == "2026-04-21T09:30:00+07:00"


def test_xlsx_and_png_are_written_where_asked_or_next_to_the_operator(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "tong-ket.xlsx"
    code, out, _ = run(
        capsys, "-c", str(config), "report", "1", "--format", "xlsx", "--output", str(target)
    )
    assert code == 0
    assert str(target) in out
    assert openpyxl.load_workbook(io.BytesIO(target.read_bytes())).sheetnames[1] == "Đơn vị"
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "-c", str(config), "--json", "report", "1", "--format", "png")
    assert json.loads(out) == {
        "directive_id": 1,
        "format": "png",
        "output": "bao-cao-cong-van-1.png",
    }
    assert (tmp_path / "bao-cao-cong-van-1.png").read_bytes()[:4] == b"\x89PNG"


def test_docx_is_the_official_report_with_the_configs_organization(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with config.open("a", encoding="utf-8") as extra:
        extra.write('[organization]\nsigner = "Nguyễn Thị Thu"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "-c", str(config), "--json", "report", "1", "--format", "docx")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "directive_id": 1,
        "format": "docx",
        "output": "bao-cao-cong-van-1.docx",
    }
    document = docx.Document(str(tmp_path / "bao-cao-cong-van-1.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts.index("BÁO CÁO") < texts.index("I. NỘI DUNG CÔNG VĂN")
    signature = document.tables[-2].cell(0, 1).text  # before the appendix's table
    assert signature.endswith("Nguyễn Thị Thu")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed here")
def test_pdf_is_the_official_report_converted_by_libreoffice(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    target = tmp_path / "bao-cao.pdf"
    code, out, err = run(
        capsys, "-c", str(config), "report", "1", "--format", "pdf", "--output", str(target)
    )
    assert (code, err) == (0, "")
    assert str(target) in out
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2  # the report, then the appendix


def test_pdf_without_libreoffice_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    target = tmp_path / "bao-cao.pdf"
    code, out, err = run(
        capsys, "-c", str(config), "report", "1", "--format", "pdf", "--output", str(target)
    )
    assert (code, out) == (1, "")
    assert err == (
        "agency-bot: error: PDF needs LibreOffice, which is not installed: install LibreOffice"
        " (Debian: apt-get install libreoffice-writer-nogui)\n"
    )
    assert not target.exists()


@pytest.mark.parametrize("argv", [["report", "99"], ["report", "99", "--format", "xlsx"]])
def test_unknown_directive_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], config: Path, argv: list[str]
) -> None:
    code, out, err = run(capsys, "-c", str(config), *argv)
    assert (code, out) == (1, "")
    assert err == "agency-bot: error: no directive with id 99\n"


def test_malformed_id_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["-c", str(config), "report", "abc"])
    assert exit_.value.code == 2
    assert "invalid int value: 'abc'" in capsys.readouterr().err


def test_events_list_the_audit_trail_with_actors(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    run(capsys, "-c", str(config), "report", "1", "--format", "csv")  # an export is recorded too
    code, out, _ = run(capsys, "-c", str(config), "--json", "events", "--directive", "1")
    assert code == 0
    kinds = [(e["kind"], e["actor_type"], e["actor_id"], e["agency"]) for e in json.loads(out)]
    assert ("directive.created", "staff", 900001, None) in kinds
    assert ("delivery.marked", "staff", 900001, "dai-ptth") in kinds
    assert ("report.exported", "cli", None, None) in kinds
    code, out, _ = run(capsys, "-c", str(config), "events", "--limit", "2")
    lines = out.splitlines()
    assert code == 0
    assert lines[-1] == "2 events"
    assert "report.exported" in lines[1]
    assert lines[0].startswith("2026-")
    assert "+07:00" in lines[0].split()[0]
