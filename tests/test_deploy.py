"""The production files shipped in deploy/: what systemd, nginx and Prometheus will read."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.metrics import Metrics

DEPLOY = Path(__file__).parent.parent / "deploy"


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    unit = (DEPLOY / "agency-bot.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/agency-bot/.venv/bin/agency-bot run" in unit
    # The installed program, where this checkout has it (verify checks it is executable).
    program = Path(sys.executable).parent / "agency-bot"
    local = tmp_path / "agency-bot.service"
    local.write_text(unit.replace("/opt/agency-bot/.venv/bin/agency-bot", str(program)))
    result = subprocess.run(  # noqa: S603 (a fixed program on a file of ours)
        [analyze, "verify", str(local)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr, result.stderr


def test_the_alert_rules_use_series_the_bot_exports() -> None:
    rules = (DEPLOY / "alerts.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\b(agency_bot_[a-z0-9_]+)", rules))
    exported = Metrics().render().decode()
    assert {"agency_bot_queue_oldest_age_seconds", "agency_bot_leader"} <= used
    assert all(re.search(rf"^{name}[ {{]", exported, re.MULTILINE) for name in used), used
    assert {"AgencyBotQueueStuck", "AgencyBotSendFailures", "AgencyBotNoLeader"} <= set(
        re.findall(r"alert: (\w+)", rules)
    )


def test_nginx_passes_the_webhook_path_and_keeps_metrics_inside() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "location = /telegram" in conf
    inside = r"location ~ \^/\(healthz\|readyz\|metrics\)\$ \{\s+allow [^;]+;.*\n\s+deny all;"
    assert re.search(inside, conf)
