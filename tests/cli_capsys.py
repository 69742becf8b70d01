"""`run`: an `agency-bot` command run in-process through `bot.cli.commands.main`, its exit
code and output read back from pytest's capsys. test_cli.py, test_summary_cli.py and
test_csv_injection.py all drive the command line this way, so it lives here rather than in
one of them (tests/helpers.py's `cli` is the one for tests that run a bot alongside)."""

from __future__ import annotations

import pytest

from bot.cli.commands import main
from tests.helpers import restored_logging


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with restored_logging():  # main() replaces the root handlers with one on capsys's stderr
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
