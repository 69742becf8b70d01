"""Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style), strictly.

The product needs to know what Telegram will make of a message before sending it: how long
it is after parsing (limits count UTF-16 code units of the plain text) and whether its
markup is valid. This parser turns Telegram HTML into text and entities the way the Bot API
does (same tags, same error wording, offsets in UTF-16 code units). It is stricter than
Telegram where Telegram silently guesses: every '&', '<' and '>' that is not markup must be
escaped, '<a>' needs an href, and entity references need their ';' — an unescaped character
in the bot's output always means a missing html.escape().

The sandbox validates what the bot sends with this same parser (it imports it; the product
never imports the sandbox).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["HtmlParseError", "parse_html", "utf16_len"]


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}

# Telegram's order for entities sharing offset and length (tdlib's type priorities).
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 1,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}

_SPACES = " \t\n\r\f\v"
_TEXT_RUN = re.compile(r"[^<>&]+")
_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
_EMOJI_ID = re.compile(r"[0-9]{1,19}")


def utf16_len(s: str) -> int:
    """Length in UTF-16 code units: Telegram's unit for offsets, lengths and limits."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Split Telegram HTML into plain text and MessageEntity dicts, or raise HtmlParseError."""
    return _Parser(text).parse()


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; `reason` is worded as Telegram words it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse_error(reason: str) -> HtmlParseError:
    return HtmlParseError(reason)


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports positions as byte offsets into the UTF-8 text."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_reference(text: str, index: int) -> tuple[str, int]:
    """Decode the character reference at ``text[index] == '&'``; return it and the end index."""
    match = _REFERENCE.match(text, index)
    if match is not None:
        name, decimal, hexadecimal = match.groups()
        if name is not None:
            return _NAMED_REFERENCES[name], match.end()
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), match.end()
    raise _parse_error(
        f"Character '&' is reserved and must be escaped as \"&amp;\" "
        f"at byte offset {_byte_offset(text, index)}"
    )


def _unescape(text: str, start: int, end: int) -> str:
    """Decode ``text[start:end]`` (an attribute value), as strict about '&' as the text."""
    parts: list[str] = []
    index = start
    while index < end:
        amp = text.find("&", index, end)
        if amp < 0:
            parts.append(text[index:end])
            break
        parts.append(text[index:amp])
        char, index = _decode_reference(text, amp)
        parts.append(char)
    return "".join(parts)


def _tag_argument(tag: str, attributes: dict[str, str], byte_pos: int) -> str:
    """Check a start tag's attributes; return what its entity needs (URL, language, ...)."""
    if tag == "a":
        href = attributes.get("href", "")
        if not href:
            raise _parse_error(f'Tag "a" must have attribute "href" at byte offset {byte_pos}')
        return href
    if tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_pos}')
        return ""
    if tag == "tg-emoji":
        emoji_id = attributes.get("emoji-id", "")
        if _EMOJI_ID.fullmatch(emoji_id) is None or int(emoji_id) == 0:
            raise _parse_error("Invalid custom emoji identifier specified")
        return emoji_id
    if tag == "code":
        css_class = attributes.get("class", "")
        return css_class.removeprefix("language-") if css_class.startswith("language-") else ""
    if tag == "blockquote" and "expandable" in attributes:
        return "expandable"
    return ""


def _sort_key(entity: dict[str, Any]) -> tuple[int, int, int]:
    priority = _PRIORITY[entity["type"]] - (1 if "language" in entity else 0)
    return entity["offset"], -entity["length"], priority


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    byte_pos: int


class _Parser:
    """One pass over the text: text runs, character references and tags."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0  # UTF-16 length of the plain text so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "<":
                self._tag()
            elif char == "&":
                decoded, self.pos = _decode_reference(text, self.pos)
                self._emit(decoded)
            elif char == ">":
                raise _parse_error(
                    "Character '>' is reserved and must be escaped as \"&gt;\" "
                    f"at byte offset {_byte_offset(text, self.pos)}"
                )
            else:
                end = _TEXT_RUN.match(text, self.pos)  # text[pos] is not '<', '>' or '&'
                run_end = end.end() if end is not None else self.pos + 1
                self._emit(text[self.pos : run_end])
                self.pos = run_end
        if self.stack:
            raise _parse_error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=_sort_key)
        return "".join(self.out), self.entities

    def _emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.offset += utf16_len(chunk)

    def _skip_spaces(self, index: int) -> int:
        while index < len(self.text) and self.text[index] in _SPACES:
            index += 1
        return index

    def _scan_to(self, index: int, stops: str) -> int:
        while index < len(self.text) and self.text[index] not in stops:
            index += 1
        return index

    def _tag(self) -> None:
        if self.text.startswith("</", self.pos):
            self._end_tag()
        else:
            self._start_tag()

    def _start_tag(self) -> None:
        start = self.pos
        byte_pos = _byte_offset(self.text, start)
        name_end = self._scan_to(start + 1, _SPACES + ">")
        if name_end == len(self.text):
            raise _parse_error(f"Unclosed start tag at byte offset {byte_pos}")
        name = self.text[start + 1 : name_end].lower()
        if name not in _ENTITY_TYPES:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_pos}')
        attributes, self.pos = self._attributes(name, name_end, byte_pos)
        argument = _tag_argument(name, attributes, byte_pos)
        self.stack.append(_OpenTag(name, argument, self.offset, byte_pos))

    def _attributes(self, tag: str, index: int, byte_pos: int) -> tuple[dict[str, str], int]:
        """Parse ``name="value"`` pairs up to '>'; return them and the index after '>'."""
        text = self.text
        attributes: dict[str, str] = {}
        while True:
            index = self._skip_spaces(index)
            if index == len(text):
                raise _parse_error(f"Unclosed start tag at byte offset {byte_pos}")
            if text[index] == ">":
                return attributes, index + 1
            name_end = self._scan_to(index, _SPACES + "=>")
            name = text[index:name_end].lower()
            if not name:
                raise _parse_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset {byte_pos}'
                )
            index = self._skip_spaces(name_end)
            if index < len(text) and text[index] == "=":
                attributes[name], index = self._attribute_value(index + 1, byte_pos)
            elif tag == "blockquote" and name == "expandable":
                attributes[name] = ""
            elif index == len(text):
                raise _parse_error(f"Unclosed start tag at byte offset {byte_pos}")
            else:
                raise _parse_error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {byte_pos}'
                )

    def _attribute_value(self, index: int, byte_pos: int) -> tuple[str, int]:
        """A quoted string (references decoded) or a bare name token (lowercased)."""
        text = self.text
        index = self._skip_spaces(index)
        if index == len(text):
            raise _parse_error(f"Unclosed start tag at byte offset {byte_pos}")
        quote = text[index]
        if quote in "\"'":
            end = text.find(quote, index + 1)
            if end < 0:
                raise _parse_error(f"Unclosed start tag at byte offset {byte_pos}")
            return _unescape(text, index + 1, end), end + 1
        token = _NAME_TOKEN.match(text, index)  # matches the empty string: never None
        end = token.end() if token is not None else index
        if end == len(text):
            raise _parse_error(f"Unclosed start tag at byte offset {byte_pos}")
        if text[end] not in _SPACES + ">":
            raise _parse_error(
                f"Unexpected end of name token at byte offset {_byte_offset(text, index)}"
            )
        return text[index:end].lower(), end

    def _end_tag(self) -> None:
        start = self.pos
        byte_pos = _byte_offset(self.text, start)
        if not self.stack:
            raise _parse_error(f"Unexpected end tag at byte offset {byte_pos}")
        name_end = self._scan_to(start + 2, _SPACES + ">")
        name = self.text[start + 2 : name_end].lower()
        close = self._skip_spaces(name_end)
        if close == len(self.text) or self.text[close] != ">":
            raise _parse_error(f"Unclosed end tag at byte offset {byte_pos}")
        open_tag = self.stack[-1]
        if name != open_tag.name:
            raise _parse_error(
                f'Unmatched end tag at byte offset {byte_pos}, expected "</{open_tag.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.pos = close + 1
        self._close(open_tag)

    def _close(self, tag: _OpenTag) -> None:
        """Record the entity of a closed tag; empty ones are dropped, as Telegram does."""
        length = self.offset - tag.offset
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": _ENTITY_TYPES[tag.name],
            "offset": tag.offset,
            "length": length,
        }
        if tag.name == "a":
            entity["url"] = tag.argument
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.argument
        elif tag.name == "blockquote" and tag.argument:
            entity["type"] = "expandable_blockquote"
        elif tag.name in ("pre", "code") and self._merge_pre_code(entity, tag.argument):
            return
        self.entities.append(entity)

    def _merge_pre_code(self, entity: dict[str, Any], language: str) -> bool:
        """<pre><code class="language-x">…</code></pre> is one "pre" entity with a language."""
        if entity["type"] == "code" and language:
            entity["language"] = language
        last = self.entities[-1] if self.entities else None
        if last is None or (last["offset"], last["length"]) != (
            entity["offset"],
            entity["length"],
        ):
            return False
        if entity["type"] == "pre" and last["type"] == "code" and "language" in last:
            last["type"] = "pre"
            return True
        if entity["type"] == "code" and last["type"] == "pre" and language:
            if "language" in last:
                return False
            last["language"] = language
            return True
        return False
