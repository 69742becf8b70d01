"""The command line, run in-process as an operator would type it."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.commands import build_parser, main
from bot.onboarding.joining import Joiner, JoinOutcome, JoinResult, redeem_invite
from db.models import ContactRole
from db.session import make_engine, make_sessionmaker
from tests.cli_capsys import run

ROSTER = Path(__file__).parent.parent / "examples" / "agencies.csv"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\nusername = "soctrang_congvan_bot"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "cli.db"}"\n',
        encoding="utf-8",
    )
    return path


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "demo", "db", "agencies", "invite"):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command


def test_config_option_goes_before_or_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    assert run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))[0] == 0
    before = run(capsys, "-c", str(config), "--json", "agencies", "list")
    after = run(capsys, "agencies", "list", "--json", "--config", str(config))
    assert before == after
    assert len(json.loads(after[1])) == 172


def test_config_from_the_environment(
    capsys: pytest.CaptureFixture[str], config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENCY_BOT_CONFIG", str(config))
    code, out, _ = run(capsys, "db", "upgrade")
    assert (code, out.strip()) == (0, "database is up to date")
    assert (config.parent / "cli.db").exists()


def test_import_then_list(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, _ = run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))
    assert code == 0
    assert "172 created" in out
    code, out, _ = run(capsys, "-c", str(config), "agencies", "import", str(ROSTER), "--json")
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 172}
    _, out, _ = run(capsys, "-c", str(config), "agencies", "list")
    assert "ubnd-tran-de" in out
    assert "UBND huyện Trần Đề" in out


def test_bad_rows_are_all_reported_and_nothing_is_imported(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,group\nso-y-te,Sở Y tế,so-nganh\n,Không mã,so-nganh\nso-y-te,Trùng,so-nganh\n"
        "so-noi-vu,,so-nganh\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "-c", str(config), "agencies", "import", str(bad))
    assert code == 1
    assert "line 3: missing code" in err
    assert "line 4: duplicate code 'so-y-te'" in err
    assert "line 5: empty name" in err
    assert "nothing imported" in err
    _, out, _ = run(capsys, "-c", str(config), "agencies", "list", "--json")
    assert json.loads(out) == []


def test_wrong_extension_is_refused(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    path = tmp_path / "roster.xls"
    path.write_bytes(b"whatever")
    code, _, err = run(capsys, "-c", str(config), "agencies", "import", str(path))
    assert code == 1
    assert "unsupported file type '.xls'" in err


def test_invite_prints_token_and_deep_link(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))
    code, out, _ = run(
        capsys, "-c", str(config), "invite", "so-y-te", "--uses", "3", "--expires", "24h", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", data["token"])
    assert data["link"] == f"https://t.me/soctrang_congvan_bot?start={data['token']}"
    assert data["uses"] == 3


def test_invite_with_a_role_binds_whoever_joins_in_that_role(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))
    code, out, _ = run(capsys, "-c", str(config), "invite", "so-y-te", "--role", "head", "--json")
    assert code == 0
    token = json.loads(out)["token"]
    joiner = Joiner(4242, "Giám đốc Sở Y tế", None)

    async def redeem() -> JoinOutcome:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        try:
            async with make_sessionmaker(engine).begin() as session:
                return await redeem_invite(session, token, joiner, datetime.now(UTC))
        finally:
            await engine.dispose()

    outcome = asyncio.run(redeem())
    # The first to join an agency would be its primary: the invite's role wins.
    assert (outcome.result, outcome.role) == (JoinResult.JOINED, ContactRole.HEAD)
    with pytest.raises(SystemExit) as refused:
        main(["-c", str(config), "invite", "so-y-te", "--role", "boss"])
    assert refused.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


def test_invites_are_unguessable(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))
    tokens = {
        json.loads(run(capsys, "-c", str(config), "invite", "so-y-te", "--json")[1])["token"]
        for _ in range(5)
    }
    assert len(tokens) == 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["invite", "khong-co"], "no active agency with code 'khong-co'"),
        (["invite", "so-y-te", "--uses", "0"], "--uses must be at least 1"),
        (["invite", "so-y-te", "--expires", "soon"], "--expires: not a duration"),
    ],
)
def test_bad_invite_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], config: Path, argv: list[str], message: str
) -> None:
    run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))
    code, out, err = run(capsys, "-c", str(config), *argv)
    assert code == 1
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_invite_without_username_or_token_says_what_to_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "x.db"}"\n')
    code, _, err = run(capsys, "-c", str(path), "invite", "so-y-te")
    assert code == 1
    assert "set telegram.username or telegram.token" in err


def test_bad_config_key_stops_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[reminders]\nevrey = '24h'\n")
    code, _, err = run(capsys, "-c", str(path), "agencies", "list")
    assert code == 1
    assert err.strip() == f"agency-bot: error: {path}: unknown key 'reminders.evrey'"


def test_run_without_token_is_refused(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, _, err = run(capsys, "-c", str(config), "run")
    assert code == 1
    assert "telegram.token is empty" in err


def test_mark_sets_a_status_by_hand_with_its_reason(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    sample = Path(__file__).parent.parent / "examples" / "directive-book-day.toml"
    run(capsys, "-c", str(config), "agencies", "import", str(ROSTER))
    code, out, err = run(capsys, "-c", str(config), "broadcast", "--file", str(sample), "--json")
    assert code == 0, err
    directive = str(json.loads(out)["directive_id"])
    code, out, _ = run(
        capsys,
        "-c",
        str(config),
        "mark",
        directive,
        "so-y-te",
        "--status",
        "completed",
        "--reason",
        "xác nhận qua điện thoại",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "directive_id": int(directive),
        "agency": "so-y-te",
        "status": "completed",
    }
    for argv, message in (
        ([directive, "khong-co"], "agency 'khong-co' is not a recipient"),
        (["999", "so-y-te"], "no directive with id 999"),
    ):
        code, _, err = run(
            capsys, "-c", str(config), "mark", *argv, "--status", "completed", "--reason", "x"
        )
        assert code == 1
        assert message in err
    code, _, err = run(
        capsys,
        "-c",
        str(config),
        "mark",
        directive,
        "so-y-te",
        "--status",
        "completed",
        "--reason",
        "  ",
    )
    assert code == 1
    assert "a reason is required" in err
