"""The official report (DOCX, Nghị định 30/2020/NĐ-CP): opened with python-docx and read
in order as a clerk reads it, with the figures of the known campaign (summary_scenario)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import docx
import pytest
from docx.document import Document
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import OrganizationSettings, Settings, settings_from_mapping
from bot.reports.official import RelayRollup, build_official_report, day_in_words, sort_key
from bot.reports.summary import Report, load_report
from db.models import Directive
from tests.summary_scenario import NOW, PAGE, TZ, build_campaign

ORGANIZATION = Settings().organization


@pytest.fixture
async def report(sessionmaker: async_sessionmaker[AsyncSession]) -> Report:
    directive_id = await build_campaign(sessionmaker)
    async with sessionmaker() as session:
        return await load_report(session, directive_id, NOW, TZ, group_names=Settings().groups)


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def blocks(document: Document) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables, in the order they stand on the page."""
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            yield Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield Table(child, document)


def lines(document: Document) -> list[str]:
    """Every non-empty line of text in order; a table row is one line, cells joined by |."""
    found: list[str] = []
    for block in blocks(document):
        if isinstance(block, Paragraph):
            if block.text.strip():
                found.append(block.text)
            continue
        for row in block.rows:
            cells = []
            for cell in row.cells:
                text = "\n".join(p.text for p in cell.paragraphs if p.text)
                if text and text not in cells:
                    cells.append(text)
            if cells:
                found.append(" | ".join(cells))
    return found


def in_order(found: list[str], expected: list[str]) -> None:
    """Each expected line is a line of the document, after the previous one."""
    position = 0
    for line in expected:
        try:
            position = found.index(line, position) + 1
        except ValueError:
            shown = "\n".join(found)
            raise AssertionError(f"missing or out of order: {line!r}\nin:\n{shown}") from None


def run_of(document: Document, text: str) -> Run:
    for block in blocks(document):
        paragraphs = (
            [block]
            if isinstance(block, Paragraph)
            else [p for row in block.rows for cell in row.cells for p in cell.paragraphs]
        )
        for paragraph in paragraphs:
            for run in paragraph.runs:
                if run.text == text:
                    return run
    raise AssertionError(f"no run {text!r}")


async def test_the_report_has_every_part_in_order_with_the_campaigns_figures(
    report: Report,
) -> None:
    document = open_docx(build_official_report(report, ORGANIZATION))
    found = lines(document)
    in_order(
        found,
        [
            # The heading: who issues it | Quốc hiệu and Tiêu ngữ; số | place and date.
            "UBND TỈNH SÓC TRĂNG\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG"
            " | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
            "Số:        /BC-STTTT-TTBCXB | Sóc Trăng, ngày 25 tháng 4 năm 2026",
            "BÁO CÁO",
            "Kết quả triển khai Công văn số 123/STTTT-TTBCXB ngày 20/04/2026"
            " về việc hưởng ứng Ngày Sách Việt Nam",
            "I. NỘI DUNG CÔNG VĂN",
            "Ngày 20/04/2026, Công văn số 123/STTTT-TTBCXB về việc hưởng ứng Ngày Sách Việt Nam"
            " (nơi nhận: 4 cơ quan, đơn vị) được gửi qua Telegram, kèm các nút «Đã nhận» và"
            " «Báo cáo kết quả» để đơn vị xác nhận đã nhận và báo cáo kết quả thực hiện kèm"
            " minh chứng.",
            "Đường link cần đăng tải trên trang thông tin điện tử của đơn vị: https://book365.vn.",
            "Thời hạn báo cáo kết quả: ngày 23/04/2026.",
            "II. KẾT QUẢ TRIỂN KHAI",
            "Số liệu tính đến 10 giờ 00 ngày 25/04/2026:",
            "1. Tiếp nhận: công văn đã được gửi tới 3/4 cơ quan, đơn vị (75%); 2 đơn vị đã xác"
            " nhận đã nhận (50%). 1 đơn vị chưa gửi được do chưa có cán bộ đầu mối đăng ký nhận"
            " công văn hoặc không liên lạc được.",
            "2. Thực hiện: 1 đơn vị đã báo cáo hoàn thành (25%), trong đó 1 đơn vị có minh"
            " chứng đã được xác minh (trang thông tin điện tử của đơn vị có đường link theo yêu"
            " cầu), 0 đơn vị có minh chứng chưa xác minh được.",
            "3. Quá hạn: 3 đơn vị (75%) chưa hoàn thành khi đã hết thời hạn báo cáo"
            " (ngày 23/04/2026).",
            "Kết quả theo nhóm cơ quan, đơn vị:",
            "STT | Nhóm cơ quan, đơn vị | Số đơn vị | Đã nhận | Hoàn thành",
            "1 | Báo, đài | 2 | 1 (50%) | 0 (0%)",
            "2 | Hội, đoàn thể | 1 | 0 (0%)",  # identical cells are shown once
            "3 | Sở, ban, ngành | 1 | 1 (100%)",
            "Tổng cộng | 4 | 2 (50%) | 1 (25%)",
            "III. CÁC CƠ QUAN, ĐƠN VỊ CHƯA HOÀN THÀNH",
            "Còn 3 cơ quan, đơn vị chưa hoàn thành:",
            # By what is missing, the most pressing first; each band in the roster's order.
            "STT | Tên cơ quan, đơn vị | Nhóm cơ quan, đơn vị | Ghi chú",
            "Chưa xác nhận đã nhận: 1 đơn vị",
            "1 | Báo Sóc Trăng | Báo, đài | quá hạn; đã nhắc 2 lần",
            "Đã nhận, chưa báo cáo kết quả: 1 đơn vị",
            "2 | Đài Phát thanh và Truyền hình tỉnh | Báo, đài | quá hạn; đã nhắc 1 lần",
            "Không gửi được: 1 đơn vị",
            "3 | Hội Nông dân tỉnh | Hội, đoàn thể | chưa có cán bộ đầu mối đăng ký; quá hạn",
            "Trên đây là báo cáo kết quả triển khai Công văn số 123/STTTT-TTBCXB./.",
            # Nơi nhận on the left, the signer on the right.
            "Nơi nhận:\n- UBND tỉnh (để báo cáo);\n- Giám đốc Sở (để báo cáo);\n- Lưu: VT, TTBCXB."
            " | KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nLê Hoàng Bắc",
            # The appendix: every unit, its status, its times and its evidence.
            "Phụ lục",
            "TÌNH HÌNH TIẾP NHẬN VÀ THỰC HIỆN CÔNG VĂN SỐ 123/STTTT-TTBCXB",
            "(Kèm theo Báo cáo số        /BC-STTTT-TTBCXB ngày 25/04/2026)",
            "STT | Tên cơ quan, đơn vị | Nhóm cơ quan, đơn vị | Tình hình thực hiện"
            " | Thời điểm nhận | Thời điểm hoàn thành | Minh chứng",
            "1 | Báo Sóc Trăng | Báo, đài | Chưa xác nhận đã nhận (quá hạn); đã nhắc 2 lần",
            "2 | Đài Phát thanh và Truyền hình tỉnh | Báo, đài | Đã nhận, chưa báo cáo kết quả"
            " (quá hạn); đã nhắc 1 lần | 21/04/2026\n09:30"
            " | Sở xác nhận thủ công: đã xác nhận qua điện thoại",
            "3 | Hội Nông dân tỉnh | Hội, đoàn thể"
            " | Không gửi được: chưa có cán bộ đầu mối đăng ký (quá hạn)",
            "4 | Sở Y tế | Sở, ban, ngành | Hoàn thành"
            " | 20/04/2026\n10:00 | 22/04/2026\n14:15"
            f" | {PAGE} | Đã đăng tin trên trang chủ\n(đã xác minh)",
        ],
    )
    assert not any("Chuyển tiếp" in line for line in found)  # no relaying: no such section
    assert not any(slug in "\n".join(found) for slug in ("so-nganh", "bao-dai", "verified"))


async def test_the_heading_is_set_as_the_decree_asks(report: Report) -> None:
    document = open_docx(build_official_report(report, ORGANIZATION))
    issuer = run_of(document, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
    assert issuer.bold
    # The short rule under the issuing body: a bordered paragraph narrower than the column.
    heading = next(block for block in blocks(document) if isinstance(block, Table))
    left = heading.cell(0, 0).paragraphs
    below = left[[p.text for p in left].index("SỞ THÔNG TIN VÀ TRUYỀN THÔNG") + 1]
    assert below._p.find(".//{*}pBdr/{*}bottom") is not None
    assert below.paragraph_format.left_indent
    motto = run_of(document, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold
    assert motto.underline
    assert run_of(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold
    assert run_of(document, "Sóc Trăng, ngày 25 tháng 4 năm 2026").italic
    assert run_of(document, "BÁO CÁO").bold
    assert run_of(document, "Nơi nhận:").italic
    assert run_of(document, "Lê Hoàng Bắc").bold
    assert document.core_properties.title == (
        "Báo cáo kết quả triển khai Công văn số 123/STTTT-TTBCXB"
    )


async def test_a4_the_decrees_margins_and_times_new_roman(report: Report) -> None:
    document = open_docx(build_official_report(report, ORGANIZATION))
    first, appendix = document.sections

    def mm(length: object) -> float:  # Word keeps twentieths of a point: compare in mm
        assert isinstance(length, int)
        return round(length / Mm(1), 1)

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)
    assert (mm(appendix.page_width), mm(appendix.page_height)) == (297, 210)  # landscape
    for section in (first, appendix):
        assert 20 <= mm(section.top_margin) <= 25
        assert 20 <= mm(section.bottom_margin) <= 25
        assert 30 <= mm(section.left_margin) <= 35
        assert 15 <= mm(section.right_margin) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{a}") for a in ("ascii", "hAnsi", "cs")} == {
        "Times New Roman"
    }
    # No run picks another font; the text is 13–14 pt, Quốc hiệu 12, Nơi nhận 11–12.
    recipients = {"Nơi nhận:", *(f"- {line}" for line in ORGANIZATION.recipients)}
    for block in blocks(document):
        paragraphs = (
            [block]
            if isinstance(block, Paragraph)
            else [p for row in block.rows for cell in row.cells for p in cell.paragraphs]
        )
        for run in (r for p in paragraphs for r in p.runs if r.text.strip()):
            assert run.font.name is None, run.text
            size = run.font.size or normal.font.size
            if run.text in recipients:
                assert Pt(11) <= size <= Pt(12), run.text
            elif run.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM":
                assert size == Pt(12)
            else:
                assert Pt(13) <= size <= Pt(14), run.text
    # Page numbers at the top, centred, not on the first page.
    assert first.different_first_page_header_footer
    assert 'w:instr="PAGE"' in first.header._element.xml


async def test_relays_and_their_subtrees_when_relaying_exists(report: Report) -> None:
    relays = [
        RelayRollup(
            "Sở Giáo dục và Đào tạo", datetime(2026, 4, 20, 3, 0, tzinfo=UTC), 120, 80, 40, 10
        ),
        RelayRollup(
            "Phòng GD&ĐT huyện Kế Sách",
            datetime(2026, 4, 21, 1, 30, tzinfo=UTC),
            30,
            20,
            5,
            3,
            level=2,
        ),
        RelayRollup("UBND huyện Trần Đề", None, 11, 0, 0, 0),
    ]
    found = lines(open_docx(build_official_report(report, ORGANIZATION, relays=relays)))
    in_order(
        found,
        [
            "3. Quá hạn: 3 đơn vị (75%) chưa hoàn thành khi đã hết thời hạn báo cáo"
            " (ngày 23/04/2026).",
            "4. Chuyển tiếp: 1 đơn vị đã chuyển tiếp công văn tới các đơn vị trực thuộc;"
            " kết quả của từng đơn vị và các đơn vị trực thuộc:",
            "STT | Đơn vị chuyển tiếp | Thời điểm chuyển tiếp | Số đơn vị | Đã nhận | Hoàn thành"
            " | Quá hạn",
            "1 | Sở Giáo dục và Đào tạo | 20/04/2026 10:00 | 120 | 80 | 40 | 10",
            "2 | – Phòng GD&ĐT huyện Kế Sách | 21/04/2026 08:30 | 30 | 20 | 5 | 3",
            "3 | UBND huyện Trần Đề | chưa chuyển tiếp | 11 | 0",
            "III. CÁC CƠ QUAN, ĐƠN VỊ CHƯA HOÀN THÀNH",
        ],
    )
    none = lines(open_docx(build_official_report(report, ORGANIZATION, relays=[])))
    assert (
        "4. Chuyển tiếp: chưa có đơn vị nào chuyển tiếp công văn tới các đơn vị trực thuộc." in none
    )


async def test_names_with_markup_and_formula_characters_stay_text(report: Report) -> None:
    names = [
        "Cơ sở in Quang & Minh",
        "<b>Công ty</b> TNHH Sách",
        '=HYPERLINK("http://x.vn","bấm")',
        "Hội\x07 Nông dân",  # a control character XML cannot carry
    ]
    rows = [replace(row, name=name) for row, name in zip(report.rows, names, strict=True)]
    organization = ORGANIZATION.model_copy(update={"signer": "Trần Văn <A> & B"})
    data = build_official_report(replace(report, rows=rows), organization)
    found = "\n".join(lines(open_docx(data)))
    for name in names[:3]:
        assert name in found
    assert "Hội Nông dân" in found
    assert "Trần Văn <A> & B" in found
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Quang &amp; Minh" in xml
    assert "&lt;b&gt;Công ty&lt;/b&gt;" in xml
    assert "instrText" not in xml
    assert "fldSimple" not in xml


async def test_a_letter_with_no_deadline_has_nobody_overdue(
    sessionmaker: async_sessionmaker[AsyncSession], report: Report
) -> None:
    async with sessionmaker.begin() as session:
        await session.execute(update(Directive).values(deadline=None))
    async with sessionmaker() as session:
        plain = await load_report(session, report.directive.id, NOW, TZ)
    found = lines(open_docx(build_official_report(plain, ORGANIZATION)))
    in_order(
        found,
        [
            "Công văn không quy định thời hạn báo cáo kết quả.",
            "3. Công văn không quy định thời hạn nên không có đơn vị quá hạn.",
            "1 | Báo Sóc Trăng | bao-dai | đã nhắc 2 lần",
        ],
    )
    assert not any("quá hạn)" in line or "Quá hạn:" in line for line in found)
    # Without [groups] names, a group is shown as its slug rather than dropped.
    assert "1 | bao-dai | 2 | 1 (50%) | 0 (0%)" in found


async def test_what_the_letter_asked_is_listed(report: Report) -> None:
    assert report.letter is not None
    actions = ["Tuyên truyền về Hội Sách trực tuyến", "Đăng tải đường link https://book365.vn"]
    asked = replace(report, letter=replace(report.letter, actions=actions))
    in_order(
        lines(open_docx(build_official_report(asked, ORGANIZATION))),
        [
            "I. NỘI DUNG CÔNG VĂN",
            "Công văn đề nghị các cơ quan, đơn vị:",
            "- Tuyên truyền về Hội Sách trực tuyến;",
            "- Đăng tải đường link https://book365.vn.",
            "Đường link cần đăng tải trên trang thông tin điện tử của đơn vị: https://book365.vn.",
            "II. KẾT QUẢ TRIỂN KHAI",
        ],
    )


async def test_before_the_deadline_nobody_is_overdue_yet(report: Report) -> None:
    early = replace(report, now=datetime(2026, 4, 22, 3, 0, tzinfo=UTC))
    found = lines(open_docx(build_official_report(early, ORGANIZATION)))
    assert "3. Thời hạn báo cáo (ngày 23/04/2026) chưa hết; chưa có đơn vị quá hạn." in found
    assert "Sóc Trăng, ngày 22 tháng 4 năm 2026" in "\n".join(found)


async def test_the_organization_comes_from_the_config(report: Report) -> None:
    organization = settings_from_mapping(
        {
            "organization": {
                "parent_body": "",
                "name": "Sở Thông tin và Truyền thông Cần Thơ",
                "symbol": "STTTT",
                "place": "Cần Thơ",
                "signer": "Nguyễn Văn Bình",
                "signer_title": "GIÁM ĐỐC",
                "recipients": ["Bộ Thông tin và Truyền thông;", "Lưu: VT."],
            }
        }
    ).organization
    found = lines(open_docx(build_official_report(report, organization)))
    text = "\n".join(found)
    assert "UBND TỈNH" not in text
    assert found[0].startswith("SỞ THÔNG TIN VÀ TRUYỀN THÔNG CẦN THƠ | ")
    assert "Số:        /BC-STTTT | Cần Thơ, ngày 25 tháng 4 năm 2026" in found
    assert "Nơi nhận:\n- Bộ Thông tin và Truyền thông;\n- Lưu: VT. | GIÁM ĐỐC\nNguyễn Văn Bình" in (
        found
    )


def test_units_are_listed_in_vietnamese_alphabetical_order() -> None:
    names = ["Đài Phát thanh", "UBND huyện Kế Sách", "Dân tộc", "Ấp Mới", "Bảo tàng", "Báo"]
    assert sorted(names, key=sort_key) == [
        "Ấp Mới",
        "Báo",
        "Bảo tàng",
        "Dân tộc",
        "Đài Phát thanh",  # Đ comes after every D
        "UBND huyện Kế Sách",
    ]


def test_the_date_line_pads_as_the_decree_says() -> None:
    from bot.reports.official import _Texts

    tx = _Texts("vi")
    assert (
        day_in_words(date(2026, 12, 5), "Sóc Trăng", tx) == "Sóc Trăng, ngày 05 tháng 12 năm 2026"
    )
    assert day_in_words(date(2027, 2, 3), "Sóc Trăng", tx) == "Sóc Trăng, ngày 03 tháng 02 năm 2027"
    assert day_in_words(date(2026, 4, 25), "Sóc Trăng", tx) == "Sóc Trăng, ngày 25 tháng 4 năm 2026"


async def test_the_english_catalogue_builds_the_same_document(report: Report) -> None:
    found = lines(open_docx(build_official_report(report, ORGANIZATION, lang="en")))
    assert "REPORT" in found
    assert any(re.match(r"1\. Receipt: the letter reached 3/4 agencies", line) for line in found)


def test_organization_settings_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        OrganizationSettings().name = "x"
