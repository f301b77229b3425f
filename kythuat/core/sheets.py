"""Reading the rows of a spreadsheet one at a time, for the importer (``core.importer``).

An .xlsx / .xlsm file is read as it is stored: a zip whose sheet is an XML part, decompressed and
parsed a chunk at a time with the standard library's expat parser, so memory holds a chunk of rows,
never the sheet (docs/decisions.md, "Streaming the import's .xlsx"). What a row's cells need besides
the sheet itself is read first: the shared strings (the texts the file stores once), the cell styles
that mark a number as a date, and whether the workbook counts dates from 1904.

.xls (a binary format) and .ods are read with python-calamine, which loads a whole sheet; the size
limit of an upload bounds those.

Cells come as calamine gives them, so that parsers see one kind of value whatever the format: text as
``str`` (not stripped), numbers as ``int`` or ``float``, booleans, ``datetime.date`` for a date cell,
``datetime.datetime`` for a date with a time, ``datetime.time`` for a time, ``""`` for an empty cell.
"""

import datetime
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from xml.etree import ElementTree
from xml.parsers import expat

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

CHUNK = 1 << 16  # bytes of the sheet's XML parsed at a time
MAX_COLUMNS = 16_384  # Excel's own limit: cells further right are ignored

_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


class SheetReadError(Exception):
    """The file is not a spreadsheet that can be read."""


class Worksheet:
    """One visible worksheet: its name, its rows as (number, cells), the number of its last row."""

    name: str = ""

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number as the spreadsheet shows it, cells from column A); rows without cells are skipped."""
        raise NotImplementedError

    def last_row(self) -> int:
        raise NotImplementedError


class Workbook:
    def worksheets(self) -> Iterator[Worksheet]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""


def open_workbook(source) -> Workbook:
    """The workbook in ``source`` (a path, or a binary file open for reading)."""
    try:
        archive = zipfile.ZipFile(source if hasattr(source, "read") else str(source))
    except zipfile.BadZipFile:
        archive = None  # .xls: not a zip
    except OSError as error:
        raise SheetReadError(str(error)) from error
    if archive is not None:
        if "xl/workbook.xml" in archive.namelist():
            try:
                return XlsxWorkbook(archive)
            except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError, expat.ExpatError) as error:
                archive.close()
                raise SheetReadError(str(error)) from error
        archive.close()
    if hasattr(source, "seek"):
        source.seek(0)  # where the look for a zip left it
    return CalamineBook(source)


# --- .xls and .ods: calamine ------------------------------------------------------------------------

class CalamineBook(Workbook):
    def __init__(self, source):
        try:
            if hasattr(source, "read"):
                self.book = CalamineWorkbook.from_filelike(source)
            else:
                self.book = CalamineWorkbook.from_path(str(source))
        except (CalamineError, ValueError, TypeError, OSError) as error:
            raise SheetReadError(str(error)) from error

    def worksheets(self):
        for meta in self.book.sheets_metadata:
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
                yield CalamineSheet(meta.name, self.book.get_sheet_by_name(meta.name))

    def close(self):
        self.book.close()


class CalamineSheet(Worksheet):
    def __init__(self, name, sheet):
        self.name, self.sheet = name, sheet

    def rows(self):
        if not self.sheet.height or self.sheet.start is None:
            return
        # iter_rows starts at the sheet's first row, empty leading rows included.
        for index, cells in enumerate(self.sheet.iter_rows(), start=1):
            if any(cell != "" for cell in cells):
                yield index, cells

    def last_row(self):
        start = self.sheet.start
        return start[0] + self.sheet.height if start is not None else 0


# --- .xlsx and .xlsm: the sheet's XML, streamed -------------------------------------------------------

# Built-in number formats that show a date or a time (ECMA-376 §18.8.30, with the East Asian ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def is_date_format(code: str) -> bool:
    """Whether a number format shows a date or time ("dd/mm/yyyy", "[$-42A]d mmm yy", "h:mm"), quoted
    text, escaped characters and colours aside."""
    return bool(re.search(r"[dmyhs]", _QUOTED.sub("", code.split(";")[0]), re.IGNORECASE))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class XlsxWorkbook(Workbook):
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = set(archive.namelist())
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        self.date1904 = any(_local(e.tag) == "workbookPr" and e.get("date1904") in ("1", "true")
                            for e in workbook.iter())
        targets = self._relationships("xl/_rels/workbook.xml.rels")
        self.sheets = []
        for element in workbook.iter():
            if _local(element.tag) != "sheet" or element.get("state", "visible") != "visible":
                continue
            rel = element.get(f"{{{_RELATIONSHIPS}}}id") or element.get(f"{{{_STRICT_RELATIONSHIPS}}}id")
            kind, part = targets.get(rel, ("", ""))
            if kind == "worksheet" and part in self.names:
                self.sheets.append((element.get("name", ""), part))
        self.dates = self._date_styles()
        self._shared = None

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """{id: (kind, part in the zip)} of a part's relationships."""
        if part not in self.names:
            return {}
        found = {}
        for element in ElementTree.fromstring(self.archive.read(part)).iter():
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                found[element.get("Id")] = (element.get("Type", "").rpartition("/")[2], _normal(path))
        return found

    def _date_styles(self) -> list[bool]:
        """For each cell style (a cell's ``s``), whether its number format is a date or time."""
        if "xl/styles.xml" not in self.names:
            return []
        root = ElementTree.fromstring(self.archive.read("xl/styles.xml"))
        custom = {}
        for element in root.iter():
            if _local(element.tag) == "numFmt":
                custom[int(element.get("numFmtId", -1))] = is_date_format(element.get("formatCode", ""))
        styles = []
        for element in root:
            if _local(element.tag) == "cellXfs":
                for xf in element:
                    number = int(xf.get("numFmtId", 0))
                    styles.append(custom.get(number, number in _DATE_FORMAT_IDS))
        return styles

    @property
    def shared(self) -> list[str]:
        """The shared strings, read once: one list of the file's distinct texts."""
        if self._shared is None:
            self._shared = []
            if "xl/sharedStrings.xml" in self.names:
                with self.archive.open("xl/sharedStrings.xml") as stream:
                    _read_shared_strings(stream, self._shared)
        return self._shared

    def worksheets(self):
        for name, part in self.sheets:
            yield XlsxSheet(self, name, part)

    def close(self):
        self.archive.close()


def _normal(path: str) -> str:
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _parser():
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    return parser


def _read_shared_strings(stream, strings: list) -> None:
    """Each ``<si>``'s text (a ``<t>``, or the ``<t>`` of its runs; phonetic hints left out)."""
    parser = _parser()
    text: list[str] = []
    state = {"t": False, "skip": 0}

    def start(tag, _attrs):
        local = tag.rpartition(":")[2]
        if local == "t":
            state["t"] = not state["skip"]
        elif local == "si":
            text.clear()
        elif local == "rPh":
            state["skip"] += 1

    def end(tag):
        local = tag.rpartition(":")[2]
        if local == "t":
            state["t"] = False
        elif local == "si":
            strings.append("".join(text))
        elif local == "rPh":
            state["skip"] -= 1

    def data(chunk):
        if state["t"]:
            text.append(chunk)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.ParseFile(stream)


_COLUMN_LETTERS: dict[str, int] = {}


def column_index(letters: str) -> int:
    """0 for "A", 26 for "AA"."""
    index = _COLUMN_LETTERS.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter.upper()) - 64
        index -= 1
        if len(_COLUMN_LETTERS) < MAX_COLUMNS:
            _COLUMN_LETTERS[letters] = index
    return index


_DIGITS = "0123456789"
_LETTERS = "$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class XlsxSheet(Worksheet):
    def __init__(self, book: XlsxWorkbook, name: str, part: str):
        self.book, self.name, self.part = book, name, part
        self.dimension = None  # the last row the sheet says it has, from <dimension ref="A1:Q1001">

    def last_row(self) -> int:
        """From the sheet's ``<dimension>``, or else by counting its rows (decompressing, not parsing)."""
        if self.dimension is None:
            count, tail = 0, b""
            pattern = re.compile(rb"<(?:\w+:)?row[\s>/]")
            with self.book.archive.open(self.part) as stream:
                while chunk := stream.read(CHUNK * 16):
                    block = tail + chunk
                    count += len(pattern.findall(block))
                    tail = block[-8:]
                    count -= len(pattern.findall(tail))
            self.dimension = count
        return self.dimension

    def rows(self):
        """The rows, parsed a chunk of the XML at a time: expat calls back for each tag, the values of
        a chunk's rows are kept in ``done`` and handed out before the next chunk is read."""
        book, shared, date1904 = self.book, self.book.shared, self.book.date1904
        date_styles = {str(index) for index, is_date in enumerate(book.dates) if is_date}
        done: list[tuple[int, list]] = []
        cells: list = []
        text: list[str] = []
        # Where the parse is: row number, and the cell's column, type and style.
        number, column, kind, style = 0, -1, None, None
        # Tag names as the file spells them (with its namespace prefix, if it uses one).
        tag_c = tag_f = tag_row = tag_dimension = tag_data = None

        # Text is gathered from every tag of a cell (its <v>, or the <t>s of an inline string) and
        # emptied at each cell and after a formula: fewer calls than following the <v> tags.
        def start(tag, attrs):
            nonlocal number, column, kind, style, cells
            if tag == tag_c:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    column = _COLUMN_LETTERS.get(letters)
                    if column is None:
                        column = column_index(letters)
                else:
                    column += 1
                kind = attrs.get("t")
                style = attrs.get("s")
                text.clear()
            elif tag == tag_row:
                ref = attrs.get("r")
                number = int(ref) if ref else number + 1
                column = -1
                cells = []

        def end(tag):
            if tag == tag_c:
                if not text or column >= MAX_COLUMNS:
                    return
                value = text[0] if len(text) == 1 else "".join(text)
                if kind is None or kind == "n":
                    if value.isdigit() and style not in date_styles:
                        value = int(value)
                    else:
                        try:
                            value = float(value)
                        except ValueError:
                            if value.strip():
                                raise
                            return  # only spacing: an empty cell
                        if style in date_styles:
                            value = _serial_date(value, date1904)
                elif kind == "s":
                    value = shared[int(value)]
                elif kind == "b":
                    value = value.strip() in ("1", "true")
                elif kind == "d":
                    value = _iso_date(value)
                # "str" (a formula's text), "inlineStr", "e" (an error such as #N/A): the text as it is
                size = len(cells)
                if column == size:
                    cells.append(value)
                elif column > size:
                    cells.extend([""] * (column - size))
                    cells.append(value)
                else:
                    cells[column] = value
            elif tag == tag_row:
                if cells:
                    done.append((number, cells))
            elif tag == tag_f:
                text.clear()  # the formula, before its value

        def start_document(tag, attrs):
            """The tags before the rows: the root (its namespace prefix), ``<dimension>``, ``<sheetData>``."""
            nonlocal tag_c, tag_f, tag_row, tag_dimension, tag_data
            if tag_c is None:
                prefix = tag[:-len("worksheet")] if tag.endswith("worksheet") else ""
                tag_c, tag_f, tag_row = prefix + "c", prefix + "f", prefix + "row"
                tag_dimension, tag_data = prefix + "dimension", prefix + "sheetData"
            elif tag == tag_dimension:
                ref = attrs.get("ref", "")
                last = ref.rpartition(":")[2].lstrip(_LETTERS)
                if ":" in ref and last.isdigit() and self.dimension is None:
                    self.dimension = int(last)
            elif tag == tag_data:
                parser.StartElementHandler = start  # the rows

        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = (
            start_document, end, text.append)
        with book.archive.open(self.part) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                if done:
                    yield from done
                    done.clear()
            parser.Parse(b"", True)
        yield from done


EPOCH_1900 = datetime.datetime(1899, 12, 30)
EPOCH_1904 = datetime.datetime(1904, 1, 1)


def _serial_date(serial: float, date1904: bool):
    """A date cell's number as calamine gives it: a time under one day, a date when whole, else both."""
    if serial < 1 and not date1904:
        seconds = round(serial * 86400)
        return datetime.time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    if not date1904 and serial < 61:
        serial += 1  # Excel's 29/02/1900, a day that never was: earlier serials are one day off
    moment = (EPOCH_1904 if date1904 else EPOCH_1900) + datetime.timedelta(seconds=round(serial * 86400))
    if moment.time() == datetime.time():
        return moment.date()
    return moment


def _iso_date(text: str):
    """A cell of type ``d`` (an ISO 8601 date, rare: Excel writes dates as numbers)."""
    try:
        moment = datetime.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return text
    return moment.date() if moment.time() == datetime.time() else moment
