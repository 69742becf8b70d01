"""Reading an agency roster (.csv or .xlsx) into validated rows.

Admins maintain the list of agencies in Excel, so the reader is lenient about what Excel
produces (a UTF-8 BOM, ';' as separator, numbers as cells, trailing empty columns) and strict
about the data itself. It reports every problem at once, with line numbers as the admin sees
them in the file, so a bad roster can be fixed in one round trip. Nothing here touches the
database: the caller writes the rows only when this module raised nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

REQUIRED_COLUMNS = ("code", "name", "group")
OPTIONAL_COLUMNS = ("parent",)
EXPECTED = "code,name,group[,parent]"
MAX_NAME_LENGTH = 255
MAX_ROWS = 20_000
"""A province has a few hundred agencies; far more means the wrong file was uploaded."""

CODE_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
GROUP_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_CODE_MAX = 64
_GROUP_MAX = 32
_DELIMITERS = (",", ";", "\t")
# Excel and copy-paste from web pages leave these around cell values; str.strip() misses some.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# A name becomes a Telegram button label: line breaks and control characters would garble it.
_BAD_NAME_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


@dataclass(frozen=True)
class RosterRow:
    """One agency as written in the file; `line` points the admin back at it."""

    line: int
    code: str
    name: str
    group: str
    parent: str | None


@dataclass(frozen=True)
class RosterError:
    """One problem; `message` is complete English text, already prefixed with its line."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


class RosterFileError(Exception):
    """The roster was rejected; `errors` lists every problem found, sorted by line."""

    def __init__(self, errors: Iterable[RosterError] | str) -> None:
        if isinstance(errors, str):
            errors = [RosterError(None, errors)]
        self.errors: list[RosterError] = sorted(errors, key=lambda e: e.line or 0)
        super().__init__("\n".join(e.message for e in self.errors))

    def __str__(self) -> str:
        return "\n".join(e.message for e in self.errors)


def read_roster(path: Path, *, known_codes: Collection[str] = ()) -> list[RosterRow]:
    """Parse and validate a roster file, returning its rows in file order.

    `known_codes` are the codes already in the database, which rows may name as parent. If it
    is a mapping of code to parent code, cycles running through database rows are caught too.
    Parents may appear after their children in the file. Raises RosterFileError listing all
    problems; returns only when there are none.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        shown = f"'{path.suffix}'" if path.suffix else "(no extension)"
        raise RosterFileError(f"unsupported file type {shown}: use .csv or .xlsx")
    if not path.exists():
        raise RosterFileError(f"file not found: {path}")
    if not path.is_file():
        raise RosterFileError(f"not a file: {path}")
    if suffix == ".csv":
        return _validate(_read_csv(path), known_codes, fixed_width=True)
    return _validate(_read_xlsx(path), known_codes, fixed_width=False)


# --- reading: both formats become (line number, cells) records -----------------------------

_Record = tuple[int, list[str]]
_ErrorSink = Callable[[int, str], None]


def _read_csv(path: Path) -> list[_Record]:
    """Decode strictly as UTF-8, since guessing a legacy Vietnamese code page garbles names."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterFileError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterFileError(
            "the file is UTF-16 text (Excel 'Unicode Text'), not UTF-8: "
            "in Excel use Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"
        )
    if data.startswith(b"PK\x03\x04"):
        raise RosterFileError("the file is an Excel workbook named .csv: rename it to .xlsx")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        line = data[: exc.start + bom].count(b"\n") + 1
        byte = data[exc.start + bom]
        raise RosterFileError(
            [
                RosterError(
                    line,
                    f"line {line}: the file is not UTF-8 text (byte 0x{byte:02x}): "
                    "in Excel use Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'",
                )
            ]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    records: list[_Record] = []
    start = 1
    try:
        for cells in reader:
            _add(records, start, [_clean(c) for c in cells])
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterFileError([RosterError(start, f"line {start}: malformed CSV: {exc}")]) from exc
    return records


def _sniff_delimiter(text: str) -> str:
    """Pick the separator from the header line: Vietnamese-locale Excel writes ';'."""
    header = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_xlsx(path: Path) -> list[_Record]:
    """Read the first sheet's cached values; a workbook is only ever read, never evaluated."""
    import openpyxl  # slow to import, and only needed for spreadsheets

    records: list[_Record] = []
    try:
        with warnings.catch_warnings():
            # Excel files routinely carry extensions openpyxl warns it will drop; irrelevant here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0] if workbook.worksheets else None
                if sheet is None or not hasattr(sheet, "iter_rows"):
                    raise RosterFileError("the workbook's first sheet is not a worksheet")
                sheet.reset_dimensions()  # some writers store a wrong size; read what is there
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    _add(records, number, [_cell_text(v) for v in values])
            finally:
                workbook.close()
    except RosterFileError:
        raise
    except Exception as exc:  # a corrupt upload can fail anywhere inside zipfile/xml/openpyxl
        raise RosterFileError(
            f"cannot read {path.name} as an .xlsx workbook ({type(exc).__name__}: {exc}); "
            "is it password-protected, or an old .xls renamed?"
        ) from exc
    return records


def _add(records: list[_Record], line: int, cells: list[str]) -> None:
    """Keep a non-blank row; blank ones (often thousands, styled but empty) only cost a line."""
    if any(cells):
        if len(records) > MAX_ROWS:
            raise RosterFileError(f"the file has more than {MAX_ROWS} rows; is it the right file?")
        records.append((line, cells))


def _cell_text(value: object) -> str:
    """Spreadsheet cells arrive typed; codes typed as numbers must read 7, not 7.0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean(str(value))


def _clean(text: str) -> str:
    """Trim whitespace and invisible characters and normalise to NFC.

    Vietnamese typed with some keyboards or copied from PDFs is decomposed (NFD); without
    NFC the same name would compare unequal to itself.
    """
    return unicodedata.normalize("NFC", text.strip().strip(_INVISIBLE).strip())


# --- validation ----------------------------------------------------------------------------


def _shown(value: str, limit: int = 40) -> str:
    """Quote a cell for a message without letting a huge cell flood it."""
    return f"'{value}'" if len(value) <= limit else f"'{value[: limit - 1]}…'"


def _header_columns(line: int, cells: list[str]) -> dict[str, int]:
    """Map column name to position, or raise: with a wrong header no row can be trusted."""
    errors: list[RosterError] = []
    columns: dict[str, int] = {}
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for index, cell in enumerate(cells):
        name = cell.lower()
        if not name:
            continue
        if name in columns:
            errors.append(RosterError(line, f"line {line}: duplicate column {_shown(name)}"))
        elif name not in allowed:
            errors.append(
                RosterError(
                    line, f"line {line}: unknown column {_shown(name)} (expected {EXPECTED})"
                )
            )
        else:
            columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.append(
                RosterError(line, f"line {line}: missing column '{name}' (expected {EXPECTED})")
            )
    if errors:
        raise RosterFileError(errors)
    return columns


def _validate(
    records: list[_Record], known_codes: Collection[str], *, fixed_width: bool
) -> list[RosterRow]:
    """Check every row, collecting all problems.

    `fixed_width` is for CSV, where a row longer than the header means shifted cells;
    spreadsheet rows vary in width with formatting alone.
    """
    rows_iter: Iterator[_Record] = iter(records)  # the readers dropped blank rows
    header = next(rows_iter, None)
    if header is None:
        raise RosterFileError("the file is empty: expected a header line code,name,group,parent")
    columns = _header_columns(*header)
    named = set(columns.values())

    errors: list[RosterError] = []
    rows: list[RosterRow] = []
    first_line: dict[str, int] = {}
    pending_parents: list[tuple[int, str, str]] = []  # (line, code, parent), checked at the end

    def error(line: int, text: str) -> None:
        errors.append(RosterError(line, f"line {line}: {text}"))

    def cell(cells: list[str], column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    for line, cells in rows_iter:
        code = cell(cells, "code")
        code_ok = _check_code(line, code, error)
        if code_ok:
            if code in first_line:
                error(line, f"duplicate code {_shown(code)} (first on line {first_line[code]})")
                code_ok = False
            else:
                first_line[code] = line

        if fixed_width and len(cells) > len(header[1]):
            # Almost always a name with an unquoted separator, so the cells are shifted and
            # checking them would only add noise.
            error(
                line,
                f"{len(cells)} fields but the header has {len(header[1])} "
                "(put names containing ',' or ';' in double quotes)",
            )
            continue
        stray = next((c for i, c in enumerate(cells) if c and i not in named), None)
        if stray is not None:
            error(line, f"value {_shown(stray)} is in a column without a header")
            continue

        name_ok = _check_name(line, cell(cells, "name"), error)
        group = cell(cells, "group")
        group_ok = True
        if not group:
            error(line, "missing group")
            group_ok = False
        elif not GROUP_RE.fullmatch(group):
            error(
                line,
                f"invalid group {_shown(group)} "
                f"(use lowercase letters, digits and '-', at most {_GROUP_MAX} characters)",
            )
            group_ok = False

        parent = cell(cells, "parent") or None
        if parent is not None and code_ok:
            pending_parents.append((line, code, parent))
        if code_ok and name_ok and group_ok:
            rows.append(RosterRow(line, code, cell(cells, "name"), group, parent))

    if not first_line and not errors:
        raise RosterFileError(
            [RosterError(header[0], f"line {header[0]}: no agencies below the header")]
        )

    known = frozenset(known_codes)
    graph: dict[str, str] = {}  # child -> parent, for rows whose parent is valid
    for line, code, parent in pending_parents:
        if parent == code:
            error(line, f"{_shown(code)} cannot be its own parent")
        elif parent not in first_line and parent not in known:
            error(line, f"unknown parent {_shown(parent)}")
        else:
            graph[code] = parent
    db_parents = known_codes if isinstance(known_codes, Mapping) else {}
    for cycle in _cycles(graph, db_parents):
        line = min(first_line[c] for c in cycle if c in first_line)
        error(line, "parent cycle: " + " → ".join([*cycle, cycle[0]]))

    if errors:
        raise RosterFileError(errors)
    return rows


def _check_code(line: int, code: str, error: _ErrorSink) -> bool:
    if not code:
        error(line, "missing code")
        return False
    if CODE_RE.fullmatch(code):
        return True
    if len(code) > _CODE_MAX and CODE_RE.fullmatch(code[:_CODE_MAX]):
        error(
            line, f"code {_shown(code)} is too long ({len(code)} characters, at most {_CODE_MAX})"
        )
    else:
        error(line, f"invalid code {_shown(code)} (use lowercase letters, digits, '-', '_' or '.')")
    return False


def _check_name(line: int, name: str, error: _ErrorSink) -> bool:
    if not name:
        error(line, "empty name")
        return False
    if len(name) > MAX_NAME_LENGTH:
        error(line, f"name is too long ({len(name)} characters, at most {MAX_NAME_LENGTH})")
        return False
    if any(unicodedata.category(ch) in _BAD_NAME_CATEGORIES for ch in name):
        error(line, f"name {_shown(name)} contains a line break or control character")
        return False
    return True


def _cycles(graph: Mapping[str, str], db_parents: Mapping[str, object]) -> list[list[str]]:
    """Cycles in the child->parent links the file would create, each listed once.

    File rows override database rows: the file's parent for a code wins over the database's.
    """

    def parent_of(code: str) -> str | None:
        if code in graph:
            return graph[code]
        found = db_parents.get(code)
        return found if isinstance(found, str) and found else None

    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in graph:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parent_of(node)
        if node is not None and node in on_path:
            cycle = path[on_path[node] :]
            if any(c in graph for c in cycle):
                cycles.append(cycle)
        done.update(path)
    return cycles
