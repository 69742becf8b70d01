"""The official report ("BÁO CÁO Kết quả triển khai Công văn số …") as a Word document.

What the department files upward, laid out as a Vietnamese administrative document per
Nghị định 30/2020/NĐ-CP, Phụ lục I: A4, margins top and bottom 20 mm, left 30 mm, right
15 mm, Times New Roman; at the top, the parent body and the issuing body (bold, a short rule
under it) on the left, Quốc hiệu and Tiêu ngữ (underlined) on the right, then số and ký
hiệu opposite the place and date (italic); the kind "BÁO CÁO" and the subject (trích yếu)
centred; the text; the signer's title and name on the right, "Nơi nhận" on the left; page
numbers centred at the top from page 2. The appendix, landscape, lists every unit.

The text: what the letter asked, how many units received it, acknowledged, completed with
verified or unverified evidence, overdue, the relays and their subtrees when relaying
exists (`relays`), and the units not done as a table.

`build_official_report` is the one builder: the CLI (`report --format docx|pdf`), /report
and the dashboard call it. python-docx escapes what it writes, so an agency called
"=HYPERLINK(…)" or "Quang & Minh <HN>" stays text; characters XML cannot carry (a stray
control character in an imported name) are dropped rather than failing the whole report.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]  # python-docx's own XML library

from bot.config import OrganizationSettings
from bot.reports.summary import Report, deadline_passed, percent
from bot.texts import t
from db.models import DeliveryStatus, Verification
from db.queries.summary import AgencyRow

FONT = "Times New Roman"
BODY_PT = 14  # the text: 13–14
HEADER_PT = 13  # the bodies: 12–13
NATIONAL_PT = 12  # Quốc hiệu: 12–13; at 12 it holds on one line
TABLE_PT = 13
RECIPIENTS_TITLE_PT = 12  # "Nơi nhận:", bold italic
RECIPIENTS_PT = 11  # its lines
PAGE = (Mm(210), Mm(297))  # A4
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
FIRST_LINE = Cm(1)  # "lùi vào từ 1 cm đến 1,27 cm"
MAX_CELL = 600  # characters of evidence or a reason quoted in one cell
# XML 1.0 cannot carry these; a name imported with one must not stop the report.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
LEFT = WD_ALIGN_PARAGRAPH.LEFT
# Section III's bands: what is missing, the most pressing first.
NOT_DONE_ORDER = (
    DeliveryStatus.SENT,
    DeliveryStatus.ACKNOWLEDGED,
    DeliveryStatus.FAILED,
    DeliveryStatus.REJECTED,
    DeliveryStatus.PENDING,
)


@dataclass(frozen=True)
class _Band:
    """A row across a table: the heading of the rows under it."""

    text: str


def sort_key(text: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, near enough: letters without their tone and vowel
    marks, Đ after every D, then the exact text to break ties."""
    bare = unicodedata.normalize("NFD", text.casefold().replace("đ", "d\uffff"))
    return "".join(c for c in bare if not unicodedata.combining(c)), text


@dataclass(frozen=True)
class RelayRollup:
    """One relay of the letter and its subtree's counts, as the relay roll-up gives them.

    `level` 1 is a relay among the letter's recipients, 2 a relay under it, and so on.
    """

    name: str
    relayed_at: datetime | None
    units: int
    acknowledged: int
    completed: int
    overdue: int
    level: int = 1


def clean(text: object) -> str:
    """Text Word can hold: without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", str(text))


def _short(text: str, limit: int = MAX_CELL) -> str:
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Texts:
    """The catalogue in one language, as plain text (the catalogue is Telegram HTML)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: object) -> str:
        return clean(html.unescape(t(self.lang, key, **params)))


def day_in_words(day: date, place: str, tx: _Texts) -> str:
    """ "Sóc Trăng, ngày 05 tháng 12 năm 2026": a day under 10 and the months 1 and 2
    take a leading zero (Nghị định 30/2020, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return tx("docx.place_date", place=place, day=f"{day.day:02d}", month=month, year=day.year)


def about(subject: str, tx: _Texts) -> str:
    """ "V/v tuyên truyền …" → "về việc tuyên truyền …"."""
    text = " ".join(subject.split())
    if text[:3].casefold() == "v/v":
        text = text[3:].lstrip(" :")
    return tx("docx.about", text=text)


def build_official_report(
    report: Report,
    organization: OrganizationSettings,
    *,
    relays: Sequence[RelayRollup] | None = None,
    lang: str = "vi",
) -> bytes:
    """The report as a .docx file. `relays` is the relay roll-up when relaying exists
    (None: the report's own roll-up, the section left out when there is none; empty: "no
    unit has relayed it")."""
    if relays is None:
        relays = relays_of(report)
    return _Builder(report, organization, relays, _Texts(lang)).build()


def relays_of(report: Report) -> list[RelayRollup] | None:
    """The report's roll-up as the document's table: None when the letter has no relay and
    no recipient that could relay it."""
    rollup = report.rollup
    if rollup is None or rollup.empty:
        return None
    return [
        RelayRollup(
            name=line.relay_name,
            relayed_at=line.relayed_at,
            units=line.units,
            acknowledged=line.acknowledged,
            completed=line.completed,
            overdue=line.overdue,
            level=line.depth,
        )
        for line in rollup.relays
    ]


class _Builder:
    def __init__(
        self,
        report: Report,
        organization: OrganizationSettings,
        relays: Sequence[RelayRollup] | None,
        tx: _Texts,
    ) -> None:
        self.report = report
        self.org = organization
        self.relays = relays
        self.tx = tx
        self.tz = report.timezone
        self.today = report.now.astimezone(self.tz).date()
        self.overdue = deadline_passed(report.directive, report.now, self.tz)
        self.doc = Document()
        # The big tables' rows, as XML text, put in place of their markers once saved.
        self.deferred_rows: list[list[str]] = []

    # the whole ---------------------------------------------------------------------------

    def build(self) -> bytes:
        self._page_setup()
        self._heading()
        self._title()
        self._letter()
        self._results()
        self._not_done()
        self._paragraph(
            self.tx("docx.closing", number=self.report.directive.number),
            space_before=6,
            keep_with_next=True,
        )
        self._signature()
        self._appendix()
        self._properties()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _fill_rows(buffer.getvalue(), self.deferred_rows)

    def _page_setup(self) -> None:
        normal = self.doc.styles["Normal"]
        font = normal.font
        font.name = FONT
        font.size = Pt(BODY_PT)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
        paragraph = normal.paragraph_format
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(0)
        paragraph.line_spacing = 1.0
        section = self.doc.sections[0]
        section.page_width, section.page_height = PAGE
        section.orientation = WD_ORIENT.PORTRAIT
        for side, value in MARGINS.items():
            setattr(section, f"{side}_margin", value)
        section.header_distance = Mm(10)
        # Page numbers: centred in the top margin, none on the first page.
        section.different_first_page_header_footer = True
        number = section.header.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        number._p.append(field)

    # the top: who issues it, Quốc hiệu, số, place and date ------------------------------

    def _heading(self) -> None:
        tx, org = self.tx, self.org
        table = self._table(2, 2, widths=(Cm(6.5), Cm(10.0)), borders=False)
        left, right = table.cell(0, 0), table.cell(0, 1)
        first = True
        if org.parent_body:
            self._cell_line(left, clean(org.parent_body).upper(), size=HEADER_PT, first=first)
            first = False
        self._cell_line(left, clean(org.name).upper(), size=HEADER_PT, bold=True, first=first)
        self._rule(left, width=Cm(2.2), cell_width=Cm(6.5))
        self._cell_line(right, tx("docx.national_title"), size=NATIONAL_PT, bold=True, first=True)
        self._cell_line(right, tx("docx.motto"), size=HEADER_PT, bold=True, underline=True)
        self._cell_line(
            table.cell(1, 0), tx("docx.number", symbol=org.symbol), size=HEADER_PT, first=True
        )
        place = day_in_words(self.today, clean(org.place), tx)
        self._cell_line(table.cell(1, 1), place, size=BODY_PT, italic=True, first=True)
        table.cell(1, 0).paragraphs[0].paragraph_format.space_before = Pt(6)
        table.cell(1, 1).paragraphs[0].paragraph_format.space_before = Pt(6)

    def _title(self) -> None:
        d = self.report.directive
        kind = self._paragraph(
            self.tx("docx.kind"), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18
        )
        kind.paragraph_format.first_line_indent = Cm(0)
        subject = self.tx(
            "docx.subject",
            number=d.number,
            date=d.issue_date.strftime("%d/%m/%Y"),
            about=about(d.subject, self.tx),
        )
        line = self._paragraph(subject, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        line.paragraph_format.first_line_indent = Cm(0)
        line.paragraph_format.space_after = Pt(0)
        rule = self._rule_paragraph(self.doc.add_paragraph(), Cm(5.5), Cm(16.5))
        rule.paragraph_format.space_after = Pt(12)

    # the text ----------------------------------------------------------------------------

    def _letter(self) -> None:
        tx, r, d = self.tx, self.report, self.report.directive
        self._heading_line(tx("docx.section.letter"))
        self._paragraph(
            tx(
                "docx.letter.sent",
                date=(r.counts.first_sent_at or d.created_at)
                .astimezone(self.tz)
                .strftime("%d/%m/%Y"),
                number=d.number,
                about=about(d.subject, tx),
                total=r.counts.total,
            )
        )
        letter = r.letter
        actions = list(letter.actions) if letter else []
        if actions:
            self._paragraph(tx("docx.letter.actions"))
            for n, action in enumerate(actions, start=1):
                end = "." if n == len(actions) else ";"
                self._paragraph(f"- {_short(action)}{end}")
        if letter and letter.links:
            self._paragraph(tx("docx.letter.links", links=", ".join(letter.links)))
        if d.deadline is not None:
            self._paragraph(tx("docx.letter.deadline", date=d.deadline.strftime("%d/%m/%Y")))
        else:
            self._paragraph(tx("docx.letter.no_deadline"))

    def _results(self) -> None:
        tx, c, d = self.tx, self.report.counts, self.report.directive
        now = self.report.now.astimezone(self.tz)
        self._heading_line(tx("docx.section.results"))
        self._paragraph(
            tx(
                "docx.results.as_of",
                hour=f"{now:%H}",
                minute=f"{now:%M}",
                date=f"{now:%d/%m/%Y}",
            )
        )
        received = tx(
            "docx.results.received",
            sent=c.sent,
            total=c.total,
            sent_pct=percent(c.sent, c.total),
            acknowledged=c.acknowledged,
            acknowledged_pct=percent(c.acknowledged, c.total),
        )
        if c.failed:
            received += " " + tx("docx.results.failed", failed=c.failed)
        self._paragraph(received)
        done = tx(
            "docx.results.completed",
            completed=c.completed,
            completed_pct=percent(c.completed, c.total),
            verified=c.verified,
            unverified=c.unverified,
        )
        other = c.completed - c.verified - c.unverified
        if other > 0:
            done += " " + tx("docx.results.completed_other", count=other)
        self._paragraph(done)
        if d.deadline is None:
            self._paragraph(tx("docx.results.no_deadline"))
        elif self.overdue:
            deadline = d.deadline.strftime("%d/%m/%Y")
            self._paragraph(
                tx(
                    "docx.results.overdue",
                    overdue=c.overdue,
                    overdue_pct=percent(c.overdue, c.total),
                    deadline=deadline,
                )
            )
        else:
            deadline = d.deadline.strftime("%d/%m/%Y")
            self._paragraph(tx("docx.results.not_yet_due", deadline=deadline))
        if c.by_group:
            self._paragraph(tx("docx.results.by_group"), keep_with_next=True)
            rows = [
                (
                    self.report.group_name(g.group),
                    str(g.total),
                    f"{g.acknowledged} ({percent(g.acknowledged, g.total)})",
                    f"{g.completed} ({percent(g.completed, g.total)})",
                )
                for g in c.by_group
            ]
            rows.append(
                (
                    tx("docx.table.total"),
                    str(c.total),
                    f"{c.acknowledged} ({percent(c.acknowledged, c.total)})",
                    f"{c.completed} ({percent(c.completed, c.total)})",
                )
            )
            self._grid(
                [
                    tx("docx.table.no"),
                    tx("docx.table.group"),
                    tx("docx.table.units"),
                    tx("docx.table.acknowledged"),
                    tx("docx.table.completed"),
                ],
                [(str(n) if n < len(rows) else "", *row) for n, row in enumerate(rows, 1)],
                widths=(Cm(1.4), Cm(6.1), Cm(2.4), Cm(3.3), Cm(3.3)),
                numeric_from=2,
            )
        if self.relays is not None:
            self._relays(self.relays)

    def _relays(self, relays: Sequence[RelayRollup]) -> None:
        tx = self.tx
        if not relays:
            self._paragraph(tx("docx.relays.none"))
            return
        relayed = sum(1 for r in relays if r.level == 1 and r.relayed_at is not None)
        self._paragraph(tx("docx.relays.intro", count=relayed), keep_with_next=True)
        rows = []
        for n, relay in enumerate(relays, start=1):
            when = (
                relay.relayed_at.astimezone(self.tz).strftime("%d/%m/%Y %H:%M")
                if relay.relayed_at
                else tx("docx.relays.not_yet")
            )
            indent = "– " * max(0, relay.level - 1)
            rows.append(
                (
                    str(n),
                    indent + _short(relay.name),
                    when,
                    str(relay.units),
                    str(relay.acknowledged),
                    str(relay.completed),
                    str(relay.overdue),
                )
            )
        self._grid(
            [
                tx("docx.table.no"),
                tx("docx.table.relay"),
                tx("docx.table.relayed_at"),
                tx("docx.table.units"),
                tx("docx.table.acknowledged"),
                tx("docx.table.completed"),
                tx("docx.table.overdue"),
            ],
            rows,
            widths=(Cm(1.4), Cm(4.7), Cm(2.9), Cm(1.9), Cm(1.9), Cm(2.0), Cm(1.7)),
            numeric_from=3,
        )

    def _not_done(self) -> None:
        """The units not done, by what is missing (not acknowledged, no report, not
        reached), each band in the roster's order: group, then name."""
        tx = self.tx
        self._heading_line(tx("docx.section.not_done"))
        waiting = [r for r in self.report.rows if r.status != DeliveryStatus.COMPLETED]
        if not waiting:
            self._paragraph(tx("docx.not_done.none"))
            return
        self._paragraph(tx("docx.not_done.intro", count=len(waiting)), keep_with_next=True)
        rows: list[Sequence[str] | _Band] = []
        number = 0
        for status in NOT_DONE_ORDER:
            band = self._sorted([r for r in waiting if r.status == status])
            if not band:
                continue
            rows.append(_Band(tx(f"docx.band.{status.value}", count=len(band))))
            for row in band:
                number += 1
                rows.append(
                    (
                        str(number),
                        _short(row.name),
                        self.report.group_name(row.group),
                        self._note(row),
                    )
                )
        self._grid(
            [
                tx("docx.table.no"),
                tx("docx.table.agency"),
                tx("docx.table.group"),
                tx("docx.table.note"),
            ],
            rows,
            widths=(Cm(1.4), Cm(6.4), Cm(3.9), Cm(4.8)),
        )

    def _overdue(self, row: AgencyRow) -> bool:
        """Past its deadline (its own, after an extension, else the letter's) and not done;
        an agency that sent the letter back owes nothing."""
        if row.status in (DeliveryStatus.COMPLETED, DeliveryStatus.REJECTED):
            return False
        if row.own_deadline is not None:
            return self.today > row.own_deadline
        return self.overdue

    def _sorted(self, rows: Sequence[AgencyRow]) -> list[AgencyRow]:
        """The roster's order as a clerk keeps it: by group, then by name (Vietnamese)."""
        return sorted(
            rows, key=lambda r: (sort_key(self.report.group_name(r.group)), sort_key(r.name))
        )

    def _note(self, row: AgencyRow) -> str:
        """Why a unit is not done, beyond its band: the failure, overdue, the reminders."""
        tx = self.tx
        notes = []
        if row.status == DeliveryStatus.FAILED and row.failure_reason:
            notes.append(_short(row.failure_reason, 200))
        if row.status == DeliveryStatus.REJECTED and row.rejection_reason:
            notes.append(_short(row.rejection_reason, 200))
        if self._overdue(row):
            notes.append(tx("docx.note.overdue"))
        if row.reminders_sent:
            notes.append(tx("docx.note.reminded", count=row.reminders_sent))
        return "; ".join(notes)

    def _state(self, row: AgencyRow) -> str:
        tx = self.tx
        if row.status == DeliveryStatus.FAILED:
            text = tx("docx.state.failed", reason=_short(row.failure_reason or "", 200))
        else:
            text = tx(f"docx.state.{row.status.value}")
        if self._overdue(row):
            text += tx("docx.state.overdue")
        if row.reminders_sent and row.status != DeliveryStatus.COMPLETED:
            text += tx("docx.state.reminded", count=row.reminders_sent)
        return text

    # the end: who signs, who receives it ------------------------------------------------

    def _signature(self) -> None:
        table = self._table(1, 2, widths=(Cm(8), Cm(8.5)), borders=False)
        left, right = table.cell(0, 0), table.cell(0, 1)
        self._cell_line(
            left,
            self.tx("docx.recipients"),
            size=RECIPIENTS_TITLE_PT,
            bold=True,
            italic=True,
            first=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
        for line in self.org.recipients:
            self._cell_line(
                left, f"- {clean(line)}", size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT
            )
        first = True
        for line in self.org.signer_title:
            self._cell_line(right, clean(line).upper(), size=BODY_PT, bold=True, first=first)
            first = False
        for _ in range(4):  # room for the signature and the seal
            self._cell_line(right, "", size=BODY_PT)
        self._cell_line(right, clean(self.org.signer), size=BODY_PT, bold=True)
        [row] = list(table.rows)
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.space_before = Pt(12)
        keep = OxmlElement("w:cantSplit")  # the signature never leaves its title on a page
        keep.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(keep)

    # the appendix: every unit ------------------------------------------------------------

    def _appendix(self) -> None:
        tx, d = self.tx, self.report.directive
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE[1], PAGE[0]
        for side, value in MARGINS.items():
            setattr(section, f"{side}_margin", value)
        section.different_first_page_header_footer = False
        for text, bold, italic in (
            (tx("docx.appendix.title"), True, False),
            (tx("docx.appendix.subject", number=d.number.upper()), True, False),
            (
                tx(
                    "docx.appendix.attached",
                    symbol=self.org.symbol,
                    date=self.today.strftime("%d/%m/%Y"),
                ),
                False,
                True,
            ),
        ):
            line = self._paragraph(text, align=WD_ALIGN_PARAGRAPH.CENTER, bold=bold)
            line.paragraph_format.first_line_indent = Cm(0)
            line.runs[0].italic = italic
        self.doc.paragraphs[-1].paragraph_format.space_after = Pt(12)
        self._grid(
            [
                tx("docx.table.no"),
                tx("docx.table.agency"),
                tx("docx.table.group"),
                tx("docx.table.state"),
                tx("docx.table.acknowledged_at"),
                tx("docx.table.completed_at"),
                tx("docx.table.evidence"),
            ],
            [
                (
                    str(n),
                    _short(row.name),
                    self.report.group_name(row.group),
                    self._state(row),
                    self._when(row.acknowledged_at),
                    self._when(row.completed_at),
                    self._evidence(row),
                )
                for n, row in enumerate(self._sorted(self.report.rows), start=1)
            ],
            widths=(Cm(1.4), Cm(5.5), Cm(3.2), Cm(4.6), Cm(2.6), Cm(2.6), Cm(5.3)),
        )

    def _when(self, moment: datetime | None) -> str:
        """A time in its cell: the date over the hour."""
        return moment.astimezone(self.tz).strftime("%d/%m/%Y\n%H:%M") if moment else ""

    def _evidence(self, row: AgencyRow) -> str:
        parts = [_short(" | ".join(row.evidence))] if row.evidence else []
        if row.evidence_verified in (Verification.VERIFIED, Verification.UNVERIFIED):
            parts.append(self.tx(f"docx.evidence.{row.evidence_verified.value}"))
        if row.manual_reason and row.acknowledged_by_hand:
            parts.append(self.tx("docx.by_hand", reason=_short(row.manual_reason, 200)))
        return "\n".join(parts)

    def _properties(self) -> None:
        props = self.doc.core_properties
        props.title = self.tx("docx.title", number=self.report.directive.number)
        props.author = clean(self.org.name)
        props.last_modified_by = clean(self.org.name)
        props.created = props.modified = self.report.now
        props.revision = 1

    # building blocks ---------------------------------------------------------------------

    def _paragraph(
        self,
        text: str,
        *,
        align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
        bold: bool = False,
        space_before: float = 0,
        keep_with_next: bool = False,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = align
        form = paragraph.paragraph_format
        form.keep_with_next = keep_with_next or None
        form.first_line_indent = FIRST_LINE
        form.space_before = Pt(space_before)
        form.space_after = Pt(6)
        form.line_spacing = 1.15
        run = paragraph.add_run(clean(text))
        run.bold = bold
        return paragraph

    def _heading_line(self, text: str) -> None:
        self._paragraph(text, bold=True, space_before=6, keep_with_next=True)

    def _table(self, rows: int, cols: int, *, widths: Sequence[Length], borders: bool) -> Table:
        table: Table = self.doc.add_table(rows=rows, cols=cols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        if borders:
            table.style = self.doc.styles["Table Grid"]
        for n, width in enumerate(widths):
            table.columns[n].width = width
            for cell in table.columns[n].cells:
                cell.width = width
        return table

    def _cell_line(
        self,
        cell: _Cell,
        text: str,
        *,
        size: float,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        first: bool = False,
        align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    ) -> Paragraph:
        paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run(clean(text))
        run.font.size = Pt(size)
        run.bold, run.italic, run.underline = bold, italic, underline
        return paragraph

    def _rule(self, cell: _Cell, *, width: Length, cell_width: Length) -> None:
        """The short line under the issuing body: a third of its width, centred."""
        self._rule_paragraph(cell.add_paragraph(), width, cell_width)

    def _rule_paragraph(self, paragraph: Paragraph, width: Length, available: Length) -> Paragraph:
        """A thin paragraph drawn as a horizontal line `width` long, centred (Nghị định 30
        puts one under the issuing body and one under the subject)."""
        self._border(paragraph, "bottom")
        _narrow(paragraph, width, available)
        run = paragraph.add_run()
        run.font.size = Pt(2)
        paragraph.paragraph_format.line_spacing = Pt(2)
        return paragraph

    @staticmethod
    def _border(paragraph: Paragraph, side: str) -> None:
        properties = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        line = OxmlElement(f"w:{side}")
        for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1")):
            line.set(qn(name), value)
        line.set(qn("w:color"), "000000")
        borders.append(line)
        properties.append(borders)

    def _grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str] | _Band],
        *,
        widths: Sequence[Length],
        numeric_from: int | None = None,
    ) -> None:
        """A bordered table whose header row repeats on every page and whose rows are not
        split across pages; a _Band is a shaded bold row across the whole table.

        The rows are written as XML text and spliced into the saved document: python-docx's
        cell API costs about a millisecond per cell (minutes for the appendix of 10,000
        units), and even one parse of them into a tree took 400 MB for 17,500 rows."""
        table = self._table(1, len(header), widths=widths, borders=True)
        [head] = list(table.rows)
        for cell, text in zip(head.cells, header, strict=True):
            paragraph = self._cell_line(cell, text, size=TABLE_PT, bold=True, first=True)
            paragraph.paragraph_format.keep_with_next = True
        properties = head._tr.get_or_add_trPr()
        for name in ("w:cantSplit", "w:tblHeader"):
            flag = OxmlElement(name)
            flag.set(qn("w:val"), "true")
            properties.append(flag)
        twips = [round(width / TWIP) for width in widths]
        xml = []
        for values in rows:
            if isinstance(values, _Band):
                xml.append(_band_xml(values.text, sum(twips), len(twips)))
            else:
                aligns = [
                    "center"
                    if col == 0 or (numeric_from is not None and col >= numeric_from)
                    else "left"
                    for col in range(len(values))
                ]
                xml.append(_row_xml(values, twips, aligns))
        if xml:
            table._tbl.append(etree.Comment(_marker(len(self.deferred_rows))))
            self.deferred_rows.append(xml)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(3)


def _marker(index: int) -> str:
    return f"agency-bot-rows-{index}"


def _fill_rows(docx: bytes, tables: Sequence[Sequence[str]]) -> bytes:
    """The saved document with each table's marker replaced by its rows' XML, written
    piece by piece (the rows of 10,000 units are tens of megabytes of text)."""
    if not tables:
        return docx
    source = zipfile.ZipFile(io.BytesIO(docx))
    body = source.read("word/document.xml").decode("utf-8")
    pieces: list[str | Sequence[str]] = []
    for index, rows in enumerate(tables):
        before, marker, body = body.partition(f"<!--{_marker(index)}-->")
        if not marker:
            raise RuntimeError(f"the saved document lost the marker of table rows {index}")
        pieces += [before, rows]
    pieces.append(body)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
                continue
            item.compress_type = zipfile.ZIP_DEFLATED
            with target.open(item, "w") as stream:
                for piece in pieces:
                    for text in [piece] if isinstance(piece, str) else piece:
                        stream.write(text.encode("utf-8"))
    return output.getvalue()


TWIP = 635  # EMU in a twentieth of a point, Word's unit of table widths
_SIZE = f'<w:sz w:val="{TABLE_PT * 2}"/><w:szCs w:val="{TABLE_PT * 2}"/>'


def _run_xml(text: str, *, bold: bool = False) -> str:
    """One line of a cell's text, 13 pt, escaped for XML."""
    style = ("<w:b/><w:bCs/>" if bold else "") + _SIZE
    return f'<w:r><w:rPr>{style}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _row_xml(values: Sequence[str], twips: Sequence[int], aligns: Sequence[str]) -> str:
    cells = []
    for value, width, align in zip(values, twips, aligns, strict=True):
        paragraphs = "".join(
            f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>{_run_xml(line)}</w:p>'
            for line in clean(value).split("\n")
        )
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>'
        )
    return f'<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>{"".join(cells)}</w:tr>'


def _band_xml(text: str, width: int, span: int) -> str:
    return (
        '<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr><w:tc><w:tcPr>'
        f'<w:tcW w:w="{width}" w:type="dxa"/><w:gridSpan w:val="{span}"/>'
        '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/></w:tcPr>'
        '<w:p><w:pPr><w:keepNext/><w:jc w:val="left"/></w:pPr>'
        f"{_run_xml(clean(text), bold=True)}</w:p></w:tc></w:tr>"
    )


def _narrow(paragraph: Paragraph, width: Length, available: Length) -> None:
    """Indent a paragraph from both sides so that it is `width` wide, centred."""
    side = Length(max(0, (available - width) // 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.first_line_indent = Cm(0)
