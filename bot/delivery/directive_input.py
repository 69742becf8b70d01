"""Turning what staff write (a /broadcast message or a TOML file) into a directive draft.

Both inputs end in the same `DirectiveDraft`, validated the same way, so the queue and the
renderer never see a letter that Telegram would refuse. A file is checked key by key and
every problem is reported at once, in English, one line each, so a bad file is fixed in one
round trip; a /broadcast message gets a `reason` the handler maps to a Vietnamese reply.
Nothing here touches the database or the network.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.bounds import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_REMINDER_COUNT,
    MAX_REMINDER_INTERVAL,
    plausible_date,
    plausible_interval,
)
from bot.durations import format_duration, parse_duration
from bot.onboarding.roster_file import CODE_RE
from db.models import Urgency

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "MAX_BODY",
    "MAX_ITEMS",
    "MAX_LINKS",
    "MAX_NOTE",
    "MAX_NUMBER",
    "MAX_SUBJECT",
    "OTHERS",
    "DirectiveDraft",
    "DirectiveInputError",
    "DirectiveItem",
    "RelayText",
    "ReminderOverride",
    "extract_links",
    "is_web_url",
    "parse_broadcast_text",
    "parse_date",
    "parse_relay_text",
    "read_directive_file",
]

MAX_SUBJECT = 500
MAX_NUMBER = 64
"""The width of Directive.number in the database."""
MAX_BODY = 50_000
MAX_LINKS = 20
"""Each link becomes a URL button; more than this makes the keyboard unusable."""
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
"""Telegram's upload limit for bots (sendDocument)."""
MAX_ITEMS = 20
"""Numbered items per letter (each agency's share of them is kept as bits of an integer)."""
MAX_ITEM_TEXT = 4000
OTHERS = "others"
"""An item's recipient meaning: every recipient that no other item names."""
MAX_NOTE = 4000
"""A relay's note above the original letter: a paragraph or two, not a letter of its own."""

_KEYS = (
    "number",
    "subject",
    "body",
    "links",
    "attachment",
    "to",
    "deadline",
    "urgency",
    "actions",
    "reminders",
    "items",
    "relay",
)
_ITEM_KEYS = ("text", "to", "publish_links")
# How staff may write "the others" and "do not ask them to publish the links".
_OTHERS_WORDS = frozenset({"others", "còn lại", "con lai", "còn-lại", "con-lai", "khác", "khac"})
_NO_LINKS_WORDS = frozenset(
    {"không đăng link", "khong dang link", "không đăng", "khong dang", "no links", "no-links"}
)
_REMINDER_KEYS = ("first_after", "every", "max_count")
_URGENCIES = {
    "thuong": Urgency.THUONG,
    "thường": Urgency.THUONG,
    "khan": Urgency.KHAN,
    "khẩn": Urgency.KHAN,
    "hoa-toc": Urgency.HOA_TOC,
    "hoa toc": Urgency.HOA_TOC,
    "hỏa tốc": Urgency.HOA_TOC,
    "hoả tốc": Urgency.HOA_TOC,
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# "Số: 123/STTTT-TTBCXB" (or "So." typed without diacritics) anywhere in a /broadcast text.
_NUMBER_LINE = re.compile(r"S[ốo]\s*[:.]\s*(\S.*)", re.I)
# A URL runs until whitespace or a character that cannot be in one (<https://x> is common).
_URL = re.compile(r"https?://[^\s<>\"'`“”«»]+", re.I)
_TRAILING = ".,;:!?)]}>'\"…"
_BRACKETS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class ReminderOverride:
    """A letter's own reminder schedule; None keeps the configured value for its urgency."""

    first_after: timedelta | None = None
    every: timedelta | None = None
    max_count: int | None = None


@dataclass(frozen=True)
class DirectiveItem:
    """A numbered item of a letter and whom it is addressed to (groups, codes, "all", or
    OTHERS); `publish_links`: the item asks them to publish the letter's links, so their
    evidence is checked against the links."""

    text: str
    to: tuple[str, ...]
    publish_links: bool = True

    def stored(self) -> dict[str, Any]:
        """As kept in Directive.items."""
        return {"text": self.text, "to": list(self.to), "publish_links": self.publish_links}


@dataclass(frozen=True)
class DirectiveDraft:
    """A letter as staff wrote it, validated, before it is numbered, dated and queued."""

    subject: str
    body: str
    number: str | None = None
    """None: a number is assigned when the letter is queued."""
    links: tuple[str, ...] = ()
    urgency: Urgency = Urgency.THUONG
    issue_date: date | None = None
    """None: today in the department's time zone, when queued."""
    deadline: date | None = None
    actions: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    """"all", group slugs or agency codes; () means not chosen yet."""
    attachment: Path | None = None
    """An absolute path to an existing file (file input only)."""
    reminders: ReminderOverride = field(default_factory=ReminderOverride)
    items: tuple[DirectiveItem, ...] = ()
    relay: bool = True
    """Whether the relays among the recipients may pass the letter on."""


@dataclass(frozen=True)
class RelayText:
    """What a relay adds to the letter it passes on: its own number, a deadline (checked
    against the original's by the caller), and a note placed above the original."""

    number: str | None = None
    deadline: date | None = None
    note: str | None = None
    """None: no note given (an earlier one stays); "": the note is removed ("-")."""


class DirectiveInputError(ValueError):
    """The input was refused; `errors` lists every problem, `reason` says which reply to give.

    `reason` is "empty", "subject_too_long", "body_too_long", "bad_items" (and the other
    "bad_…" of a field line) for a /broadcast text and "invalid" for a directive file.
    """

    def __init__(self, errors: Iterable[str] | str, reason: str = "invalid") -> None:
        self.errors: list[str] = [errors] if isinstance(errors, str) else list(errors)
        self.reason = reason
        super().__init__("; ".join(self.errors))


# --- shared helpers --------------------------------------------------------------------------


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host, as Telegram accepts for a URL button."""
    if not url or any(char.isspace() or ord(char) < 0x20 for char in url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _strip_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL ("(see https://x/a)")."""
    while url and url[-1] in _TRAILING:
        opener = _BRACKETS.get(url[-1])
        if opener is not None and url.count(opener) >= url.count(url[-1]):
            break  # a balanced bracket belongs to the URL: .../Foo_(bar)
        url = url[:-1]
    return url


def extract_links(text: str) -> list[str]:
    """Every http(s) URL in `text`, in order, without duplicates or trailing punctuation."""
    links: list[str] = []
    for match in _URL.finditer(text):
        url = _strip_url(match.group())
        if is_web_url(url) and url not in links:
            links.append(url)
    return links


def _trim_blank_lines(text: str) -> str:
    """Drop leading and trailing blank lines and trailing spaces, keep everything between."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).rstrip()


def _normalize(text: str) -> str:
    """NFC and Unix newlines: macOS and Windows clients send both other forms."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# --- /broadcast ------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[str, int, int]]:
    """Each line without its surrounding blanks, with where it starts and ends in `text`."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        yield line.strip(), start, end
        start = end + 1


def _without(text: str, start: int, end: int) -> str:
    """The text without the line at [start, end) and its line break."""
    return text[:start] + text[end:].removeprefix("\n")


# The field lines are matched one stripped line at a time with a greedy value: a regex over
# the whole text with a lazy value before trailing blanks (`(.*?)\s*$`) was quadratic, over a
# second for one line of 8,000 characters.
def _take_number(text: str) -> tuple[str | None, str]:
    """The first "Số: …" line's value (if it can be a number) and the text without it."""
    for line, start, end in _lines(text):
        match = _NUMBER_LINE.fullmatch(line)
        if match is not None and len(number := match.group(1)) <= MAX_NUMBER:
            return number, _without(text, start, end)
    return None, text


# Lines of a /broadcast text that set a field instead of being part of the body; typed
# with or without diacritics, as on a phone keyboard without Vietnamese input.
_FIELD_LINES = {
    "urgency": re.compile(r"(?:độ khẩn|do khan)\s*:\s*(.*)", re.I),
    "deadline": re.compile(r"(?:hạn|han)(?: báo cáo| bao cao)?\s*:\s*(.*)", re.I),
    "every": re.compile(r"(?:nhắc lại|nhac lai)\s*:\s*(?:mỗi |moi )?(.*)", re.I),
}


def _take_field(name: str, text: str) -> tuple[str | None, str]:
    """The value of the first line setting `name` (see _FIELD_LINES) and the text without it."""
    for line, start, end in _lines(text):
        match = _FIELD_LINES[name].fullmatch(line)
        if match is not None:
            return match.group(1), _without(text, start, end)
    return None, text


def _broadcast_fields(text: str) -> tuple[dict[str, Any], str]:
    """Urgency ("Độ khẩn: Hỏa tốc"), deadline ("Hạn: 28/11/2026") and reminder interval
    ("Nhắc lại: 2h") lines; a value that cannot be read is refused, not sent as body."""
    fields: dict[str, Any] = {}
    urgency, text = _take_field("urgency", text)
    if urgency is not None:
        if urgency.lower() not in _URGENCIES:
            raise DirectiveInputError(f"urgency: {urgency!r}", "bad_urgency")
        fields["urgency"] = _URGENCIES[urgency.lower()]
    deadline, text = _take_field("deadline", text)
    if deadline is not None:
        fields["deadline"] = _parse_date(deadline)
        if fields["deadline"] is None:
            raise DirectiveInputError(f"deadline: {deadline!r}", "bad_deadline")
    every, text = _take_field("every", text)
    if every is not None:
        try:
            fields["reminders"] = ReminderOverride(every=reminder_interval(every))
        except ValueError:
            raise DirectiveInputError(f"reminder interval: {every!r}", "bad_every") from None
    return fields, text


# "Mục 1 (bao-dai, dai-ptth): …": an item, its recipients in brackets.
_ITEM_LINE = re.compile(
    r"^[^\S\n]*(?:mục|muc|item)[^\S\n]*([0-9]{1,3})[^\S\n]*\(([^()\n]*)\)[^\S\n]*[:.]?[^\S\n]*(.*)$",
    re.I,
)


def _item_targets(raw: str, where: str) -> tuple[tuple[str, ...], bool]:
    """The recipients written in an item's brackets, and whether it asks to publish links."""
    targets: list[str] = []
    publish = True
    for token in re.split(r"[,;]", raw):
        word = " ".join(token.casefold().split())
        if not word:
            continue
        if word in _NO_LINKS_WORDS:
            publish = False
        elif word in _OTHERS_WORDS:
            targets.append(OTHERS)
        elif CODE_RE.fullmatch(word):
            targets.append(word)
        else:
            raise DirectiveInputError(f"{where}: {token.strip()!r} is not a recipient", "bad_items")
    if not targets:
        raise DirectiveInputError(f"{where}: no recipient in the brackets", "bad_items")
    return _dedupe(targets), publish


def _take_items(body: str) -> tuple[tuple[DirectiveItem, ...], str]:
    """The "Mục N (…): …" items of a /broadcast body and the body without them.

    An item runs from its line to the next blank line or item line; items are numbered 1,
    2, 3 … in order, as in the letter.
    """
    items: list[DirectiveItem] = []
    kept: list[str] = []
    current: list[str] | None = None
    for line in body.split("\n"):
        match = _ITEM_LINE.match(line)
        if match is not None and current is not None:  # one item right after another
            items[-1] = _with_text(items[-1], current)
            current = None
        if match is not None:
            number = int(match.group(1))
            where = f"item {number}"
            if number != len(items) + 1:
                raise DirectiveInputError(f"{where}: expected item {len(items) + 1}", "bad_items")
            targets, publish = _item_targets(match.group(2), where)
            current = [match.group(3).strip()]
            items.append(DirectiveItem("", targets, publish))
        elif current is not None and line.strip():
            current.append(line.strip())
        else:
            if current is not None:
                items[-1] = _with_text(items[-1], current)
                current = None
            kept.append(line)
    if current is not None:
        items[-1] = _with_text(items[-1], current)
    if len(items) > MAX_ITEMS:
        raise DirectiveInputError(f"{len(items)} items, at most {MAX_ITEMS}", "bad_items")
    return tuple(items), "\n".join(kept)


def _with_text(item: DirectiveItem, lines: list[str]) -> DirectiveItem:
    text = "\n".join(lines).strip()
    if not text or len(text) > MAX_ITEM_TEXT:
        raise DirectiveInputError(f"an item is empty or over {MAX_ITEM_TEXT}", "bad_items")
    return DirectiveItem(text, item.to, item.publish_links)


def parse_broadcast_text(text: str) -> DirectiveDraft:
    """Read a /broadcast message: first line the subject, the rest the body, "Số:" the number.

    What staff typed is kept as typed (a leading "V/v" included); the renderer escapes it.
    """
    number, rest = _take_number(_normalize(text))
    fields, rest = _broadcast_fields(rest)
    lines = _trim_blank_lines(rest).split("\n")
    items, rest_of_body = _take_items("\n".join(lines[1:]))
    subject, body = lines[0].strip(), _trim_blank_lines(rest_of_body)
    if not subject:
        raise DirectiveInputError(
            "the letter is empty: write its subject on the first line", "empty"
        )
    if len(subject) > MAX_SUBJECT:
        raise DirectiveInputError(
            f"subject: {len(subject)} characters, at most {MAX_SUBJECT}", "subject_too_long"
        )
    if len(body) > MAX_BODY:
        raise DirectiveInputError(
            f"body: {len(body)} characters, at most {MAX_BODY}", "body_too_long"
        )
    item_text = "\n".join(item.text for item in items)
    links = extract_links(f"{subject}\n{body}\n{item_text}")[:MAX_LINKS]
    return DirectiveDraft(
        subject=subject, body=body, number=number, links=tuple(links), items=items, **fields
    )


def parse_relay_text(text: str) -> RelayText:
    """Read what a relay typed: a line "Số: …" (its number), a line "Hạn: 28/11/2026" (its
    deadline), the rest is the note; "-" alone removes the note. Refused with a `reason`:
    "bad_deadline" or "note_too_long"."""
    number, rest = _take_number(_normalize(text))
    deadline_text, rest = _take_field("deadline", rest)
    deadline = None
    if deadline_text is not None:
        deadline = _parse_date(deadline_text)
        if deadline is None:
            raise DirectiveInputError(f"deadline: {deadline_text!r}", "bad_deadline")
    note: str | None = _trim_blank_lines(rest)
    if note == "":
        note = None
    elif note is not None and note.strip() == "-":
        note = ""
    if note is not None and len(note) > MAX_NOTE:
        raise DirectiveInputError(
            f"note: {len(note)} characters, at most {MAX_NOTE}", "note_too_long"
        )
    return RelayText(number=number, deadline=deadline, note=note)


# --- directive files -------------------------------------------------------------------------


def _show(value: object) -> str:
    """A value as it appears in an error line: quoted if text, one line, not too long."""
    shown = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        shown = str(value).lower()
    return shown if len(shown) <= 80 else shown[:77] + "..."


class _Checker:
    """Collects every problem of one file, each as "key = value: reason"."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: list[str] = []

    def fail(self, key: str, value: object, reason: str) -> None:
        self.errors.append(f"{key} = {_show(value)}: {reason}")

    def unknown_keys(self, table: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in known:
                hint = get_close_matches(key, known, n=1)
                suggestion = f" (did you mean '{prefix}{hint[0]}'?)" if hint else ""
                self.errors.append(f"unknown key '{prefix}{key}'{suggestion}")

    def string(self, key: str, limit: int) -> str | None:
        """An optional string no longer than `limit`; None when absent or invalid."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, value, "not a string")
            return None
        if len(value) > limit:
            self.errors.append(f"{key}: {len(value)} characters, at most {limit}")
            return None
        return value

    def string_list(self, key: str) -> list[str]:
        """An optional list of non-empty strings, each stripped."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.fail(key, value, f'not a list (write {key} = ["..."])')
            return []
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.fail(key, item, "not a string")
            elif not item.strip():
                self.fail(key, item, "empty")
            else:
                items.append(_normalize(item).strip())
        return items


def _subject(check: _Checker) -> str:
    if "subject" not in check.data:
        check.errors.append('subject: missing (e.g. subject = "V/v ...")')
        return ""
    subject = check.string("subject", MAX_SUBJECT)
    if subject is None:
        return ""
    subject = " ".join(_normalize(subject).split())  # a subject wrapped over lines is one line
    if not subject:
        check.fail("subject", check.data["subject"], "empty")
    return subject


def _number(check: _Checker) -> str | None:
    """A blank number is the same as none: one is assigned when the letter is queued."""
    number = check.string("number", MAX_NUMBER)
    if number is None:
        return None
    return _normalize(number).strip() or None


def _body(check: _Checker) -> str:
    body = check.string("body", MAX_BODY)
    return _trim_blank_lines(_normalize(body)) if body is not None else ""


def _links(check: _Checker) -> tuple[str, ...]:
    links = _dedupe(check.string_list("links"))
    for link in links:
        if not is_web_url(link):
            check.fail("links", link, "not an http(s) URL with a host")
    if len(links) > MAX_LINKS:
        check.errors.append(f"links: {len(links)} links, at most {MAX_LINKS}")
    return tuple(link for link in links if is_web_url(link))


def _targets(check: _Checker) -> tuple[str, ...]:
    targets: list[str] = []
    for target in check.string_list("to"):
        if CODE_RE.fullmatch(target.lower()):
            targets.append(target.lower())
        else:
            check.fail("to", target, "not a group or agency code (e.g. all, so-nganh, so-y-te)")
    return _dedupe(targets)


def _read_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for fmt in _DATE_FORMATS:
            try:
                # A calendar date: no time, so no zone (DTZ007 would have one).
                return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007
            except ValueError:
                continue
    return None


def _parse_date(value: object) -> date | None:
    """A date, or None; a year outside 2000-2100 is None too (bot.bounds)."""
    found = _read_date(value)
    return found if found is not None and plausible_date(found) else None


def reminder_interval(value: object) -> timedelta:
    """A reminder interval of a letter: a duration of at most 90 days (bot.bounds)."""
    interval = parse_duration(value)  # type: ignore[arg-type]
    if not plausible_interval(interval):
        raise ValueError(f"{value!r} is longer than {format_duration(MAX_REMINDER_INTERVAL)}")
    return interval


def parse_date(text: str) -> date | None:
    """A date as staff write it (2020-06-30 or 30/06/2020), or None."""
    return _parse_date(text)


def _deadline(check: _Checker) -> date | None:
    value = check.data.get("deadline")
    if value is None:
        return None
    deadline = _read_date(value)
    if deadline is None:
        reason = "a date without a time" if isinstance(value, datetime) else "not a date"
        check.fail("deadline", value, f"{reason} (use 2020-06-30)")
    elif not plausible_date(deadline):
        check.fail("deadline", value, f"not between the years {FIRST_YEAR} and {LAST_YEAR}")
        return None
    return deadline


def _urgency(check: _Checker) -> Urgency:
    value = check.data.get("urgency", Urgency.THUONG.value)
    key = " ".join(_normalize(value).casefold().split()) if isinstance(value, str) else None
    if key is None or key not in _URGENCIES:
        check.fail("urgency", value, "not an urgency (use thuong, khan or hoa-toc)")
        return Urgency.THUONG
    return _URGENCIES[key]


def _actions(check: _Checker) -> tuple[str, ...]:
    return tuple(check.string_list("actions"))


def _relay(check: _Checker) -> bool:
    value = check.data.get("relay", True)
    if not isinstance(value, bool):
        check.fail("relay", value, "not true or false (relay = false: nobody may relay it)")
        return True
    return value


def _attachment(check: _Checker, folder: Path) -> Path | None:
    value = check.data.get("attachment")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        check.fail("attachment", value, "not a file path")
        return None
    path = (folder / value.strip()).resolve()
    try:
        if not path.exists():
            check.fail("attachment", value, f"no such file ({path})")
        elif not path.is_file():
            check.fail("attachment", value, f"not a regular file ({path})")
        elif (size := path.stat().st_size) > MAX_ATTACHMENT_BYTES:
            megabytes = size / 1024 / 1024
            check.fail("attachment", value, f"{megabytes:.1f} MB, Telegram accepts at most 50 MB")
        else:
            return path
    except OSError as exc:
        check.fail("attachment", value, f"cannot read it: {exc.strerror or exc}")
    return None


def _duration(check: _Checker, table: Mapping[str, Any], key: str) -> timedelta | None:
    value = table.get(key)
    if value is None:
        return None
    try:
        return reminder_interval(value)
    except ValueError as exc:
        check.fail(f"reminders.{key}", value, str(exc))
        return None


def _reminders(check: _Checker) -> ReminderOverride:
    table = check.data.get("reminders", {})
    if not isinstance(table, dict):
        check.fail("reminders", table, "not a table (write [reminders] on its own line)")
        return ReminderOverride()
    check.unknown_keys(table, _REMINDER_KEYS, "reminders.")
    max_count = table.get("max_count")
    if max_count is not None and (
        isinstance(max_count, bool)
        or not isinstance(max_count, int)
        or not 0 <= max_count <= MAX_REMINDER_COUNT
    ):
        check.fail("reminders.max_count", max_count, f"not a whole number 0-{MAX_REMINDER_COUNT}")
        max_count = None
    return ReminderOverride(
        first_after=_duration(check, table, "first_after"),
        every=_duration(check, table, "every"),
        max_count=max_count,
    )


def _item_text(check: _Checker, table: Mapping[str, Any], key: str) -> str:
    value = table.get("text")
    if value is None:
        check.errors.append(f'{key}.text: missing (e.g. text = "Đề nghị ...")')
        return ""
    if not isinstance(value, str):
        check.fail(f"{key}.text", value, "not a string")
        return ""
    text = _trim_blank_lines(_normalize(value))
    if not text:
        check.fail(f"{key}.text", value, "empty")
    elif len(text) > MAX_ITEM_TEXT:
        check.errors.append(f"{key}.text: {len(text)} characters, at most {MAX_ITEM_TEXT}")
    return text


def _item_to(check: _Checker, table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get("to")
    if value is None:
        check.errors.append(f'{key}.to: missing (e.g. to = ["bao-dai", "so-gddt"] or ["others"])')
        return ()
    if not isinstance(value, list) or not value:
        check.fail(f"{key}.to", value, 'not a list of recipients (write to = ["..."])')
        return ()
    targets: list[str] = []
    for target in value:
        word = " ".join(_normalize(target).casefold().split()) if isinstance(target, str) else ""
        if word in _OTHERS_WORDS:
            targets.append(OTHERS)
        elif CODE_RE.fullmatch(word):
            targets.append(word)
        else:
            check.fail(
                f"{key}.to",
                target,
                "not a group or agency code (e.g. all, bao-dai, so-y-te, others)",
            )
    return _dedupe(targets)


def _items(check: _Checker) -> tuple[DirectiveItem, ...]:
    """The `[[items]]` tables, numbered in order from 1."""
    value = check.data.get("items", [])
    if not isinstance(value, list):
        check.fail("items", value, "not a list of tables (write [[items]] before each item)")
        return ()
    if len(value) > MAX_ITEMS:
        check.errors.append(f"items: {len(value)} items, at most {MAX_ITEMS}")
        return ()
    items: list[DirectiveItem] = []
    for number, table in enumerate(value, start=1):
        key = f"items[{number}]"
        if not isinstance(table, dict):
            check.fail(key, table, "not a table (write [[items]] on its own line)")
            continue
        check.unknown_keys(table, _ITEM_KEYS, f"{key}.")
        publish = table.get("publish_links", True)
        if not isinstance(publish, bool):
            check.fail(f"{key}.publish_links", publish, "not true or false")
            publish = True
        items.append(
            DirectiveItem(_item_text(check, table, key), _item_to(check, table, key), publish)
        )
    return tuple(items)


def _load_toml(path: Path) -> dict[str, Any]:
    """The file's TOML table, or DirectiveInputError with the one reason it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DirectiveInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")  # Notepad's BOM is harmless
    except UnicodeDecodeError as exc:
        raise DirectiveInputError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            "(save the file as UTF-8)"
        ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DirectiveInputError(f"not valid TOML: {exc}") from exc


def read_directive_file(path: Path) -> DirectiveDraft:
    """Read and validate a directive file (TOML); raise DirectiveInputError listing all problems.

    The attachment path is relative to the file's folder, so a letter and its PDF can be
    moved together.
    """
    check = _Checker(_load_toml(path))
    check.unknown_keys(check.data, _KEYS, "")
    draft = DirectiveDraft(
        subject=_subject(check),
        body=_body(check),
        number=_number(check),
        links=_links(check),
        urgency=_urgency(check),
        deadline=_deadline(check),
        actions=_actions(check),
        targets=_targets(check),
        attachment=_attachment(check, path.resolve().parent),
        reminders=_reminders(check),
        items=_items(check),
        relay=_relay(check),
    )
    if check.errors:
        raise DirectiveInputError(check.errors)
    return draft
