"""Settings: the TOML config file (config.example.toml documents every key), validated key
by key.

Every key is checked when the bot starts so that a typo fails at once, in one line that
names the key, the value and the reason, instead of surfacing days later in a reminder.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.durations import format_duration, parse_duration

DEFAULT_CONFIG_PATH = Path("config.toml")
CONFIG_ENV = "AGENCY_BOT_CONFIG"
TOKEN_ENV = "AGENCY_BOT_TOKEN"  # noqa: S105 (the variable's name, not a token)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line for the operator."""


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError('a duration must be a string like "30s", "15m", "24h", "7d"')
    return parse_duration(value)


Duration = Annotated[
    timedelta, BeforeValidator(_duration), PlainSerializer(format_duration, return_type=str)
]


@dataclass(frozen=True)
class WorkingHours:
    """A daily window [start, end); end None means midnight (the "24:00" of "00:00-24:00")."""

    start: time
    end: time | None

    def __str__(self) -> str:
        end = "24:00" if self.end is None else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


def _clock(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"not a time of day: {text!r} (use HH:MM)")
    return time(int(match.group(1)), int(match.group(2)))


def _optional_clock(value: Any) -> time | None:
    if not isinstance(value, str):
        raise ValueError('use "HH:MM", or "" for none')
    return _clock(value) if value.strip() else None


def _working_hours(value: Any) -> WorkingHours:
    if isinstance(value, WorkingHours):
        return value
    if not isinstance(value, str) or value.count("-") != 1:
        raise ValueError('use "HH:MM-HH:MM", e.g. "07:30-17:00" or "00:00-24:00"')
    start_text, end_text = value.split("-")
    start = _clock(start_text)
    end = None if end_text.strip() == "24:00" else _clock(end_text)
    if end is not None and end <= start:
        raise ValueError("the end of working hours must be after the start")
    return WorkingHours(start, end)


def _working_days(value: Any) -> frozenset[int]:
    """ "mon-fri", "mon-sun" or "mon,wed,fri" → ISO weekday numbers 0..6 (Monday = 0)."""
    if isinstance(value, frozenset):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError('use a range or a list of days: "mon-fri", "mon,wed,fri"')
    days: set[int] = set()
    for part in value.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end not in WEEKDAYS for end in ends):
            raise ValueError(f"unknown day {part!r} (days are {', '.join(WEEKDAYS)})")
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        if last < first:
            raise ValueError(f"range {part!r} runs backwards")
        days.update(range(first, last + 1))
    return frozenset(days)


def _timezone(value: Any) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from None


def _holidays(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError('use a country code such as "VN", or "" for none')
    code = value.strip().upper()
    if code:
        import holidays  # local: the package is large and only needed when holidays are on

        if code not in holidays.list_supported_countries():
            raise ValueError(f"no public holiday calendar for country {value!r}")
    return code


# Calendar adjustments the province decides: a few dozen dates a year at most.
MAX_EXTRA_DAYS = 366
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _dates(value: Any) -> frozenset[date]:
    """TOML dates (2027-02-12) or ISO strings ("2027-02-12") → a set of days."""
    if isinstance(value, frozenset):
        return value
    if not isinstance(value, list | tuple):
        raise ValueError("use a list of dates, e.g. [2027-02-12, 2027-02-15]")
    if len(value) > MAX_EXTRA_DAYS:
        raise ValueError(f"at most {MAX_EXTRA_DAYS} dates")
    days: set[date] = set()
    for item in value:
        if isinstance(item, str):
            try:
                item = date.fromisoformat(item.strip())
            except ValueError:
                raise ValueError(f"not a date: {item!r} (use 2027-02-12)") from None
        # A TOML date-time is a datetime, which is also a date: refuse it, it is not a day.
        if type(item) is not date:
            raise ValueError(f"not a date: {item!r} (use 2027-02-12)")
        if not EARLIEST_YEAR <= item.year <= LATEST_YEAR:
            raise ValueError(f"{item.isoformat()} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
        days.add(item)
    return frozenset(days)


DatesField = Annotated[
    frozenset[date],
    BeforeValidator(_dates),
    PlainSerializer(lambda days: sorted(days), return_type=list[date]),
]


def _line(value: Any, *, limit: int) -> str:
    """One line of text for a document or a label: no control characters, not too long."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = value.strip()
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise ValueError("must be one line without control characters")
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters")
    return text


def _lines(value: Any, *, limit: int, count: int) -> tuple[str, ...]:
    """A list of lines (a single string is one line)."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("use a list of strings")
    if len(value) > count:
        raise ValueError(f"at most {count} lines")
    return tuple(_line(item, limit=limit) for item in value)


class _Section(BaseModel):
    # strict: TOML already has types, so "3" for a number or true for a count is a mistake
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class WebhookSettings(_Section):
    """Telegram's side of webhook mode; the bot's web server ([web]) receives the posts."""

    url: str = ""
    secret_token: str = ""
    """Empty: derived from the bot token (the same on every instance), see bot.web.telegram."""

    @field_validator("secret_token")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{32,256}", value):
            raise ValueError(
                "use 32 to 256 characters of A-Z, a-z, 0-9, _ and - "
                "(e.g. the output of `openssl rand -hex 32`), or leave it empty"
            )
        return value

    @field_validator("url")
    @classmethod
    def _https_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://bot.example.gov.vn/telegram")
        return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TelegramSettings(_Section):
    token: str = ""
    username: str = Field(default="", pattern=r"^@?([A-Za-z][A-Za-z0-9_]{3,31})?$")
    api_base_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = WebhookSettings()

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        if value and not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", value):
            raise ValueError("not a bot token (BotFather gives the form 123456:ABC-DEF...)")
        return value

    @field_validator("username")
    @classmethod
    def _strip_at(cls, value: str) -> str:
        return value.removeprefix("@")

    @field_validator("api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        if value.startswith("http://") and not _loopback(urlsplit(value).hostname or ""):
            # Every request's URL carries the token: over plain http, anyone on the way has it.
            raise ValueError(
                "plain http:// would send the bot token unencrypted: use https:// "
                "(http only to a server on this machine: 127.0.0.1, ::1, localhost)"
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramSettings:
        if self.mode == "webhook" and not self.webhook.url:
            raise PydanticCustomError(
                "webhook_url",
                "webhook mode needs telegram.webhook.url, the public https URL Telegram "
                "posts to (e.g. https://bot.example.gov.vn/telegram)",
            )
        return self


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///agency-bot.db"

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value


class StaffSettings(_Section):
    admins: tuple[int, ...] = ()

    @field_validator("admins", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple) or any(
            isinstance(v, bool) or not isinstance(v, int) for v in value
        ):
            raise ValueError("admins are numeric Telegram user ids, e.g. [123456789]")
        return tuple(value)


class BroadcastSettings(_Section):
    rate_per_second: float = Field(default=30, gt=0, le=1000)


class CadenceSettings(_Section):
    """The reminder cadence of one urgency level (Khẩn, Hỏa tốc)."""

    first_after: Duration
    every: Duration
    max_count: int | None = Field(default=None, ge=0, le=100)


WorkingHoursField = Annotated[WorkingHours, BeforeValidator(_working_hours), PlainSerializer(str)]
WorkingDaysField = Annotated[
    frozenset[int],
    BeforeValidator(_working_days),
    PlainSerializer(lambda days: ",".join(WEEKDAYS[d] for d in sorted(days)), return_type=str),
]
TimezoneField = Annotated[ZoneInfo, BeforeValidator(_timezone), PlainSerializer(str)]
OptionalClockField = Annotated[
    time | None,
    BeforeValidator(lambda v: v if v is None or isinstance(v, time) else _optional_clock(v)),
    PlainSerializer(lambda v: "" if v is None else v.strftime("%H:%M"), return_type=str),
]


class RemindersSettings(_Section):
    first_after: Duration = timedelta(hours=24)
    every: Duration = timedelta(hours=24)
    max_count: int = Field(default=3, ge=0, le=100)
    escalate_after: int = Field(default=2, ge=0, le=100)
    working_hours: WorkingHoursField = WorkingHours(time(7, 30), time(17, 0))
    working_days: WorkingDaysField = frozenset(range(5))
    holidays: Annotated[str, BeforeValidator(_holidays)] = "VN"
    timezone: TimezoneField = ZoneInfo("Asia/Ho_Chi_Minh")
    staff_digest_at: OptionalClockField = time(8, 0)
    """None ("" in the file): no daily digest."""
    extra_holidays: DatesField = frozenset()
    """Days off the province declares on top of `holidays` (e.g. a longer Tết)."""
    extra_working_days: DatesField = frozenset()
    """Days worked although they are off in the calendar (make-up Saturdays)."""
    khan: CadenceSettings = CadenceSettings(
        first_after=timedelta(hours=2), every=timedelta(hours=4)
    )
    hoa_toc: CadenceSettings = Field(
        default=CadenceSettings(first_after=timedelta(hours=1), every=timedelta(hours=2)),
        alias="hoa-toc",
    )
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    @field_validator("extra_working_days")
    @classmethod
    def _not_also_off(cls, days: frozenset[date], info: ValidationInfo) -> frozenset[date]:
        both = days & info.data.get("extra_holidays", frozenset())
        if both:
            raise ValueError(f"{min(both).isoformat()} is in extra_holidays too")
        return days


class EvidenceSettings(_Section):
    check_links: bool = True
    allow_private_addresses: bool = False
    report_timeout: Duration = timedelta(minutes=30)
    # Pages are fetched from these ports only (allow_private_addresses lifts it, for tests).
    allowed_ports: tuple[Annotated[int, Field(ge=1, le=65535)], ...] = (80, 443)
    # Pages an officer's reports may have fetched in 24 hours; staff's /verify is not counted.
    checks_per_officer_per_day: int = Field(default=20, ge=0, le=10_000)
    # Pages fetched at once by this instance, whoever asked.
    max_concurrent_checks: int = Field(default=4, ge=1, le=100)

    @field_validator("allowed_ports", mode="before")
    @classmethod
    def _ports(cls, value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple) or not value:
            raise ValueError("not a list of port numbers (allowed_ports = [80, 443])")
        return tuple(value)


class NoticesSettings(_Section):
    """Messages to the staff member who sent a directive."""

    unverified_evidence: bool = True
    all_acknowledged: bool = True


class OrganizationSettings(_Section):
    """The issuing body of the official report (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

    parent_body: str = "UBND TỈNH SÓC TRĂNG"
    name: str = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    symbol: str = "STTTT-TTBCXB"
    place: str = "Sóc Trăng"
    signer: str = "Lê Hoàng Bắc"
    signer_title: tuple[str, ...] = ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    recipients: tuple[str, ...] = (
        "UBND tỉnh (để báo cáo);",
        "Giám đốc Sở (để báo cáo);",
        "Lưu: VT, TTBCXB.",
    )

    @field_validator("parent_body", "name", "place", "signer", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> str:
        return _line(value, limit=200)

    @field_validator("name", "place", "signer")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("symbol", mode="before")
    @classmethod
    def _symbol(cls, value: Any) -> str:
        text = _line(value, limit=40)
        if not re.fullmatch(r"[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*", text):
            raise ValueError("capital letters and digits joined by '-', e.g. STTTT-TTBCXB")
        return text

    @field_validator("signer_title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> tuple[str, ...]:
        lines = _lines(value, limit=100, count=3)
        if not lines or not all(lines):
            raise ValueError('one to three lines, e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]')
        return lines

    @field_validator("recipients", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> tuple[str, ...]:
        lines = _lines(value, limit=200, count=30)
        if not all(lines):
            raise ValueError("an empty line in the list")
        return lines


# What a clerk calls each group of the roster; a group not named here is shown as its slug.
DEFAULT_GROUPS: dict[str, str] = {
    "so-nganh": "Sở, ban, ngành",
    "ubnd-huyen": "UBND huyện, thị xã, thành phố",
    "bao-dai": "Báo, đài",
    "hoi": "Hội, đoàn thể",
    "co-so-in": "Cơ sở in, phát hành",
    "truong-hoc": "Trường học",
    "phong-gddt": "Phòng Giáo dục và Đào tạo",
    "ubnd-xa": "UBND xã, phường, thị trấn",
}
GROUP_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")  # as in the roster file
MAX_GROUPS = 200


def _groups(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('a table of group = "display name"')
    if len(value) > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups")
    names = dict(DEFAULT_GROUPS)
    for slug, name in value.items():
        if not GROUP_SLUG.fullmatch(slug):
            raise ValueError(f"{slug!r} is not a group of the roster (e.g. so-nganh)")
        try:
            names[slug] = _line(name, limit=100) or slug
        except ValueError as error:
            raise ValueError(f"{slug}: {error}") from None
    return names


GroupsField = Annotated[dict[str, str], BeforeValidator(_groups)]


class RelaySettings(_Section):
    """Relaying letters down the roster's tree."""

    remind_after: Duration = timedelta(days=1)
    """A relay that acknowledged and has not relayed is reminded this long after (working
    time: days count working days)."""


class WebSettings(_Section):
    """The bot's one HTTP server: /healthz, /readyz, /metrics and, in webhook mode,
    Telegram's updates (at the path of telegram.webhook.url)."""

    listen: str = "127.0.0.1"  # behind the reverse proxy that terminates TLS
    port: int = Field(default=8080, ge=0, le=65535)
    """0: any free port (the bot logs which)."""
    public_url: str = ""

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://bot.example.gov.vn")
        return value.rstrip("/")


class LoggingSettings(_Section):
    format: Literal["text", "json"] = "text"
    """text: one line per record for people; json: one JSON object per line for collectors."""


class Settings(_Section):
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    staff: StaffSettings = StaffSettings()
    broadcast: BroadcastSettings = BroadcastSettings()
    reminders: RemindersSettings = RemindersSettings()
    evidence: EvidenceSettings = EvidenceSettings()
    notices: NoticesSettings = NoticesSettings()
    organization: OrganizationSettings = OrganizationSettings()
    groups: GroupsField = Field(default_factory=lambda: dict(DEFAULT_GROUPS))

    def group_name(self, slug: str) -> str:
        """The words a clerk reads for a group: its `[groups]` name, else the slug."""
        return self.groups.get(slug, slug)

    relay: RelaySettings = RelaySettings()
    web: WebSettings = WebSettings()
    logging: LoggingSettings = LoggingSettings()


# Keys whose value an error line must not repeat (the token also comes from the
# environment, so a bad one is not necessarily in the file the operator may share).
SECRET_KEYS = frozenset({"telegram.token", "telegram.webhook.secret_token"})
# Keys whose value is shown with the password of its URL masked.
URL_KEYS = frozenset({"database.url"})
_URL_PASSWORD = re.compile(r"(//[^/:@\s]*:)[^/\s]*@")  # up to the host's last @


def mask_password(url: str) -> str:
    """`url` with the password of its user part (scheme://user:password@host) masked."""
    return _URL_PASSWORD.sub(r"\1***@", url)


def _shown(key: str, value: Any) -> str:
    if key in SECRET_KEYS:
        return "<hidden>"
    if key in URL_KEYS and isinstance(value, str):
        return repr(mask_password(value))
    return repr(value)


# Keys that moved: an old config file is told where, not only that the key is unknown.
MOVED_KEYS = {
    "telegram.webhook.listen": "web.listen",
    "telegram.webhook.port": "web.port",
}


def _describe(error: Any, source: str) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        moved = MOVED_KEYS.get(key)
        if moved is not None:
            return f"{source}: unknown key {key!r} (it moved: set {moved} instead)"
        return f"{source}: unknown key {key!r}"
    if error["type"] == "webhook_url":
        return f"{source}: {error['msg']}"
    reason = str(error["msg"]).removeprefix("Value error, ")
    return f"{source}: {key} = {_shown(key, error['input'])}: {reason}"


def settings_from_mapping(data: dict[str, Any], source: str = "config") -> Settings:
    """Validate an already-parsed mapping; used by load_settings and by tests."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(e, source) for e in exc.errors())) from None


def resolve_config_path(cli_path: str | None) -> Path:
    """-c/--config, else $AGENCY_BOT_CONFIG, else ./config.toml."""
    return Path(cli_path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)


def load_settings(path: Path, *, required: bool = False) -> Settings:
    """Read and validate the TOML file; a missing default file means "all defaults".

    $AGENCY_BOT_TOKEN, when set, overrides telegram.token so the secret can stay out of
    the file.
    """
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    elif required:
        raise ConfigError(f"{path}: no such config file")
    token = os.environ.get(TOKEN_ENV)
    if token:
        telegram = data.setdefault("telegram", {})
        if isinstance(telegram, dict):
            telegram["token"] = token
    return settings_from_mapping(data, str(path))
