"""Tests for bot.onboarding.roster_file: the sample roster, every rejection, the file formats."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.onboarding.roster_file import (
    CODE_RE,
    GROUP_RE,
    RosterError,
    RosterFileError,
    RosterRow,
    read_roster,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "agencies.csv"
GROUPS = {
    "so-nganh",
    "ubnd-huyen",
    "bao-dai",
    "hoi",
    "co-so-in",
    "truong-hoc",
    "phong-gddt",
    "ubnd-xa",
}
HEADER = "code,name,group,parent\n"


def write(tmp_path: Path, text: str, name: str = "roster.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(RosterFileError) as info:
        read_roster(path, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == "\n".join(e.message for e in info.value.errors)
    return [e.message for e in info.value.errors]


# --- the shipped example ----------------------------------------------------------------


def test_example_roster_parses_cleanly() -> None:
    rows = read_roster(EXAMPLE)
    assert 150 <= len(rows) <= 200
    assert len({r.code for r in rows}) == len(rows)
    assert [r.line for r in rows] == list(range(2, len(rows) + 2))


def test_example_roster_has_the_eleven_district_committees() -> None:
    districts = [r for r in read_roster(EXAMPLE) if r.group == "ubnd-huyen"]
    assert len(districts) == 11
    names = " ".join(r.name for r in districts)
    for place in ("Sóc Trăng", "Vĩnh Châu", "Ngã Năm", "Kế Sách", "Mỹ Tú", "Cù Lao Dung"):
        assert place in names
    for place in ("Long Phú", "Mỹ Xuyên", "Thạnh Trị", "Châu Thành", "Trần Đề"):
        assert place in names


def test_example_roster_has_newspaper_and_radio_and_every_group() -> None:
    rows = {r.code: r for r in read_roster(EXAMPLE)}
    assert rows["bao-soc-trang"].group == "bao-dai"
    assert rows["bao-soc-trang"].name == "Báo Sóc Trăng"
    assert rows["dai-ptth"].group == "bao-dai"
    assert rows["hoi-vhnt"].name == "Hội Văn học - Nghệ thuật tỉnh Sóc Trăng"
    assert {r.group for r in rows.values()} == GROUPS


def test_example_roster_lists_parents_first_and_omits_the_sender() -> None:
    rows = read_roster(EXAMPLE)
    seen: set[str] = set()
    for row in rows:
        assert row.parent is None or row.parent in seen, row
        seen.add(row.code)
    assert sum(r.parent is not None and r.group == "so-nganh" for r in rows) >= 3
    assert not any("Thông tin và Truyền thông" in r.name for r in rows)
    assert any("&" in r.name for r in rows)  # exercises HTML escaping downstream


def test_example_roster_has_the_education_subtree_and_communes() -> None:
    """Sở GD&ĐT: its 11 district offices, schools under them (THPT under the Sở itself);
    two district committees with their communes and wards: a tree three levels deep."""
    rows = {r.code: r for r in read_roster(EXAMPLE)}
    offices = [r for r in rows.values() if r.parent == "so-gddt" and r.group == "phong-gddt"]
    assert len(offices) == 11
    assert all(r.name.startswith("Phòng Giáo dục và Đào tạo ") for r in offices)
    places = " ".join(r.name for r in offices)
    for place in ("Sóc Trăng", "Châu Thành", "Kế Sách", "Mỹ Tú", "Cù Lao Dung", "Long Phú"):
        assert place in places
    for place in ("Mỹ Xuyên", "Ngã Năm", "Thạnh Trị", "Vĩnh Châu", "Trần Đề"):
        assert place in places
    office_codes = {r.code for r in offices}
    schools = [r for r in rows.values() if r.parent in office_codes]
    assert len(schools) >= 60
    assert all(r.group == "truong-hoc" for r in schools)
    kinds = ("Trường Mầm non ", "Trường Tiểu học ", "Trường THCS ")
    assert all(r.name.startswith(kinds) for r in schools)
    assert {kind for kind in kinds if any(r.name.startswith(kind) for r in schools)} == set(kinds)
    assert rows["th-my-xuyen-a-mx"].name == "Trường Tiểu học Mỹ Xuyên A"
    upper = [r for r in rows.values() if r.name.startswith("Trường THPT")]
    assert upper
    assert all(r.parent == "so-gddt" for r in upper)
    assert rows["thpt-hoang-dieu"].name == "Trường THPT Hoàng Diệu"
    communes = [r for r in rows.values() if r.group == "ubnd-xa"]
    assert {r.parent for r in communes} == {"ubnd-tp-soc-trang", "ubnd-chau-thanh"}
    assert all(
        r.name.startswith(("UBND xã ", "UBND phường ", "UBND Phường ", "UBND thị trấn "))
        for r in communes
    )


def test_example_roster_is_nfc_utf8_without_bom() -> None:
    data = EXAMPLE.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert unicodedata.is_normalized("NFC", data.decode("utf-8"))


# --- formats ----------------------------------------------------------------------------


def test_reads_a_simple_csv(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "so-y-te,Sở Y tế,so-nganh,\ncdc,CDC,so-nganh,so-y-te\n")
    assert read_roster(path) == [
        RosterRow(2, "so-y-te", "Sở Y tế", "so-nganh", None),
        RosterRow(3, "cdc", "CDC", "so-nganh", "so-y-te"),
    ]


def test_parent_column_is_optional(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group\nso-y-te,Sở Y tế,so-nganh\n")
    assert read_roster(path) == [RosterRow(2, "so-y-te", "Sở Y tế", "so-nganh", None)]


def test_bom_and_semicolons_and_crlf_from_excel(tmp_path: Path) -> None:
    text = (
        "\ufeffCode;Name;Group;Parent;;\r\n"
        "so-vhttdl;Sở Văn hóa, Thể thao và Du lịch;so-nganh;;;\r\n"
    )
    rows = read_roster(write(tmp_path, text))
    assert rows == [RosterRow(2, "so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "so-nganh", None)]


def test_tab_separated_text(tmp_path: Path) -> None:
    path = write(tmp_path, "code\tname\tgroup\nbao-soc-trang\tBáo Sóc Trăng\tbao-dai\n")
    assert read_roster(path)[0].name == "Báo Sóc Trăng"


def test_header_is_case_insensitive_and_trimmed_and_cells_are_trimmed(tmp_path: Path) -> None:
    text = " CODE , Name ,GROUP, parent\n  so-y-te ,\u00a0Sở Y tế\u200b , so-nganh ,  \n"
    assert read_roster(write(tmp_path, text)) == [
        RosterRow(2, "so-y-te", "Sở Y tế", "so-nganh", None)
    ]


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "a,A,g,\n", name="ROSTER.CSV")
    assert read_roster(path)[0].code == "a"


def test_names_are_normalised_to_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Hội Nông dân tỉnh")
    rows = read_roster(write(tmp_path, HEADER + f"hnd,{decomposed},so-nganh,\n"))
    assert rows[0].name == "Hội Nông dân tỉnh"


def test_blank_rows_are_skipped_but_keep_line_numbers(tmp_path: Path) -> None:
    text = "\n" + HEADER + " , , ,\nso-y-te,Sở Y tế,so-nganh,\n\n,,,\nbad code,X,g,\n"
    assert errors_of(write(tmp_path, text)) == [
        "line 7: invalid code 'bad code' (use lowercase letters, digits, '-', '_' or '.')"
    ]


def test_quoted_line_break_keeps_later_line_numbers_physical(tmp_path: Path) -> None:
    text = HEADER + 'a,"two\nlines",g,\nb,B,g,\nc,,g,\n'
    assert errors_of(write(tmp_path, text)) == [
        "line 2: name 'two\nlines' contains a line break or control character",
        "line 5: empty name",
    ]


def test_reads_xlsx_with_numbers_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Name", "Group", "Parent"])
    sheet.append([7, "Sở Y tế", "so-nganh", None])
    sheet.append([None, None, None, None])
    sheet.append([8.0, "  Hội Văn học - Nghệ thuật tỉnh Sóc Trăng ", "hoi", 7])
    workbook.create_sheet("ignored").append(["not", "a", "header"])
    workbook.save(path)
    assert read_roster(path) == [
        RosterRow(2, "7", "Sở Y tế", "so-nganh", None),
        RosterRow(4, "8", "Hội Văn học - Nghệ thuật tỉnh Sóc Trăng", "hoi", "7"),
    ]


def test_xlsx_errors_use_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "group"])
    sheet.append(["so-y-te", "Sở Y tế", "so-nganh"])
    sheet["A5"], sheet["B5"], sheet["C5"] = "so-y-te", "Sở Y tế", "so-nganh"
    workbook.save(path)
    assert errors_of(path) == ["line 5: duplicate code 'so-y-te' (first on line 2)"]


def test_corrupt_xlsx_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "this is not a zip", name="roster.xlsx")
    (message,) = errors_of(path)
    assert "cannot read roster.xlsx as an .xlsx workbook" in message


def test_xlsx_renamed_to_csv_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "name", "group"])
    workbook.save(path)
    assert errors_of(path) == ["the file is an Excel workbook named .csv: rename it to .xlsx"]


# --- whole-file rejections ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1258", "cp1252"])
def test_legacy_encoding_is_rejected_with_its_line(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, HEADER + "a,A,g,\nns,Nhà sách,co-so-in,\n", encoding=encoding)
    (message,) = errors_of(path)
    assert message.startswith("line 3: the file is not UTF-8 text")
    assert "CSV UTF-8" in message


def test_encoding_error_line_counts_past_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + "a,Nhà,g,\n".encode("cp1252"))
    (message,) = errors_of(path)
    assert message.startswith("line 2: the file is not UTF-8 text (byte 0xe0)")


def test_utf16_text_is_rejected(tmp_path: Path) -> None:
    (message,) = errors_of(write(tmp_path, "\ufeff" + HEADER, encoding="utf-16-le"))
    assert "UTF-16" in message
    assert "CSV UTF-8" in message


@pytest.mark.parametrize("name", ["roster.xls", "roster.txt", "roster"])
def test_unsupported_extension_is_rejected(tmp_path: Path, name: str) -> None:
    (message,) = errors_of(write(tmp_path, HEADER, name=name))
    assert message.startswith("unsupported file type")
    assert message.endswith("use .csv or .xlsx")
    if name == "roster.xls":
        assert message == "unsupported file type '.xls': use .csv or .xlsx"


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    (message,) = errors_of(tmp_path / "nowhere.csv")
    assert message.startswith("file not found:")


@pytest.mark.parametrize("text", ["", "\ufeff", "\n \n,,,\n"])
def test_empty_file_is_rejected(tmp_path: Path, text: str) -> None:
    (message,) = errors_of(write(tmp_path, text))
    assert message.startswith("the file is empty")


def test_header_without_rows_is_rejected(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "\n")) == ["line 1: no agencies below the header"]


def test_unknown_column_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,xyz\nbad code,,,\n")
    assert errors_of(path) == [
        "line 1: unknown column 'xyz' (expected code,name,group[,parent])"
    ]  # the rows are not checked against a wrong header


def test_missing_column_is_named(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, "code,name,parent\na,A,\n")) == [
        "line 1: missing column 'group' (expected code,name,group[,parent])"
    ]


def test_duplicate_column_is_rejected(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, "code,name,group,Name\na,A,g,B\n")) == [
        "line 1: duplicate column 'name'"
    ]


# --- row rejections -----------------------------------------------------------------------


def test_missing_code(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + ",Sở Y tế,so-nganh,\n")) == ["line 2: missing code"]


def test_invalid_code(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "a,A,g,\nSở Y tế,Sở Y tế,so-nganh,\n")) == [
        "line 3: invalid code 'Sở Y tế' (use lowercase letters, digits, '-', '_' or '.')"
    ]


@pytest.mark.parametrize("code", ["So-y-te", "-so", "a b", "a/b", "đ"])
def test_invalid_code_shapes(tmp_path: Path, code: str) -> None:
    (message,) = errors_of(write(tmp_path, HEADER + f"{code},X,g,\n"))
    assert message.startswith(f"line 2: invalid code '{code}'")


def test_too_long_code(tmp_path: Path) -> None:
    (message,) = errors_of(write(tmp_path, HEADER + "a" * 65 + ",X,g,\n"))
    assert message.startswith("line 2: code 'aaaa")
    assert "is too long (65 characters, at most 64)" in message
    assert read_roster(write(tmp_path, HEADER + "a" * 64 + ",X,g,\n"))[0].code == "a" * 64


def test_empty_name(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "a,A,g,\nb, ,g,\n")) == ["line 3: empty name"]


def test_too_long_name(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "a," + "á" * 256 + ",g,\n")) == [
        "line 2: name is too long (256 characters, at most 255)"
    ]
    assert read_roster(write(tmp_path, HEADER + "a," + "á" * 255 + ",g,\n"))[0].name == "á" * 255


def test_missing_group(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "a,A,,\n")) == ["line 2: missing group"]


@pytest.mark.parametrize("group", ["Sở ngành", "so_nganh", "-x", "g" * 33])
def test_invalid_group(tmp_path: Path, group: str) -> None:
    (message,) = errors_of(write(tmp_path, HEADER + f"a,A,{group},\n"))
    assert message.startswith("line 2: invalid group '")
    assert "(use lowercase letters, digits and '-', at most 32 characters)" in message


def test_duplicate_code_names_both_lines(tmp_path: Path) -> None:
    text = HEADER + "so-y-te,Sở Y tế,so-nganh,\na,A,g,\nso-y-te,Sở Y tế tỉnh,so-nganh,\n"
    assert errors_of(write(tmp_path, text)) == [
        "line 4: duplicate code 'so-y-te' (first on line 2)"
    ]


def test_unknown_parent(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "a,A,g,\nb,B,g,x\n")) == [
        "line 3: unknown parent 'x'"
    ]


def test_parent_may_be_a_known_database_code(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "thu-vien,Thư viện tỉnh,so-nganh,so-vhttdl\n")
    assert read_roster(path, known_codes={"so-vhttdl"})[0].parent == "so-vhttdl"


def test_parent_may_come_after_its_child(tmp_path: Path) -> None:
    rows = read_roster(write(tmp_path, HEADER + "cdc,CDC,g,so-y-te\nso-y-te,Sở Y tế,g,\n"))
    assert [r.code for r in rows] == ["cdc", "so-y-te"]


def test_row_cannot_be_its_own_parent(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, HEADER + "a,A,g,a\n")) == [
        "line 2: 'a' cannot be its own parent"
    ]


def test_parent_cycle_in_the_file(tmp_path: Path) -> None:
    text = HEADER + "x,X,g,\na,A,g,c\nb,B,g,a\nc,C,g,b\n"
    assert errors_of(write(tmp_path, text)) == ["line 3: parent cycle: a → c → b → a"]


def test_parent_cycle_through_the_database(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "a,A,g,db\n")
    (message,) = errors_of(path, known_codes={"db": "a"})
    assert message == "line 2: parent cycle: a → db → a"
    assert read_roster(path, known_codes={"db": None})[0].parent == "db"


def test_unquoted_comma_in_name_is_explained(tmp_path: Path) -> None:
    text = HEADER + "so-vhttdl,Sở Văn hóa, Thể thao và Du lịch,so-nganh,\nc,C,g,so-vhttdl\n"
    assert errors_of(write(tmp_path, text)) == [
        "line 2: 5 fields but the header has 4 (put names containing ',' or ';' in double quotes)"
    ]


def test_value_in_a_column_without_header_is_rejected(tmp_path: Path) -> None:
    text = "code,name,group,,\na,A,g,,\nb,B,g,,stray\n"
    assert errors_of(write(tmp_path, text)) == [
        "line 3: value 'stray' is in a column without a header"
    ]


def test_all_errors_are_reported_sorted_by_line(tmp_path: Path) -> None:
    text = HEADER + "\n".join(
        [
            "ok,OK,g,",  # 2
            "a,A,g,nope",  # 3: unknown parent (found after the row loop)
            ",B,g,",  # 4
            "ok,,,",  # 5: duplicate, empty name, missing group
            "C,C,g,",  # 6
        ]
    )
    with pytest.raises(RosterFileError) as info:
        read_roster(write(tmp_path, text))
    assert info.value.errors == [
        RosterError(3, "line 3: unknown parent 'nope'"),
        RosterError(4, "line 4: missing code"),
        RosterError(5, "line 5: duplicate code 'ok' (first on line 2)"),
        RosterError(5, "line 5: empty name"),
        RosterError(5, "line 5: missing group"),
        RosterError(6, "line 6: invalid code 'C' (use lowercase letters, digits, '-', '_' or '.')"),
    ]


def test_huge_cells_are_shortened_in_messages(tmp_path: Path) -> None:
    (message,) = errors_of(write(tmp_path, HEADER + "A" * 5000 + ",X,g,\n"))
    assert len(message) < 150


# --- property -----------------------------------------------------------------------------

_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọ"
_ALPHABET = st.one_of(
    st.sampled_from(_LETTERS + _LETTERS.upper() + " ,;\"'&<>-/()"),
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
)
_names = (
    st.text(_ALPHABET, min_size=1, max_size=80)
    .map(lambda s: unicodedata.normalize("NFC", s.strip().strip("\u200b\u200c\u200d\u2060\ufeff")))
    .filter(lambda s: bool(s) and s == unicodedata.normalize("NFC", s.strip()))
)


@st.composite
def _rosters(draw: st.DrawFn) -> list[tuple[str, str, str, str | None]]:
    codes = draw(
        st.lists(st.from_regex(CODE_RE, fullmatch=True), min_size=1, max_size=12, unique=True)
    )
    rows = []
    for i, code in enumerate(codes):
        parent = draw(st.none() | st.sampled_from(codes[:i])) if i else None
        group = draw(st.from_regex(GROUP_RE, fullmatch=True))
        rows.append((code, draw(_names), group, parent))
    return rows


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=_rosters(), delimiter=st.sampled_from([",", ";"]), bom=st.booleans())
def test_valid_rows_written_to_csv_read_back_identically(
    tmp_path: Path, roster: list[tuple[str, str, str, str | None]], delimiter: str, bom: bool
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["code", "name", "group", "parent"])
    writer.writerows([(c, n, g, p or "") for c, n, g, p in roster])
    path = write(tmp_path, ("\ufeff" if bom else "") + buffer.getvalue())
    rows = read_roster(path)
    assert [(r.code, r.name, r.group, r.parent) for r in rows] == roster
    assert [r.line for r in rows] == list(range(2, len(roster) + 2))


def test_group_counts_of_the_example() -> None:
    counts = Counter(r.group for r in read_roster(EXAMPLE))
    assert counts["ubnd-huyen"] == 11
    assert counts["bao-dai"] >= 2
    assert min(counts.values()) >= 2


def test_too_many_rows_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.onboarding.roster_file.MAX_ROWS", 3)
    text = HEADER + "".join(f"a{i},A,g,\n\n" for i in range(3))
    assert len(read_roster(write(tmp_path, text))) == 3  # blank lines do not count
    (message,) = errors_of(write(tmp_path, text + "z,Z,g,\n"))
    assert message == "the file has more than 3 rows; is it the right file?"
