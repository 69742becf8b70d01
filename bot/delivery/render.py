"""A directive as the Telegram messages a contact receives.

Telegram refuses a text over 4096 characters (1024 for a caption), counted in UTF-16 units
after HTML parsing, and a letter must reach its reader whole: so the letter is laid out as
items (header lines, body, actions, links) and flowed into as many parts as needed, long
items split at paragraph, line or word boundaries. Raw text is split before it is escaped,
so a cut never lands inside an entity or a tag, and every user- or file-supplied string
goes through html.escape or t().
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.telegram.html import parse_html, utf16_len
from bot.texts import t
from db.models import Directive, Urgency
from db.queries.items import item_numbers

__all__ = [
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "DirectiveContent",
    "LetterItem",
    "directive_content",
    "render_directive",
    "split_text",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_MIN_ROOM = 200
"""A long item starts in the current part only if at least this much room is left."""
_SPLIT_AT_LEAST = 1000
"""Shorter items are never split across parts: they move whole to the next one."""
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_JOINERS = "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors: part of an emoji
FOLDED_ITEM = 90
"""Characters of an item addressed to other agencies shown on its one line."""


@dataclass(frozen=True)
class LetterItem:
    """A numbered item of the letter and whom it is addressed to (groups, codes…)."""

    text: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class DirectiveContent:
    """What rendering needs of a directive; the caller builds it from the database row."""

    number: str
    subject: str
    body: str
    issue_date: date
    deadline: date | None
    urgency: Urgency
    links: tuple[str, ...]
    actions: tuple[str, ...]
    has_attachment: bool
    items: tuple[LetterItem, ...] = ()


def directive_content(directive: Directive) -> DirectiveContent:
    """What rendering needs of a stored directive: the one place for the mapping."""
    return DirectiveContent(
        number=directive.number,
        subject=directive.subject,
        body=directive.body,
        issue_date=directive.issue_date,
        deadline=directive.deadline,
        urgency=directive.urgency,
        links=tuple(directive.links),
        actions=tuple(directive.actions),
        has_attachment=directive.attachment_name is not None,
        items=tuple(
            LetterItem(str(item["text"]), tuple(str(to) for to in item["to"]))
            for item in directive.items
        ),
    )


# --- splitting plain text --------------------------------------------------------------------


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _hard_cut(text: str, end: int) -> int:
    """Cut at `end`, moved back so a combining accent or an emoji sequence stays whole."""
    cut = end
    while cut > 1 and (
        unicodedata.combining(text[cut]) or text[cut] in _JOINERS or text[cut - 1] == "\u200d"
    ):
        cut -= 1
    return cut


def _break_point(text: str, end: int) -> int:
    """Where to cut `text`, whose first `end` characters fit: the best boundary before `end`.

    A paragraph or line break only counts in the last two thirds of the window, so that a
    part is not sent nearly empty; a space anywhere beats cutting a word.
    """
    window = text[: end + 1]  # a break right after the window is a fine place to cut
    floor = max(end // 3, 1)
    paragraphs = [m.start() for m in _PARAGRAPH.finditer(window, floor)]
    if paragraphs:
        return paragraphs[-1]
    line = window.rfind("\n", floor)
    if line >= floor:
        return line
    for index in range(end, 0, -1):
        if window[index].isspace():
            return index
    return _hard_cut(text, end)


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The first piece of `text` that fits `limit`, and the rest; whitespace at the cut drops."""
    if utf16_len(text) <= limit:
        return text, ""
    cut = _break_point(text, _fit(text, limit))
    return text[:cut].rstrip(), text[cut:].lstrip()


def split_text(text: str, limit: int) -> list[str]:
    """Split plain text into pieces of at most `limit` UTF-16 units, losing no visible character.

    Cuts fall at paragraph breaks, else line breaks, else spaces, else anywhere (never inside
    an emoji sequence or before a combining accent). Only the whitespace at a cut is dropped,
    and no piece is empty.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2 UTF-16 units (one astral character)")
    pieces: list[str] = []
    rest = text
    while rest:
        head, rest = _cut(rest, limit)
        if head:
            pieces.append(head)
    return pieces


# --- the letter as items ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One piece of the letter: `prefix` HTML kept whole, then `raw` text, split if needed."""

    prefix: str = ""
    raw: str = ""
    wrap: str = ""
    """A tag put around each piece of `raw`, e.g. "b"."""
    sep: str = "\n"
    """What joins it to the previous item of the same part."""


def _plain(markup: str) -> str:
    return parse_html(markup)[0]


def _units(markup: str) -> int:
    """Telegram's length of an HTML text: UTF-16 units after parsing."""
    return utf16_len(_plain(markup))


def _markup(raw: str, wrap: str) -> str:
    escaped = html.escape(raw, quote=False)
    return f"<{wrap}>{escaped}</{wrap}>" if wrap and raw else escaped


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def subject_line(subject: str) -> str:
    """The subject as quoted in other messages: "V/v …", the prefix added if staff left it out."""
    subject = subject.strip()
    return subject if _has_vv(subject) else f"V/v {subject}"


def _has_vv(subject: str) -> bool:
    """Whether the subject already starts with "V/v" ("về việc"), as officials often type it."""
    return subject.lstrip()[:3].casefold() == "v/v"


def _lead(content: DirectiveContent, assigned: list[int] | None, lang: str) -> list[_Item]:
    """What is asked of this agency, first: "Đơn vị thực hiện: mục 1, 3" (nothing when the
    letter has no items; `assigned` None is the staff preview, for every agency)."""
    if not content.items:
        return []
    if assigned is None:
        return [_Item(t(lang, "directive.lead.preview"))]
    if not assigned:
        return [_Item(t(lang, "directive.lead.none"))]
    numbers = ", ".join(str(number) for number in assigned)
    return [_Item(t(lang, "directive.lead", numbers=numbers))]


def _letter_items(content: DirectiveContent, assigned: list[int] | None, lang: str) -> list[_Item]:
    """The items: the agency's own in full, the others folded to one line each (all in full,
    with whom they are for, in the staff preview)."""
    items: list[_Item] = []
    folded = False  # one-line items follow each other without a blank line
    for number, item in enumerate(content.items, start=1):
        text = item.text.strip()
        if assigned is None:
            to = ", ".join(_addressee(target, lang) for target in item.to)
            prefix = t(lang, "directive.item.preview", number=number, to=to)
            items.append(_Item(prefix, text, sep="\n\n"))
        elif number in assigned:
            items.append(_Item(t(lang, "directive.item.mine", number=number), text, sep="\n\n"))
            folded = False
        else:
            line = " ".join(text.split())
            if len(line) > FOLDED_ITEM:
                line = line[: FOLDED_ITEM - 1].rstrip() + "…"
            prefix = t(lang, "directive.item.other", number=number)
            items.append(_Item(prefix, line, wrap="i", sep="\n" if folded else "\n\n"))
            folded = True
    return items


def _addressee(target: str, lang: str) -> str:
    """Whom an item names, as staff read it in the preview."""
    if target in ("all", "others"):
        return t(lang, f"directive.item.to_{target}")
    return target


def _header(content: DirectiveContent, lang: str) -> list[_Item]:
    """The letter's heading in official style: urgency, number, date, subject, deadline."""
    lines: list[_Item] = []
    if content.urgency is not Urgency.THUONG:
        lines.append(_Item(t(lang, f"directive.urgency.{content.urgency.value}")))
    lines.append(_Item(t(lang, "directive.number", number=content.number)))
    lines.append(_Item(t(lang, "directive.date", date=_dmy(content.issue_date))))
    subject_prefix = "" if _has_vv(content.subject) else t(lang, "directive.subject_prefix")
    lines.append(_Item(subject_prefix, content.subject.strip(), "b"))
    if content.deadline is not None:
        lines.append(_Item(t(lang, "directive.deadline", date=_dmy(content.deadline))))
    return lines


def _numbered(heading: str, entries: Sequence[str], bullet: str | None) -> list[_Item]:
    """A heading and its list ("1. …" or "• …"), the heading kept with the first entry."""
    texts = [entry.strip() for entry in entries if entry.strip()]
    items: list[_Item] = []
    for index, text in enumerate(texts, start=1):
        mark = bullet or f"{index}. "
        if index == 1:
            items.append(_Item(f"{heading}\n{mark}", text, sep="\n\n"))
        else:
            items.append(_Item(mark, text))
    return items


def _items(content: DirectiveContent, assigned: list[int] | None, lang: str) -> list[_Item]:
    """Everything after the header: body, the letter's items, requested actions, links."""
    items: list[_Item] = []
    if content.body.strip():
        items.append(_Item(raw=content.body.strip(), sep="\n\n"))
    items += _letter_items(content, assigned, lang)
    items += _numbered(t(lang, "directive.actions"), content.actions, None)
    items += _numbered(t(lang, "directive.links"), content.links, "• ")
    return items


def _item_units(item: _Item) -> int:
    return _units(item.prefix) + utf16_len(item.raw)


def _block_units(items: Sequence[_Item]) -> int:
    """The length of items laid out together in one part."""
    seps = sum(utf16_len(item.sep) for item in items[1:])
    return seps + sum(_item_units(item) for item in items)


# --- flowing items into parts ----------------------------------------------------------------


class _Packer:
    """Fills parts in order; each later part may start with a "continued" line."""

    def __init__(self, first_limit: int, reserve: int) -> None:
        self.reserve = reserve
        self.parts: list[list[str]] = [[]]
        self.marked = [False]
        self.room = first_limit
        self.empty = True

    @property
    def capacity(self) -> int:
        """The room of a fresh continued part."""
        return TEXT_LIMIT - self.reserve

    def new_part(self, *, marked: bool = True) -> None:
        if self.empty:
            return
        self.parts.append([])
        self.marked.append(marked)
        self.room = self.capacity if marked else TEXT_LIMIT
        self.empty = True

    def place(self, markup: str, units: int) -> None:
        self.parts[-1].append(markup)
        self.room -= units
        self.empty = False

    def add(self, item: _Item) -> None:
        """Place `item`, whole if it fits, else split over this part and the next ones."""
        prefix_units = _units(item.prefix)
        while True:
            sep = "" if self.empty else item.sep
            head_room = self.room - utf16_len(sep) - prefix_units
            if utf16_len(item.raw) <= head_room:
                markup = sep + item.prefix + _markup(item.raw, item.wrap)
                self.place(markup, self.room - head_room + utf16_len(item.raw))
                return
            if not self._splittable(item, head_room):
                if self.empty:  # markup too long for any part: keep its text, drop its format
                    item = _Item(raw=_plain(item.prefix) + item.raw, wrap=item.wrap, sep=item.sep)
                    prefix_units = 0
                else:
                    self.new_part()
                continue
            head, rest = _cut(item.raw, head_room)
            markup = sep + item.prefix + _markup(head, item.wrap)
            self.place(markup, self.room - head_room + utf16_len(head))
            if not rest:
                return
            item, prefix_units = _Item(raw=rest, wrap=item.wrap, sep=""), 0
            self.new_part()

    def _splittable(self, item: _Item, head_room: int) -> bool:
        if head_room < 2:
            return False
        if self.empty:
            return True
        return head_room >= _MIN_ROOM and utf16_len(item.raw) >= _SPLIT_AT_LEAST

    def finish(self, lang: str, keep_first: bool) -> list[str]:
        """The parts' HTML, blank ones dropped, continued ones numbered "part/total"."""
        kept = [
            (marked, "".join(fragments))
            for index, (marked, fragments) in enumerate(zip(self.marked, self.parts, strict=True))
            if (index == 0 and keep_first) or _plain("".join(fragments)).strip()
        ]
        total = len(kept)
        return [
            t(lang, "directive.continued", part=index, total=total) + "\n" + text
            if marked
            else text
            for index, (marked, text) in enumerate(kept, start=1)
        ]


def _marker_reserve(items: Sequence[_Item], lang: str) -> int:
    """Room to keep for the "continued" line, with part numbers as wide as they can get."""
    most_parts = _block_units(items) + 2  # every part holds at least one character
    widest = "9" * len(str(most_parts))
    return _units(t(lang, "directive.continued", part=widest, total=widest)) + 1


def _attachment_label(content: DirectiveContent, lang: str) -> str:
    """The short caption used when the header is too long to be one."""
    label = t(lang, "directive.attachment_caption", number=content.number)
    if _units(label) <= CAPTION_LIMIT:
        return label
    return html.escape(split_text(_plain(label), CAPTION_LIMIT)[0], quote=False)


def render_directive(
    content: DirectiveContent, lang: str = "vi", *, items_mask: int | None = None
) -> list[str]:
    """The HTML parts of the letter, in order; with an attachment, parts[0] is its caption.

    Every part fits Telegram's limits and, read in order, they hold the whole letter. A
    letter with items is laid out for one agency: `items_mask` has bit n-1 set for each
    item n addressed to it (None: the staff preview, every item in full).
    """
    assigned = None if items_mask is None else item_numbers(items_mask)
    header = _lead(content, assigned, lang) + _header(content, lang)
    items = header + _items(content, assigned, lang)
    first_limit = CAPTION_LIMIT if content.has_attachment else TEXT_LIMIT
    packer = _Packer(first_limit, _marker_reserve(items, lang))
    if content.has_attachment and _block_units(header) > CAPTION_LIMIT:
        label = _attachment_label(content, lang)
        packer.place(label, _units(label))
        packer.new_part(marked=False)
    for item in items:
        packer.add(item)
    return packer.finish(lang, keep_first=content.has_attachment)
