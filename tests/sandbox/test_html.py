"""Telegram HTML parse mode as the sandbox enforces it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.sandbox.html import ApiError, parse_html, utf16_len


def parse_error(text: str) -> str:
    with pytest.raises(ApiError) as excinfo:
        parse_html(text)
    assert excinfo.value.status == 400
    description = excinfo.value.description
    prefix = "Bad Request: can't parse entities: "
    assert description.startswith(prefix)
    return description.removeprefix(prefix)


# --- plain text and references ----------------------------------------------------------------


def test_plain_text_passes_through_without_entities() -> None:
    assert parse_html("Công văn số 12/UBND") == ("Công văn số 12/UBND", [])


def test_supported_references_are_decoded() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;&#X43;&#39;") == ("<>&\"ABC'", [])


def test_numeric_reference_outside_bmp_counts_two_utf16_units() -> None:
    text, entities = parse_html("<b>&#128512;</b>")
    assert text == "😀"
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


@pytest.mark.parametrize(
    "text", ["a & b", "&nbsp;", "&amp", "&#;", "&#0;", "&#xD800;", "&#x110000;"]
)
def test_bare_or_unsupported_ampersand_is_rejected(text: str) -> None:
    assert parse_error(text).startswith("Character '&' is reserved")


def test_ampersand_error_reports_byte_offset() -> None:
    assert parse_error("Đã & ") == (
        "Character '&' is reserved and must be escaped as \"&amp;\" at byte offset 5"
    )


def test_bare_greater_than_is_rejected() -> None:
    assert parse_error("a > b") == (
        "Character '>' is reserved and must be escaped as \"&gt;\" at byte offset 2"
    )


# --- tags -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "entity_type"),
    [
        ("<b>x</b>", "bold"),
        ("<strong>x</strong>", "bold"),
        ("<i>x</i>", "italic"),
        ("<em>x</em>", "italic"),
        ("<u>x</u>", "underline"),
        ("<ins>x</ins>", "underline"),
        ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
    ],
)
def test_each_supported_tag_gives_its_entity(markup: str, entity_type: str) -> None:
    assert parse_html(markup) == ("x", [{"type": entity_type, "offset": 0, "length": 1}])


def test_link_carries_decoded_href() -> None:
    text, entities = parse_html('Xem <a href="https://x.vn/?a=1&amp;b=2">đây</a>')
    assert text == "Xem đây"
    assert entities == [
        {"type": "text_link", "offset": 4, "length": 3, "url": "https://x.vn/?a=1&b=2"}
    ]


def test_custom_emoji_carries_its_id() -> None:
    assert parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>') == (
        "👍",
        [
            {
                "type": "custom_emoji",
                "offset": 0,
                "length": 2,
                "custom_emoji_id": "5368324170671202286",
            }
        ],
    )


def test_pre_with_language_code_is_one_pre_entity() -> None:
    assert parse_html('<pre><code class="language-python">x = 1</code></pre>') == (
        "x = 1",
        [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
    )


def test_pre_with_plain_code_keeps_both_entities() -> None:
    assert parse_html("<pre><code>x</code></pre>") == (
        "x",
        [{"type": "pre", "offset": 0, "length": 1}, {"type": "code", "offset": 0, "length": 1}],
    )


def test_code_language_outside_pre_is_dropped() -> None:
    assert parse_html('<code class="language-sql">x</code>') == (
        "x",
        [{"type": "code", "offset": 0, "length": 1}],
    )


def test_tags_and_attributes_are_case_insensitive_and_tolerate_spaces() -> None:
    assert parse_html('<B>x</b >\n<A  HREF = "http://a.vn" >y</A>') == (
        "x\ny",
        [
            {"type": "bold", "offset": 0, "length": 1},
            {"type": "text_link", "offset": 2, "length": 1, "url": "http://a.vn"},
        ],
    )


def test_unquoted_attribute_value_is_a_lowercased_name_token() -> None:
    assert parse_html("<span class=TG-SPOILER>x</span>")[1][0]["type"] == "spoiler"


def test_nested_entities_use_utf16_offsets() -> None:
    text, entities = parse_html("😀<b>a<i>b😀</i></b>c")
    assert text == "😀ab😀c"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 4},
        {"type": "italic", "offset": 3, "length": 3},
    ]


def test_entities_are_sorted_by_offset_then_longest_first() -> None:
    _, entities = parse_html("<i>a</i><b><u>bc</u>d</b>")
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("italic", 0, 1),
        ("bold", 1, 3),
        ("underline", 1, 2),
    ]


def test_empty_elements_give_no_entity() -> None:
    assert parse_html("<b></b>x<i><u></u></i>") == ("x", [])


# --- malformed markup -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("a <", "Unclosed start tag at byte offset 2"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("Số <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 5'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("<b>x</>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<b class="x>y</b>', "Unclosed start tag at byte offset 0"),
        (
            "<b foo>x</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ("<b =x>y</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<b c=d/>x</b>", "Unexpected end of name token at byte offset 5"),
        ("<a>x</a>", 'Tag "a" must have attribute "href" at byte offset 0'),
        ('<a href="">x</a>', 'Tag "a" must have attribute "href" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        (
            '<a href="?a=1&b=2">x</a>',
            "Character '&' is reserved and must be escaped as \"&amp;\" at byte offset 13",
        ),
    ],
)
def test_malformed_markup_is_rejected_with_telegram_reason(text: str, reason: str) -> None:
    assert parse_error(text) == reason


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("") == 0
    assert utf16_len("Đã nhận") == 7
    assert utf16_len("👍🏻") == 4


# --- properties -------------------------------------------------------------------------------


@given(st.text())
def test_escaped_text_parses_back_unchanged(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


@given(st.text())
def test_escaped_text_without_quote_escaping_parses_back_unchanged(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)) == (text, [])


@given(st.text(), st.text())
def test_bare_less_than_is_always_rejected(before: str, after: str) -> None:
    with pytest.raises(ApiError):
        parse_html(html.escape(before) + "<" + html.escape(after))


_REFERENCE_START = re.compile(r"(lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);")


@given(st.text(), st.text())
def test_bare_ampersand_is_always_rejected(before: str, after: str) -> None:
    escaped_after = html.escape(after)
    assume(_REFERENCE_START.match(escaped_after) is None)
    with pytest.raises(ApiError):
        parse_html(html.escape(before) + "&" + escaped_after)


@dataclass(frozen=True)
class Node:
    """A tag around children: what the bot's templates produce."""

    tag: str
    entity_type: str
    children: tuple[Node | str, ...]
    url: str = ""

    def markup(self) -> str:
        inner_html = "".join(
            html.escape(c) if isinstance(c, str) else c.markup() for c in self.children
        )
        if self.tag == "a":
            return f'<a href="{html.escape(self.url)}">{inner_html}</a>'
        return f"<{self.tag}>{inner_html}</{self.tag}>"


_TAGS = [
    ("b", "bold"),
    ("i", "italic"),
    ("u", "underline"),
    ("s", "strikethrough"),
    ("tg-spoiler", "spoiler"),
    ("code", "code"),
    ("blockquote", "blockquote"),
    ("a", "text_link"),
]


def _node(children: list[Node | str]) -> st.SearchStrategy[Node]:
    return st.builds(
        lambda tag, url: Node(tag[0], tag[1], tuple(children), url),
        st.sampled_from(_TAGS),
        st.text(min_size=1).map(lambda s: "https://x.vn/" + s),
    )


_TREES: st.SearchStrategy[Node | str] = st.recursive(
    st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3).flatmap(_node),
    max_leaves=12,
)


def _expected(nodes: tuple[Node | str, ...]) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities computed independently of the parser."""
    plain = ""
    entities: list[dict[str, Any]] = []

    def walk(node: Node | str) -> None:
        nonlocal plain
        if isinstance(node, str):
            plain += node
            return
        start = utf16_len(plain)
        for child in node.children:
            walk(child)
        length = utf16_len(plain) - start
        if length:
            entity: dict[str, Any] = {"type": node.entity_type, "offset": start, "length": length}
            if node.tag == "a":
                entity["url"] = node.url
            entities.append(entity)

    for node in nodes:
        walk(node)
    return plain, entities


def _canonical(entities: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(e.items())) for e in entities)


@given(st.lists(_TREES, max_size=4))
def test_nested_markup_round_trips(nodes: list[Node | str]) -> None:
    markup = "".join(html.escape(n) if isinstance(n, str) else n.markup() for n in nodes)
    plain, entities = parse_html(markup)
    expected_plain, expected_entities = _expected(tuple(nodes))
    assert plain == expected_plain
    assert _canonical(entities) == _canonical(expected_entities)
    offsets = [(e["offset"], -e["length"]) for e in entities]
    assert offsets == sorted(offsets)
