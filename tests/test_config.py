"""Configuration: the example file, defaults, and one-line errors for bad values."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, Settings, load_settings, settings_from_mapping
from bot.durations import format_duration, parse_duration

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def _keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in data.items():
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def test_example_config_loads_and_equals_the_defaults() -> None:
    assert load_settings(EXAMPLE, required=True) == Settings()


def test_example_config_documents_every_key() -> None:
    documented = _keys(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    every_key = _keys(Settings().model_dump(by_alias=True))
    optional = {"reminders.khan.max_count", "reminders.hoa-toc.max_count"}
    assert every_key - optional == documented
    text = EXAMPLE.read_text(encoding="utf-8")
    assert all(f"# {key.rsplit('.', 1)[-1]} = " in text for key in optional)


def test_missing_default_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "config.toml") == Settings()


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "nope.toml", required=True)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[reminders]\nevery = '5x'", "reminders.every = '5x': not a duration"),
        ("[telegram]\ntokn = 'x'", "unknown key 'telegram.tokn'"),
        (
            "[reminders]\nmax_count = '3'",
            "reminders.max_count = '3': Input should be a valid integer",
        ),
        (
            "[reminders]\nworking_days = 'mon-fry'",
            "reminders.working_days = 'mon-fry': unknown day",
        ),
        ("[reminders]\nworking_hours = '17:00-07:30'", "end of working hours must be after"),
        ("[reminders]\ntimezone = 'Asia/Saigonn'", "unknown time zone"),
        ("[reminders]\nholidays = 'XX'", "no public holiday calendar"),
        ("[telegram]\nmode = 'push'", "telegram.mode = 'push'"),
        ("[telegram]\ntoken = 'abc'", "not a bot token"),
        ("[database]\nurl = 'mysql://x'", "database.url = 'mysql://x': use sqlite+aiosqlite"),
        ("[staff]\nadmins = ['me']", "admins are numeric Telegram user ids"),
        ("[broadcast]\nrate_per_second = 0", "broadcast.rate_per_second = 0"),
        ("[reminders.khan]\nevery = '1h'", "reminders.khan.first_after"),
        ("[telegram\n", "not valid TOML"),
        ("[reminders]\nextra_holidays = ['11/02/2027']", "not a date: '11/02/2027'"),
        ("[reminders]\nextra_holidays = [2027-02-11T08:00:00]", "not a date"),
        ("[reminders]\nextra_holidays = 2027-02-11", "use a list of dates"),
        ("[reminders]\nextra_working_days = [1999-02-20]", "outside 2000-2100"),
        (
            "[reminders]\nextra_holidays = [2027-02-20]\nextra_working_days = [2027-02-20]",
            "reminders.extra_working_days = [datetime.date(2027, 2, 20)]: "
            "2027-02-20 is in extra_holidays too",
        ),
        ("[organization]\nsymbol = 'sở tttt'", "organization.symbol = 'sở tttt': capital"),
        ("[organization]\nname = ''", "organization.name = '': must not be empty"),
        ('[organization]\nsigner = "Lê\\nBắc"', "must be one line"),
        ("[organization]\nsigner_title = []", "one to three lines"),
        ("[organization]\nrecipients = ['Như trên;', '']", "an empty line"),
        ("[organization]\nseal = 'x'", "unknown key 'organization.seal'"),
        ("[groups]\n'Sở ngành' = 'x'", "is not a group of the roster"),
        ("[groups]\nhoi = 3", "hoi: must be a string"),
    ],
)
def test_bad_value_fails_with_key_value_and_reason_in_one_line(
    tmp_path: Path, toml: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        load_settings(path)
    message = str(failure.value)
    assert expected in message
    assert message.startswith(str(path))
    assert "\n" not in message


def test_token_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[telegram]\ntoken = '1:file'\n", encoding="utf-8")
    monkeypatch.setenv("AGENCY_BOT_TOKEN", "42:from-the-environment")
    assert load_settings(path).telegram.token == "42:from-the-environment"


def test_working_days_accept_ranges_and_lists() -> None:
    def days(text: str) -> frozenset[int]:
        return settings_from_mapping({"reminders": {"working_days": text}}).reminders.working_days

    assert days("mon-fri") == frozenset(range(5))
    assert days("mon-sun") == frozenset(range(7))
    assert days("mon,wed,fri") == frozenset({0, 2, 4})
    assert days("Mon-Tue, sat") == frozenset({0, 1, 5})


def test_all_day_working_hours() -> None:
    hours = settings_from_mapping({"reminders": {"working_hours": "00:00-24:00"}})
    assert str(hours.reminders.working_hours) == "00:00-24:00"
    assert hours.reminders.working_hours.end is None


def test_groups_add_to_the_default_display_names() -> None:
    settings = settings_from_mapping({"groups": {"xa-phuong": "Xã, phường", "hoi": "Các hội"}})
    assert settings.group_name("xa-phuong") == "Xã, phường"
    assert settings.group_name("hoi") == "Các hội"
    assert settings.group_name("so-nganh") == "Sở, ban, ngành"
    assert settings.group_name("khac") == "khac"  # not named: the slug


def test_organization_defaults_are_soc_trang_and_a_title_may_be_one_line() -> None:
    organization = Settings().organization
    assert (organization.parent_body, organization.name) == (
        "UBND TỈNH SÓC TRĂNG",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    )
    assert organization.signer_title == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    director = settings_from_mapping({"organization": {"signer_title": "GIÁM ĐỐC"}})
    assert director.organization.signer_title == ("GIÁM ĐỐC",)


def test_urgency_cadences_have_spec_defaults() -> None:
    reminders = Settings().reminders
    assert (reminders.khan.first_after, reminders.khan.every) == (
        timedelta(hours=2),
        timedelta(hours=4),
    )
    assert (reminders.hoa_toc.first_after, reminders.hoa_toc.every) == (
        timedelta(hours=1),
        timedelta(hours=2),
    )


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("24h", 86400), ("7d", 604800)]
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "h", "-1h", "0s", "1 day", "1y"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**7))
def test_format_duration_round_trips(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value
