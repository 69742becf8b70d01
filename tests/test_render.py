"""Rendering a directive into Telegram HTML parts: valid, within limits, nothing lost."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.directive_input import read_directive_file
from bot.delivery.render import (
    CAPTION_LIMIT,
    FOLDED_ITEM,
    TEXT_LIMIT,
    DirectiveContent,
    LetterItem,
    render_directive,
    split_text,
)
from bot.sandbox.botapi import validate_send
from bot.sandbox.html import parse_html, utf16_len
from db.models import Urgency
from db.queries.items import item_numbers

SAMPLE = Path(__file__).parent.parent / "examples" / "directive-book-day.toml"
MARKER = re.compile(r"^\((?:tiếp theo, phần|continued, part) \d+/\d+\)\n")
TRICKY = "Hội Văn học & Nghệ thuật <tỉnh> &amp; </b> 😀"


def content(**changes: object) -> DirectiveContent:
    base = DirectiveContent(
        number="123/STTTT-TTBCXB",
        subject="V/v họp giao ban",
        body="Kính gửi các đơn vị.",
        issue_date=date(2020, 6, 15),
        deadline=None,
        urgency=Urgency.THUONG,
        links=(),
        actions=(),
        has_attachment=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sample_content(**changes: object) -> DirectiveContent:
    draft = read_directive_file(SAMPLE)
    assert draft.number is not None
    sample = DirectiveContent(
        number=draft.number,
        subject=draft.subject,
        body=draft.body,
        issue_date=date(2020, 6, 15),
        deadline=draft.deadline,
        urgency=draft.urgency,
        links=draft.links,
        actions=draft.actions,
        has_attachment=False,
        items=tuple(LetterItem(item.text, item.to) for item in draft.items),
    )
    return replace(sample, **changes)  # type: ignore[arg-type]


def plains(parts: list[str]) -> list[str]:
    return [parse_html(part)[0] for part in parts]


def assert_sendable(parts: list[str], has_attachment: bool) -> None:
    """Every part is accepted by the sandbox's Telegram validation."""
    assert parts
    for index, part in enumerate(parts):
        if index == 0 and has_attachment:
            params = {"chat_id": 1, "document": "x", "caption": part, "parse_mode": "HTML"}
            validate_send("sendDocument", params)
            assert utf16_len(parse_html(part)[0]) <= CAPTION_LIMIT
        else:
            validate_send("sendMessage", {"chat_id": 1, "text": part, "parse_mode": "HTML"})
            assert utf16_len(parse_html(part)[0]) <= TEXT_LIMIT


def squash(text: str) -> str:
    return "".join(text.split())


def reading(parts: list[str]) -> str:
    """What a reader sees across the parts, without the "continued" lines and whitespace."""
    return squash("".join(MARKER.sub("", plain) for plain in plains(parts)))


def assert_nothing_lost(letter: DirectiveContent, parts: list[str]) -> None:
    """Subject, body, actions and links appear whole and in order."""
    seen = reading(parts)
    position = 0
    for text in (letter.subject, letter.body, *letter.actions, *letter.links):
        found = seen.find(squash(text), position)
        assert found >= 0, text[:80]
        position = found + len(squash(text))


# --- the sample letter -----------------------------------------------------------------------


NEWSPAPER, EDUCATION, OTHERS = 0b001, 0b010, 0b100  # the sample's items, as agencies get them


def test_sample_letter_header_reads_like_an_official_letter() -> None:
    parts = render_directive(sample_content(), items_mask=NEWSPAPER)
    assert len(parts) == 1
    assert plains(parts)[0].startswith(
        "📌 Đơn vị thực hiện: mục 1\n"
        "Số: 123/STTTT-TTBCXB\n"
        "Ngày 15/06/2020\n"
        "V/v tuyên truyền cho Hội Sách trực tuyến chào mừng Ngày Sách Việt Nam lần thứ 7\n"
        "Hạn báo cáo: 30/06/2020\n\n"
        "Thực hiện Công văn số 555/CXBIPH-KTCN"
    )
    assert "<b>Số: 123/STTTT-TTBCXB</b>\n" in parts[0]
    assert "<b>V/v tuyên truyền cho Hội Sách" in parts[0]
    assert "V&amp;V" in parts[0]


def test_sample_letter_shows_the_agencys_item_in_full_and_folds_the_others() -> None:
    letter = sample_content()
    plain = plains(render_directive(letter, items_mask=EDUCATION))[0]
    assert plain.startswith("📌 Đơn vị thực hiện: mục 2\n")
    mine = f"👉 2. {letter.items[1].text}"
    assert mine in plain
    folded = [line for line in plain.split("\n") if line.startswith("▫️")]
    assert [line[:5] for line in folded] == ["▫️ 1.", "▫️ 3."]
    assert all(line.endswith("…") and len(line) <= FOLDED_ITEM + 6 for line in folded)
    assert letter.items[0].text not in plain
    assert plain.endswith(
        f"những nội dung sau:\n\n{folded[0]}\n\n{mine}\n\n{folded[1]}"
        "\n\nĐường link:\n• https://book365.vn"
    )


def test_an_agency_addressed_by_no_item_is_told_it_is_for_information() -> None:
    plain = plains(render_directive(sample_content(), items_mask=0))[0]
    assert plain.startswith("📌 Gửi để biết (không có mục nào giao cho đơn vị)\nSố: ")
    assert "👉" not in plain
    assert plain.count("▫️") == 3


def test_the_staff_preview_shows_every_item_in_full_with_whom_it_is_for() -> None:
    letter = sample_content()
    plain = plains(render_directive(letter))[0]
    assert plain.startswith("📌 Bản xem trước")
    assert f"1. (bao-dai) {letter.items[0].text}" in plain
    assert f"2. (so-gddt) {letter.items[1].text}" in plain
    assert f"3. (các đơn vị còn lại) {letter.items[2].text}" in plain


@pytest.mark.parametrize("mask", [None, 0, NEWSPAPER, EDUCATION, OTHERS, NEWSPAPER | OTHERS])
@pytest.mark.parametrize("has_attachment", [False, True])
def test_every_agencys_rendering_is_sendable(mask: int | None, has_attachment: bool) -> None:
    letter = sample_content(has_attachment=has_attachment)
    parts = render_directive(letter, items_mask=mask)
    assert_sendable(parts, has_attachment)
    assert_nothing_lost(letter, parts)
    shown_in_full = range(1, 4) if mask is None else item_numbers(mask)
    for number in shown_in_full:
        assert squash(letter.items[number - 1].text) in reading(parts)


def test_sample_letter_with_attachment_starts_in_the_caption() -> None:
    letter = sample_content(has_attachment=True)
    parts = render_directive(letter, items_mask=OTHERS)
    assert len(parts) == 2
    assert_sendable(parts, has_attachment=True)
    assert_nothing_lost(letter, parts)
    caption, rest = plains(parts)
    assert caption.startswith(
        "📌 Đơn vị thực hiện: mục 3\nSố: 123/STTTT-TTBCXB\nNgày 15/06/2020\nV/v tuyên truyền"
    )
    assert caption.endswith("phát hành tham gia.")  # cut between paragraphs
    assert rest.startswith("(tiếp theo, phần 2/2)\nHội Sách trực tuyến lần đầu tiên")


def test_sample_letter_in_english_uses_the_english_labels() -> None:
    plain = plains(render_directive(sample_content(), "en", items_mask=NEWSPAPER))[0]
    assert plain.startswith(
        "📌 For your agency: item 1\nNo. 123/STTTT-TTBCXB\nDate: 15/06/2020\nV/v tuyên truyền"
    )
    assert "Report by: 30/06/2020" in plain
    assert "Links:\n• https://book365.vn" in plain
    requested = plains(render_directive(content(actions=("Đăng tin",)), "en"))[0]
    assert "Requested actions:\n1. Đăng tin" in requested


# --- the header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "mark"),
    [(Urgency.KHAN, "🟠 KHẨN\n"), (Urgency.HOA_TOC, "🔴 HỎA TỐC\n")],
)
def test_urgent_letter_has_its_mark_on_top(urgency: Urgency, mark: str) -> None:
    plain = plains(render_directive(content(urgency=urgency)))[0]
    assert plain.startswith(mark + "Số: 123/STTTT-TTBCXB\n")


def test_ordinary_letter_has_no_mark_and_no_deadline_line() -> None:
    plain = plains(render_directive(content()))[0]
    assert (
        plain == "Số: 123/STTTT-TTBCXB\nNgày 15/06/2020\nV/v họp giao ban\n\nKính gửi các đơn vị."
    )


def test_subject_without_vv_gets_it() -> None:
    plain = plains(render_directive(content(subject="Họp giao ban")))[0]
    assert "\nV/v Họp giao ban\n" in plain
    plain = plains(render_directive(content(subject="v/V họp")))[0]
    assert "\nv/V họp\n" in plain


def test_user_text_is_escaped_everywhere() -> None:
    letter = content(
        number="1/<b>&",
        subject=TRICKY,
        body=TRICKY,
        actions=(TRICKY,),
        links=("https://a.vn/?a=1&b=<2>",),
        deadline=date(2020, 6, 30),
    )
    for has_attachment in (False, True):
        parts = render_directive(replace(letter, has_attachment=has_attachment))
        assert_sendable(parts, has_attachment)
        assert_nothing_lost(letter, parts)
    assert "Số: 1/<b>&\n" in plains(render_directive(letter))[0]


def test_letter_without_body_is_only_the_header() -> None:
    plain = plains(render_directive(content(body="  \n\n ")))[0]
    assert plain == "Số: 123/STTTT-TTBCXB\nNgày 15/06/2020\nV/v họp giao ban"


# --- splitting -------------------------------------------------------------------------------


def test_long_body_is_split_into_numbered_parts() -> None:
    paragraph = "Nội dung công văn dài. " * 40
    letter = content(body="\n\n".join([paragraph.strip()] * 12))  # about 11,000 characters
    parts = render_directive(letter)
    assert len(parts) == 3
    assert_sendable(parts, has_attachment=False)
    assert_nothing_lost(letter, parts)
    texts = plains(parts)
    assert texts[1].startswith("(tiếp theo, phần 2/3)\nNội dung")
    assert texts[2].startswith("(tiếp theo, phần 3/3)\nNội dung")
    assert all(text.endswith("dài.") for text in texts)  # cut between paragraphs


def test_50000_character_body_fits_in_parts() -> None:
    letter = content(body="Sóc Trăng " * 5000, has_attachment=True)
    parts = render_directive(letter)
    assert_sendable(parts, has_attachment=True)
    assert_nothing_lost(letter, parts)
    assert len(parts) == 14


def test_short_items_move_whole_to_the_next_part() -> None:
    letter = content(body="x " * 2000, actions=("Đăng tải đường link " * 10,))
    parts = render_directive(letter)
    assert len(parts) == 2
    assert plains(parts)[1].startswith("(tiếp theo, phần 2/2)\nĐề nghị thực hiện:\n1. Đăng tải")


def test_header_too_long_for_a_caption_moves_to_the_first_message() -> None:
    letter = content(subject="V/v " + "tuyên truyền " * 90, has_attachment=True)
    parts = render_directive(letter)
    assert_sendable(parts, has_attachment=True)
    assert_nothing_lost(letter, parts)
    texts = plains(parts)
    assert texts[0].startswith("📎 Công văn số 123/STTTT-TTBCXB — tệp đính kèm")
    assert texts[1].startswith("Số: 123/STTTT-TTBCXB\nNgày 15/06/2020\nV/v tuyên truyền")
    assert len(parts) == 2


def test_enormous_subject_and_number_are_split_not_cut() -> None:
    letter = content(number="N" * 5000, subject="😀" * 5000, has_attachment=True)
    parts = render_directive(letter)
    assert_sendable(parts, has_attachment=True)
    assert_nothing_lost(letter, parts)
    assert "N" * 5000 in reading(parts)


def test_split_prefers_paragraphs_then_lines_then_spaces() -> None:
    assert split_text("aaaa\n\nbbbb\ncc dd", 12) == ["aaaa", "bbbb\ncc dd"]
    assert split_text("aaaa bbbb\ncccc", 12) == ["aaaa bbbb", "cccc"]
    assert split_text("aaaa bbbb cccc", 12) == ["aaaa bbbb", "cccc"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_split_ignores_breaks_that_would_leave_a_part_nearly_empty() -> None:
    assert split_text("a\n\nbbbbbbb ccccccc", 12) == ["a\n\nbbbbbbb", "ccccccc"]


def test_split_counts_utf16_units_and_keeps_characters_whole() -> None:
    assert split_text("😀😀😀", 4) == ["😀😀", "😀"]
    family = "👨\u200d👩\u200d👧"
    assert split_text("a" + family * 2, 9) == ["a" + family, family]
    nfd = "Vie\u0302\u0323t"
    assert split_text(nfd * 2, 4) == ["Vi", "e\u0302\u0323t", "Vi", "e\u0302\u0323t"]


def test_split_rejects_a_limit_too_small_for_an_astral_character() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        split_text("😀", 1)


def test_split_of_short_or_empty_text() -> None:
    assert split_text("", 10) == []
    assert split_text("ngắn", 10) == ["ngắn"]


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_split_pieces_fit_and_lose_only_whitespace_at_cuts(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < utf16_len(piece) <= limit for piece in pieces)
    assert squash("".join(pieces)) == squash(text)
    if not any(char.isspace() for char in text):
        assert "".join(pieces) == text


# --- properties over any letter --------------------------------------------------------------

FRAGMENTS = [
    "&",
    "<",
    ">",
    "&amp;",
    "<b>",
    "</i>",
    "😀",
    "👨\u200d👩\u200d👧",
    "e\u0301",
    " ",
    "\n",
    "\n\n",
    "Hội Văn học & Nghệ thuật <tỉnh>",
    "https://book365.vn",
    "x" * 5000,
    "đ" * 1500,
]
fragment = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30))
long_text = st.builds(
    lambda pieces, times: ("".join(pieces) * times)[:60_000],
    st.lists(fragment, min_size=1, max_size=8),
    st.integers(min_value=1, max_value=300),
)
any_text = st.one_of(st.text(max_size=200), long_text)
letters = st.builds(
    DirectiveContent,
    number=st.text(max_size=64),
    subject=st.one_of(st.text(min_size=1, max_size=500), st.text(min_size=1).map(lambda s: s * 20)),
    body=any_text,
    issue_date=st.dates(),
    deadline=st.none() | st.dates(),
    urgency=st.sampled_from(Urgency),
    links=st.lists(
        st.sampled_from(["https://book365.vn", "https://a.vn/?a=1&b=<2>"]), max_size=3
    ).map(tuple),
    actions=st.lists(st.one_of(st.text(max_size=100), long_text), max_size=4).map(tuple),
    has_attachment=st.booleans(),
)


@settings(deadline=None, max_examples=150)
@given(letters, st.sampled_from(["vi", "en"]))
def test_any_letter_renders_to_sendable_parts_that_lose_nothing(
    letter: DirectiveContent, lang: str
) -> None:
    parts = render_directive(letter, lang)
    assert_sendable(parts, letter.has_attachment)
    assert_nothing_lost(letter, parts)
