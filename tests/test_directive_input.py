"""Reading directives: TOML files (every problem reported at once) and /broadcast texts."""

from __future__ import annotations

import os
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.directive_input import (
    MAX_ATTACHMENT_BYTES,
    OTHERS,
    DirectiveDraft,
    DirectiveInputError,
    ReminderOverride,
    extract_links,
    is_web_url,
    parse_broadcast_text,
    read_directive_file,
)
from db.models import Urgency

SAMPLE = Path(__file__).parent.parent / "examples" / "directive-book-day.toml"
BROADCAST_REASONS = {
    "empty",
    "subject_too_long",
    "body_too_long",
    "bad_urgency",
    "bad_deadline",
    "bad_every",
    "bad_items",
}


def write(tmp_path: Path, text: str, name: str = "letter.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(DirectiveInputError) as excinfo:
        read_directive_file(path)
    assert excinfo.value.reason == "invalid"
    return excinfo.value.errors


# --- the sample letter -----------------------------------------------------------------------


def test_sample_letter_reads_every_key() -> None:
    draft = read_directive_file(SAMPLE)
    assert draft.number == "123/STTTT-TTBCXB"
    assert draft.subject == (
        "V/v tuyên truyền cho Hội Sách trực tuyến chào mừng Ngày Sách Việt Nam lần thứ 7"
    )
    assert draft.body.startswith("Thực hiện Công văn số 555/CXBIPH-KTCN ngày 4/6/2020")
    assert draft.body.endswith("phối hợp thực hiện những nội dung sau:")
    assert "V&V" in draft.body
    assert draft.links == ("https://book365.vn",)
    assert draft.targets == ("so-nganh", "hoi", "bao-dai", "ubnd-huyen", "co-so-in")
    assert draft.actions == ()
    # The letter's three items: 1 to the newspaper and radio-TV, 2 to the Department of
    # Education (which passes the link on: nothing to publish itself), 3 to the others.
    assert [(item.to, item.publish_links) for item in draft.items] == [
        (("bao-dai",), True),
        (("so-gddt",), False),
        ((OTHERS,), True),
    ]
    assert draft.items[0].text.startswith("Đề nghị Báo Sóc Trăng, Đài Phát thanh")
    assert draft.items[1].text.startswith("Đề nghị Sở Giáo dục và Đào tạo chỉ đạo")
    assert draft.items[2].text.startswith("Đề nghị các sở, ban, ngành, đoàn thể tỉnh")
    assert draft.deadline == date(2020, 6, 30)
    assert draft.urgency is Urgency.THUONG
    assert draft.issue_date is None
    assert draft.attachment is None
    assert draft.reminders == ReminderOverride()


def test_minimal_file_needs_only_a_subject(tmp_path: Path) -> None:
    draft = read_directive_file(write(tmp_path, 'subject = "V/v họp giao ban"'))
    assert draft == DirectiveDraft(subject="V/v họp giao ban", body="")


# --- values that are accepted ----------------------------------------------------------------


def test_attachment_path_is_relative_to_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "cv 123.pdf").write_bytes(b"%PDF-1.4\n")
    path = write(folder, 'subject = "V/v x"\nattachment = "cv 123.pdf"')
    draft = read_directive_file(path)
    assert draft.attachment == (folder / "cv 123.pdf").resolve()
    assert draft.attachment.is_absolute()


@pytest.mark.parametrize(
    "value", ["2020-06-30", '"2020-06-30"', '"30/06/2020"', '"30/6/2020"', '" 2020-06-30 "']
)
def test_deadline_accepts_dates_and_date_strings(tmp_path: Path, value: str) -> None:
    draft = read_directive_file(write(tmp_path, f'subject = "x"\ndeadline = {value}'))
    assert draft.deadline == date(2020, 6, 30)


@pytest.mark.parametrize(
    ("value", "urgency"),
    [
        ("thuong", Urgency.THUONG),
        ("Thường", Urgency.THUONG),
        ("khan", Urgency.KHAN),
        ("KHẨN", Urgency.KHAN),
        ("hoa-toc", Urgency.HOA_TOC),
        ("Hỏa tốc", Urgency.HOA_TOC),
        ("HOẢ TỐC", Urgency.HOA_TOC),
        (unicodedata.normalize("NFD", "Hỏa tốc"), Urgency.HOA_TOC),
    ],
)
def test_urgency_accepts_slugs_and_vietnamese_names(
    tmp_path: Path, value: str, urgency: Urgency
) -> None:
    draft = read_directive_file(write(tmp_path, f'subject = "x"\nurgency = "{value}"'))
    assert draft.urgency is urgency


def test_reminder_override_is_read(tmp_path: Path) -> None:
    text = 'subject = "x"\n[reminders]\nfirst_after = "2h"\nevery = "30m"\nmax_count = 5\n'
    draft = read_directive_file(write(tmp_path, text))
    assert draft.reminders == ReminderOverride(timedelta(hours=2), timedelta(minutes=30), 5)


def test_partial_reminder_override_keeps_the_rest_unset(tmp_path: Path) -> None:
    draft = read_directive_file(write(tmp_path, 'subject = "x"\n[reminders]\nmax_count = 0\n'))
    assert draft.reminders == ReminderOverride(max_count=0)


def test_values_are_normalized(tmp_path: Path) -> None:
    text = (
        'number = "  "\n'
        'subject = """V/v tuyên truyền\n  cho Hội Sách"""\n'
        'body = """\n\n  Kính gửi các đơn vị.\n\nTrân trọng!  \n\n"""\n'
        'links = ["https://book365.vn", "https://book365.vn"]\n'
        'to = ["SO-Y-TE", "so-y-te", "all"]\n'
        'actions = ["  Đăng tải đường link  "]\n'
    )
    draft = read_directive_file(write(tmp_path, text))
    assert draft.number is None  # a blank number is assigned when queued
    assert draft.subject == "V/v tuyên truyền cho Hội Sách"
    assert draft.body == "  Kính gửi các đơn vị.\n\nTrân trọng!"
    assert draft.links == ("https://book365.vn",)
    assert draft.targets == ("so-y-te", "all")
    assert draft.actions == ("Đăng tải đường link",)


def test_file_with_a_bom_and_windows_newlines_is_read(tmp_path: Path) -> None:
    path = tmp_path / "letter.toml"
    path.write_bytes('\ufeffsubject = "V/v x"\r\nbody = """a\r\nb"""\r\n'.encode())
    draft = read_directive_file(path)
    assert (draft.subject, draft.body) == ("V/v x", "a\nb")


# --- values that are refused -----------------------------------------------------------------

BAD_FILES = [
    ('subject = "x"\nsubjet = "y"', "unknown key 'subjet' (did you mean 'subject'?)"),
    ('subject = "x"\ndate = 2020-06-01', "unknown key 'date'"),
    ('body = "x"', "subject: missing"),
    ('subject = ""', "subject = '': empty"),
    ('subject = " \\n "', "subject = ' \\n ': empty"),
    ("subject = 5", "subject = 5: not a string"),
    (f'subject = "{"x" * 501}"', "subject: 501 characters, at most 500"),
    (f'subject = "x"\nnumber = "{"1" * 65}"', "number: 65 characters, at most 64"),
    ('subject = "x"\nnumber = 123', "number = 123: not a string"),
    ('subject = "x"\nbody = ["a"]', "body = ['a']: not a string"),
    (f'subject = "x"\nbody = "{"a" * 50_001}"', "body: 50001 characters, at most 50000"),
    ('subject = "x"\nlinks = "https://book365.vn"', "links = 'https://book365.vn': not a list"),
    ('subject = "x"\nlinks = ["ftp://book365.vn"]', "links = 'ftp://book365.vn': not an http(s)"),
    ('subject = "x"\nlinks = ["https://"]', "links = 'https://': not an http(s) URL with a host"),
    ('subject = "x"\nlinks = ["book365.vn"]', "links = 'book365.vn': not an http(s) URL"),
    ('subject = "x"\nlinks = ["https://a b.vn"]', "links = 'https://a b.vn': not an http(s)"),
    ('subject = "x"\nlinks = [""]', "links = '': empty"),
    ('subject = "x"\nlinks = [1]', "links = 1: not a string"),
    (
        'subject = "x"\nlinks = [' + ", ".join(f'"https://a.vn/{i}"' for i in range(21)) + "]",
        "links: 21 links, at most 20",
    ),
    ('subject = "x"\nactions = [" "]', "actions = ' ': empty"),
    ('subject = "x"\nactions = "a"', "actions = 'a': not a list"),
    ('subject = "x"\nto = ["Sở Y tế"]', "to = 'Sở Y tế': not a group or agency code"),
    ('subject = "x"\nto = [true]', "to = true: not a string"),
    (
        'subject = "x"\ndeadline = "2020-13-01"',
        "deadline = '2020-13-01': not a date (use 2020-06-30)",
    ),
    ('subject = "x"\ndeadline = "31/02/2020"', "deadline = '31/02/2020': not a date"),
    ('subject = "x"\ndeadline = 20200630', "deadline = 20200630: not a date"),
    (
        'subject = "x"\ndeadline = 2020-06-30T17:00:00',
        "deadline = 2020-06-30 17:00:00: a date without a time",
    ),
    (
        'subject = "x"\nurgency = "gấp"',
        "urgency = 'gấp': not an urgency (use thuong, khan or hoa-toc)",
    ),
    ('subject = "x"\nurgency = 1', "urgency = 1: not an urgency"),
    ('subject = "x"\nattachment = "cv.pdf"', "attachment = 'cv.pdf': no such file"),
    ('subject = "x"\nattachment = "."', "attachment = '.': not a regular file"),
    ('subject = "x"\nattachment = ""', "attachment = '': not a file path"),
    ('subject = "x"\nattachment = ["a.pdf"]', "attachment = ['a.pdf']: not a file path"),
    ('subject = "x"\nreminders = 5', "reminders = 5: not a table"),
    ('subject = "x"\n[reminders]\nevery = "5x"', "reminders.every = '5x': not a duration"),
    ('subject = "x"\n[reminders]\nfirst_after = 2', "reminders.first_after = 2: not a duration"),
    ('subject = "x"\n[reminders]\nmax_count = -1', "reminders.max_count = -1: not a whole number"),
    ('subject = "x"\n[reminders]\nmax_count = true', "reminders.max_count = true: not a whole"),
    ('subject = "x"\n[reminders]\nmax_count = 1.5', "reminders.max_count = 1.5: not a whole"),
    (
        'subject = "x"\n[reminders]\nevry = "2h"',
        "unknown key 'reminders.evry' (did you mean 'reminders.every'?)",
    ),
]


@pytest.mark.parametrize(("text", "error"), BAD_FILES)
def test_bad_value_is_reported_with_its_key(tmp_path: Path, text: str, error: str) -> None:
    errors = errors_of(write(tmp_path, text))
    assert len(errors) == 1, errors
    assert errors[0].startswith(error), errors


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        'subjet = "V/v x"\n'
        'deadline = "2020-13-01"\n'
        'urgency = "gấp"\n'
        'links = ["ftp://x.vn", "https://ok.vn"]\n'
        'attachment = "missing.pdf"\n'
        "[reminders]\n"
        'every = "5x"\n'
    )
    with pytest.raises(DirectiveInputError) as excinfo:
        read_directive_file(write(tmp_path, text))
    errors = excinfo.value.errors
    assert len(errors) == 7, errors
    assert errors[0] == "unknown key 'subjet' (did you mean 'subject'?)"
    assert "deadline = '2020-13-01': not a date (use 2020-06-30)" in errors
    assert str(excinfo.value) == "; ".join(errors)
    assert all("\n" not in error for error in errors)


def test_attachment_over_telegrams_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as file:
        file.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: no 50 MB written
    errors = errors_of(write(tmp_path, 'subject = "x"\nattachment = "big.pdf"'))
    assert errors == ["attachment = 'big.pdf': 50.0 MB, Telegram accepts at most 50 MB"]


def test_attachment_of_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    with (tmp_path / "max.pdf").open("wb") as file:
        file.truncate(MAX_ATTACHMENT_BYTES)
    draft = read_directive_file(write(tmp_path, 'subject = "x"\nattachment = "max.pdf"'))
    assert draft.attachment == (tmp_path / "max.pdf").resolve()


def test_bad_toml_is_one_error(tmp_path: Path) -> None:
    errors = errors_of(write(tmp_path, 'subject = "x"\nbody = \n'))
    assert len(errors) == 1
    assert errors[0].startswith("not valid TOML: ")
    assert "line 2" in errors[0]


def test_file_that_is_not_utf8_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "letter.toml"
    path.write_bytes('subject = "V/v Cà Mau"'.encode("cp1258"))  # Excel's "ANSI" on Windows
    errors = errors_of(path)
    assert errors == ["not UTF-8 text: byte 0xe0 at offset 16 (save the file as UTF-8)"]


def test_missing_file_is_one_error(tmp_path: Path) -> None:
    errors = errors_of(tmp_path / "nope.toml")
    assert errors[0].startswith(f"cannot read {tmp_path / 'nope.toml'}: ")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unreadable_file_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, 'subject = "x"')
    path.chmod(0)
    assert errors_of(path)[0].startswith("cannot read")


# --- /broadcast text -------------------------------------------------------------------------


def test_first_line_is_the_subject_and_the_rest_the_body() -> None:
    draft = parse_broadcast_text("V/v họp giao ban\n\nKính gửi các đơn vị.\n\nTrân trọng!\n")
    assert draft == DirectiveDraft(
        subject="V/v họp giao ban", body="Kính gửi các đơn vị.\n\nTrân trọng!"
    )


@pytest.mark.parametrize(
    "line",
    [
        "Số: 123/STTTT-TTBCXB",
        "số.123/STTTT-TTBCXB",
        "  SỐ : 123/STTTT-TTBCXB  ",
        "So: 123/STTTT-TTBCXB",
    ],
)
def test_number_line_sets_the_number_and_leaves_the_body(line: str) -> None:
    for text in (
        f"{line}\nV/v họp\nNội dung",
        f"V/v họp\n{line}\nNội dung",
        f"V/v họp\nNội dung\n{line}",
    ):
        draft = parse_broadcast_text(text)
        assert (draft.number, draft.subject, draft.body) == (
            "123/STTTT-TTBCXB",
            "V/v họp",
            "Nội dung",
        )


def test_only_the_first_number_line_is_taken() -> None:
    draft = parse_broadcast_text("Số: 1/A\nV/v x\nSố: 2/B")
    assert (draft.number, draft.body) == ("1/A", "Số: 2/B")


def test_number_line_too_long_for_a_number_stays_in_the_text() -> None:
    line = "Số: " + "1" * 65
    draft = parse_broadcast_text(f"V/v x\n{line}")
    assert (draft.number, draft.body) == (None, line)


def test_lines_that_only_start_like_a_number_are_body() -> None:
    draft = parse_broadcast_text("V/v x\nSố lượng: 52 đơn vị\nSố:\nSông Hậu: 3")
    assert draft.number is None
    assert draft.body == "Số lượng: 52 đơn vị\nSố:\nSông Hậu: 3"


def test_text_is_kept_as_typed() -> None:
    text = "v/v Hội Văn học & Nghệ thuật <tỉnh>\n  <b>không phải</b> markup &amp;\n"
    draft = parse_broadcast_text(text)
    assert draft.subject == "v/v Hội Văn học & Nghệ thuật <tỉnh>"
    assert draft.body == "  <b>không phải</b> markup &amp;"


def test_links_in_subject_and_body_become_buttons() -> None:
    text = (
        "V/v Hội Sách https://book365.vn\n"
        "đăng tải đường link: <https://book365.vn> và (xem https://soctrang.gov.vn/tin).\n"
        "https://vi.wikipedia.org/wiki/Sóc_Trăng_(tỉnh), http://a.vn/x?y=1;"
    )
    assert parse_broadcast_text(text).links == (
        "https://book365.vn",
        "https://soctrang.gov.vn/tin",
        "https://vi.wikipedia.org/wiki/Sóc_Trăng_(tỉnh)",
        "http://a.vn/x?y=1",
    )


@pytest.mark.parametrize("text", ["", " \n\t\n", "Số: 123/STTTT", "\n\nSo: 1\n\n"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(DirectiveInputError) as excinfo:
        parse_broadcast_text(text)
    assert excinfo.value.reason == "empty"


def test_long_subject_and_body_are_refused_with_their_reason() -> None:
    with pytest.raises(DirectiveInputError) as excinfo:
        parse_broadcast_text("x" * 501)
    assert excinfo.value.reason == "subject_too_long"
    assert str(excinfo.value) == "subject: 501 characters, at most 500"
    parse_broadcast_text("x" * 500 + "\n" + "y" * 50_000)
    with pytest.raises(DirectiveInputError) as excinfo:
        parse_broadcast_text("x\n" + "y" * 50_001)
    assert excinfo.value.reason == "body_too_long"


def test_sample_letter_typed_into_telegram() -> None:
    sample = read_directive_file(SAMPLE)
    items = (
        f"Mục 1 (bao-dai): {sample.items[0].text}\n"
        f"Mục 2 (so-gddt; không đăng link): {sample.items[1].text}\n"
        f"Mục 3 (còn lại): {sample.items[2].text}\n"
    )
    text = f"Số: {sample.number}\n{sample.subject}\n\n{sample.body}\n\n{items}"
    draft = parse_broadcast_text(text)
    assert (draft.number, draft.subject, draft.body) == (sample.number, sample.subject, sample.body)
    assert draft.items == sample.items
    assert draft.links == ("https://book365.vn",)


def test_item_lines_run_to_the_next_blank_line_and_keep_the_rest_in_the_body() -> None:
    draft = parse_broadcast_text(
        "V/v ngày sách\nKính gửi các đơn vị.\n\n"
        "muc 1 (bao-dai, dai-ptth): Đăng tin\ntrên trang chủ.\n"
        "MỤC 2 (all): Tuyên truyền nội bộ.\n\n"
        "Trân trọng!"
    )
    assert draft.body == "Kính gửi các đơn vị.\n\n\nTrân trọng!"
    assert [(i.text, i.to) for i in draft.items] == [
        ("Đăng tin\ntrên trang chủ.", ("bao-dai", "dai-ptth")),
        ("Tuyên truyền nội bộ.", ("all",)),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Mục 2 (bao-dai): số thứ tự sai",  # items are numbered 1, 2, 3 … in order
        "Mục 1 (): không có nơi nhận",
        "Mục 1 (Báo Sóc Trăng!): không phải mã",
        "Mục 1 (bao-dai):",
    ],
)
def test_unreadable_item_lines_are_refused_with_their_own_reason(line: str) -> None:
    with pytest.raises(DirectiveInputError) as excinfo:
        parse_broadcast_text(f"V/v x\nNội dung.\n{line}")
    assert excinfo.value.reason == "bad_items"


def test_item_tables_are_checked_key_by_key(tmp_path: Path) -> None:
    errors = errors_of(
        write(
            tmp_path,
            """
        subject = "V/v x"
        [[items]]
        text = ""
        to = ["bao-dai"]
        [[items]]
        to = "bao-dai"
        publish_links = "yes"
        colour = "red"
        [[items]]
        text = "Mục ba"
        to = ["Báo Sóc Trăng"]
        """,
        )
    )
    assert errors == [
        "items[1].text = '': empty",
        "unknown key 'items[2].colour'",
        "items[2].publish_links = 'yes': not true or false",
        'items[2].text: missing (e.g. text = "Đề nghị ...")',
        "items[2].to = 'bao-dai': not a list of recipients (write to = [\"...\"])",
        "items[3].to = 'Báo Sóc Trăng': not a group or agency code (e.g. all, bao-dai, so-y-te, "
        "others)",
    ]


def test_urgency_deadline_and_reminder_lines_set_fields_and_leave_the_body() -> None:
    draft = parse_broadcast_text(
        "V/v ngày sách\nĐộ khẩn: Hỏa tốc\nHạn: 28/11/2026\nNhắc lại: mỗi 2h\nĐăng link."
    )
    assert draft.urgency is Urgency.HOA_TOC
    assert draft.deadline == date(2026, 11, 28)
    assert draft.reminders.every == timedelta(hours=2)
    assert draft.reminders.first_after is None
    assert draft.body == "Đăng link."
    typed_without_accents = parse_broadcast_text("V/v x\ndo khan: khan\nhan bao cao: 2026-12-01")
    assert typed_without_accents.urgency is Urgency.KHAN
    assert typed_without_accents.deadline == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Độ khẩn: rất gấp", "bad_urgency"),
        ("Hạn: tuần sau", "bad_deadline"),
        ("Nhắc lại: thường xuyên", "bad_every"),
    ],
)
def test_unreadable_field_lines_are_refused_with_their_reason(line: str, reason: str) -> None:
    with pytest.raises(DirectiveInputError) as caught:
        parse_broadcast_text(f"V/v ngày sách\n{line}\nNội dung")
    assert caught.value.reason == reason


@given(st.text())
def test_any_text_gives_a_draft_or_a_known_reason(text: str) -> None:
    refused: DirectiveInputError | None = None
    try:
        draft = parse_broadcast_text(text)
    except DirectiveInputError as exc:
        refused = exc
    if refused is not None:
        assert refused.reason in BROADCAST_REASONS
        assert refused.errors
        return
    assert draft.subject
    assert draft.subject == draft.subject.strip()
    assert "\n" not in draft.subject
    assert len(draft.subject) <= 500
    assert draft.number is None or 0 < len(draft.number) <= 64
    assert all(is_web_url(link) for link in draft.links)
    assert len(set(draft.links)) == len(draft.links) <= 20


# --- links -----------------------------------------------------------------------------------


def test_extract_links_strips_trailing_punctuation_and_duplicates() -> None:
    text = "Xem <https://book365.vn>, https://book365.vn. và “https://a.vn/b”; HTTPS://C.VN!"
    assert extract_links(text) == ["https://book365.vn", "https://a.vn/b", "HTTPS://C.VN"]


def test_extract_links_ignores_urls_without_a_host() -> None:
    assert extract_links("http:// https://:80 ftp://a.vn mailto:a@b.vn") == []


@given(st.text())
def test_extracted_links_are_button_urls_found_in_the_text(text: str) -> None:
    links = extract_links(text)
    assert len(set(links)) == len(links)
    for link in links:
        assert is_web_url(link)
        assert link in text
