"""The one importer every register uses (STYLE.md §3 "Import"): a register declares a column map and
what a row means; this module reads the file, matches the headers, converts the cells, runs the dry
run and writes all or nothing.

    class ItemImporter(Importer):
        key = "equipment.item"
        model = Item
        columns = (Column.of(Item, "unit", "Mã đơn vị", required=True, parse=Text()), ...)

        def check(self, row):  # a new line (row.add(obj)), a change (row.update(obj)) or row.error(...)
            ...

Files (.xlsx, .xlsm, .xls, .ods) are read by ``core.sheets``: an .xlsx a chunk of its XML at a time,
so memory holds a few rows, not the sheet (.xls and .ods are read whole, bounded by the upload's
size limit). Rows become Python values one at a time and are handled a batch at a time. Writing
happens in one transaction with ``bulk_create`` / ``bulk_update`` and the audit log's
``record_bulk``: a single bad row and nothing is written.
"""

import datetime
import decimal
import gc
import io
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from xml.parsers import expat

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import record_bulk
from .bulk import Maker
from .models import AuditAction
from .roles import Perm
from .sheets import SheetReadError, open_workbook
from .text import fold

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
HEADER_SEARCH_ROWS = 20  # the header may sit under a title, as in our own exports
MAX_KEPT_ERRORS = 1000
SAMPLE_SIZE = 20


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not a spreadsheet, no header, missing columns…)."""


class CellError(ValueError):
    """A cell whose value cannot be read as its column needs; the message says why."""


def header_key(text) -> str:
    """A header as compared: case, diacritics, punctuation and spacing ignored ("Số hiệu/ số lô" =
    "so hieu so lo")."""
    return re.sub(r"[\W_]+", "", fold(str(text)))


# --- cell parsers ---------------------------------------------------------------------------------
# A parser takes a non-empty cell as calamine gives it (str already stripped, int, float, bool,
# date, datetime, time) and returns the value, or raises CellError. Blank cells never reach it.

def _shown(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw.strftime("%d/%m/%Y")
    return str(raw)


def _validate(model_field, value):
    """The model field's own validators (one set of rules for forms, API and import)."""
    if model_field is not None:
        try:
            model_field.run_validators(value)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from error
    return value


class Parser:
    model_field = None

    def bind(self, model_field) -> "Parser":
        """Take limits and validators from the model field the column fills."""
        self.model_field = model_field
        return self

    def describe(self) -> str:
        """What the column accepts, for the template's guide sheet."""
        return ""


class Text(Parser):
    """Text; numbers typed into a text column ("12345" stored as a number) come back as typed."""

    def __init__(self, max_length: int | None = None):
        self.max_length = max_length

    def bind(self, model_field):
        self.max_length = self.max_length or getattr(model_field, "max_length", None)
        return super().bind(model_field)

    def __call__(self, raw):
        value = _shown(raw) if not isinstance(raw, str) else raw
        if self.max_length and len(value) > self.max_length:
            _validate(self.model_field, value)
            raise CellError(_("At most %(n)s characters.") % {"n": self.max_length})
        return value

    def describe(self):
        return _("text, at most %(n)s characters") % {"n": self.max_length} if self.max_length else _("text")


_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")  # Vietnamese: 1.234.567,5


def _number_text(text: str) -> str:
    """A number as Vietnamese users write it ("1.234,5"), or with a decimal point ("1234.5")."""
    text = text.replace(" ", "").replace("\u00a0", "")
    if _GROUPED.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if "," in text and "." in text:  # 1,234.5: the last mark is the decimal one
        return text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    return text.replace(",", ".")


class Number(Parser):
    """A decimal number ("12,5", "1.234,5", 12.5); places and limits from the model field."""

    def __init__(self, places: int | None = None):
        self.places = places
        self.below = self.min_value = None

    def bind(self, model_field):
        if self.places is None:
            self.places = getattr(model_field, "decimal_places", None)
        max_digits = getattr(model_field, "max_digits", None)
        self.below = decimal.Decimal(10) ** (max_digits - self.places) if max_digits and self.places is not None \
            else None
        self.min_value = next((v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)),
                              None)
        return super().bind(model_field)

    def __call__(self, raw):
        if isinstance(raw, bool):
            raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
        try:
            if isinstance(raw, int):
                value = decimal.Decimal(raw)
            elif isinstance(raw, float):
                value = decimal.Decimal(int(raw)) if raw.is_integer() else decimal.Decimal(repr(raw))
            else:
                value = decimal.Decimal(_number_text(raw))
            if not value.is_finite():
                raise decimal.InvalidOperation
        except (decimal.InvalidOperation, ValueError, TypeError) as error:
            raise CellError(_("“%(value)s” is not a number.") % {"value": _shown(raw)}) from error
        if self.places is not None:
            # 12.50 fits one decimal place; 12.55 does not (the field's validator says so).
            try:
                quantised = value.quantize(decimal.Decimal(1).scaleb(-self.places))
            except decimal.InvalidOperation:
                quantised = None  # far too many digits: the field's validator says so below
            if quantised == value:
                value = quantised
                # The usual case checked here; anything else gets the field validators' own message.
                if self.below is not None and -self.below < value < self.below and (
                        self.min_value is None or value >= self.min_value):
                    return value
        return _validate(self.model_field, value)

    def describe(self):
        return _("a number, e.g. 1.234,5")


class Integer(Parser):
    """A whole number ("1.234", 1234, 1234.0); limits from the model field's validators."""

    def __init__(self, min_value: int | None = None, max_value: int | None = None):
        self.min_value, self.max_value = min_value, max_value

    def bind(self, model_field):
        for validator in model_field.validators:
            if isinstance(validator, MinValueValidator) and self.min_value is None:
                self.min_value = validator.limit_value
            elif isinstance(validator, MaxValueValidator) and self.max_value is None:
                self.max_value = validator.limit_value
        return super().bind(model_field)

    def to_int(self, raw) -> int:
        if isinstance(raw, bool):
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str):
            text = _number_text(raw)
            if re.fullmatch(r"[+-]?\d+(\.0*)?", text):
                return int(text.split(".")[0])
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": _shown(raw)})

    def __call__(self, raw):
        value = self.to_int(raw)
        if (self.min_value is not None and value < self.min_value) or (
                self.max_value is not None and value > self.max_value):
            _validate(self.model_field, value)
            raise CellError(_("Must be from %(min)s to %(max)s.") % {"min": self.min_value, "max": self.max_value})
        return value

    def describe(self):
        if self.min_value is not None and self.max_value is not None and self.max_value < 10**6:
            return _("a whole number from %(min)s to %(max)s") % {"min": self.min_value, "max": self.max_value}
        return _("a whole number")


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _to_date(raw) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, float | int) and not isinstance(raw, bool) and 1 <= raw <= 2958465:
        return EXCEL_EPOCH + datetime.timedelta(days=int(raw))  # a date cell without a date format
    if isinstance(raw, str):
        text = raw.split(" ")[0]
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


class Date(Parser):
    """A date cell, or text as dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd)."""

    def __call__(self, raw):
        value = _to_date(raw)
        if value is None:
            raise CellError(_("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": _shown(raw)})
        return _validate(self.model_field, value)

    def describe(self):
        return _("a date, dd/mm/yyyy")


class Year(Integer):
    """A year (2015), or a date whose year is taken (15/03/2015)."""

    def __call__(self, raw):
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw < 10000:
            return super().__call__(raw)
        if isinstance(raw, str) and re.fullmatch(r"\d{4}", raw):
            return super().__call__(raw)
        day = _to_date(raw) if not isinstance(raw, int | float) else None
        if day is None:
            raise CellError(_("“%(value)s” is not a year (e.g. 2015) or a date.") % {"value": _shown(raw)})
        return super().__call__(day.year)

    def describe(self):
        return _("a year (e.g. 2015) or a date")


class Choice(Parser):
    """One of the field's choices, by its value or its label in Vietnamese or English, diacritics and
    case ignored ("Sẵn sàng", "san sang", "ready"), or by one of the given spellings."""

    def __init__(self, choices=None, *, spellings: dict | None = None, message=None):
        self.choices = choices
        self.spellings = spellings or {}
        self.message = message

    def bind(self, model_field):
        if self.choices is None:
            self.choices = model_field.choices
        return super().bind(model_field)

    @property
    def lookup(self) -> dict:
        table = self.__dict__.get("_lookup")
        if table is None:
            table = {}
            for value, label in self.choices:
                keys = {header_key(value)}
                for language in ("vi", "en"):
                    with translation.override(language):
                        keys.add(header_key(label))
                keys.update(header_key(text) for text in self.spellings.get(value, ()))
                for key in keys:
                    table.setdefault(key, value)
            self._lookup = table
        return table

    def __call__(self, raw):
        # The same few spellings fill a whole column: remember each one's value.
        memo = self.__dict__.setdefault("_memo", {})
        if raw in memo:
            return memo[raw]
        key = header_key(_shown(raw))
        try:
            value = self.lookup[key]
        except KeyError:
            if self.message:
                raise CellError(str(self.message)) from None
            raise CellError(_("“%(value)s” is not one of: %(list)s.") % {
                "value": _shown(raw), "list": ", ".join(str(label) for _v, label in self.choices)}) from None
        if len(memo) < 1000:
            memo[raw] = value
        return value

    def describe(self):
        return ", ".join(str(label) for _v, label in self.choices)


# --- columns --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a register's import file: the field it fills, its header in the template, other
    headers that mean the same, how a cell is read."""

    field: str
    header: str
    parse: Parser
    aliases: tuple = ()
    required: bool = False  # the file must have this column
    label: object = None  # the model field's verbose name: a header in Vietnamese and English too
    example: object = ""  # the template's example row
    note: object = ""  # a line for the template's guide sheet

    @classmethod
    def of(cls, model, name: str, header: str, *, parse: Parser | None = None, spellings: dict | None = None,
           **kwargs) -> "Column":
        """A column for a model field, its rules taken from the field (limits, choices, validators)."""
        model_field = model._meta.get_field(name)
        if parse is None:
            if model_field.choices:
                parse = Choice(spellings=spellings)
            elif isinstance(model_field, models.DecimalField):
                parse = Number()
            elif isinstance(model_field, models.IntegerField):
                parse = Integer()
            elif isinstance(model_field, models.DateField):
                parse = Date()
            else:
                parse = Text()
        if not isinstance(model_field, models.ForeignKey):
            parse.bind(model_field)
        return cls(field=name, header=header, parse=parse, label=model_field.verbose_name, **kwargs)

    def header_keys(self) -> set[str]:
        texts = [self.header, *self.aliases]
        if self.label is not None:
            for language in ("vi", "en"):
                with translation.override(language):
                    texts.append(str(self.label))
        return {header_key(text) for text in texts} - {""}


# --- rows -----------------------------------------------------------------------------------------

ADD, UPDATE, UNCHANGED = "add", "update", "unchanged"


class Row:
    """One data row of the file: its number in the sheet, its values by field, its errors."""

    __slots__ = ("number", "values", "errors", "outcome", "obj", "changed", "context")

    def __init__(self, number: int, values: dict, errors: list):
        self.number, self.values, self.errors = number, values, errors
        self.outcome = self.obj = self.changed = None
        self.context = {}

    def error(self, field: str | None, message) -> None:
        """Note a problem of the row; a column that already has one keeps its first."""
        if field is None or all(name != field for name, _m in self.errors):
            self.errors.append((field, str(message)))

    def add(self, obj) -> None:
        self.outcome, self.obj = ADD, obj

    def update(self, obj, changed: list[str]) -> None:
        self.outcome, self.obj, self.changed = (UPDATE, obj, changed) if changed else (UNCHANGED, obj, [])


# --- reading a file -------------------------------------------------------------------------------

class Sheet:
    """The first sheet of a file whose header the columns recognise; iterates its data rows, read from
    the file as they are iterated (``core.sheets``)."""

    def __init__(self, source, columns, *, max_rows: int | None = None):
        self.columns = columns
        self.max_rows = max_rows or settings.IMPORT_MAX_ROWS
        try:
            self.book = open_workbook(source)
        except SheetReadError as error:
            raise ImportFileError(_("This is not an Excel (.xlsx, .xls) or OpenDocument (.ods) spreadsheet.")) \
                from error
        try:
            with _unreadable():
                self._find_header()
        except BaseException:
            self.close()
            raise

    def _find_header(self) -> None:
        keys = {}
        for column in self.columns:
            for key in column.header_keys():
                keys.setdefault(key, column)
        seen_data = False
        for worksheet in self.book.worksheets():
            rows = worksheet.rows()
            head = []  # the first rows with something in them: the header may sit under a title
            for numbered in rows:
                head.append(numbered)
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
            if not head:
                continue
            seen_data = True
            best, best_index = [], None
            for index, (_number, cells) in enumerate(head):
                matched = [(i, keys[header_key(c)]) for i, c in enumerate(cells)
                           if isinstance(c, str) and header_key(c) in keys]
                if len(matched) > len(best) and len(matched) >= min(2, len(self.columns)):
                    best, best_index = matched, index
            if best_index is None:
                continue
            self.header_row, header_cells = head[best_index]
            self.sheet_name = worksheet.name
            # Row numbers are the sheet's own, as Excel shows them (empty leading rows counted).
            last = max(worksheet.last_row(), head[-1][0])
            self.total = max(last - self.header_row, 0)
            if self.total > self.max_rows:
                raise ImportFileError(self._too_many(self.total))
            self.mapping, fields = [], {}
            for index, column in best:
                if column.field in fields:
                    raise ImportFileError(_("Two columns mean the same thing: “%(a)s” and “%(b)s”. Keep one.") % {
                        "a": header_cells[fields[column.field]], "b": header_cells[index]})
                fields[column.field] = index
                self.mapping.append((index, column))
            self.headers = {column.field: str(header_cells[index]).strip() for index, column in best}
            self.position = fields  # field → its column, to list a row's errors left to right
            self.ignored = [str(c).strip() for i, c in enumerate(header_cells)
                            if i not in fields.values() and str(c).strip()]
            missing = [c.header for c in self.columns if c.required and c.field not in fields]
            if missing:
                raise ImportFileError(_("The file lacks these columns: %(list)s.") % {"list": ", ".join(missing)})
            self._pending = head[best_index + 1:]
            self._rows = rows
            return
        if not seen_data:
            raise ImportFileError(_("The file is empty."))
        raise ImportFileError(_("No header row found: the first rows should hold column titles such as %(list)s. "
                                "Download the template to see them.") % {
            "list": ", ".join(f"“{c.header}”" for c in self.columns[:3])})

    def _too_many(self, rows: int) -> str:
        return _("The file has %(rows)s rows; at most %(max)s can be imported at once. Split it into several "
                 "files.") % {"rows": rows, "max": self.max_rows}

    def header_of(self, field: str | None) -> str:
        if field is None:
            return ""
        if field in self.headers:
            return self.headers[field]
        return next((c.header for c in self.columns if c.field == field), field)

    def rows(self) -> Iterator[Row]:
        """The data rows as ``Row``s, blank rows skipped, blank cells left out of ``values``."""
        header_row = number = self.header_row
        last_allowed = header_row + self.max_rows
        mapping = [(index, column.field, column.parse) for index, column in self.mapping]
        with _unreadable():
            for source in (self._pending, self._rows):
                for number, cells in source:
                    if number > last_allowed:  # the sheet said it had fewer rows
                        raise ImportFileError(self._too_many(number - header_row))
                    size = len(cells)
                    values, errors = {}, []
                    for index, name, parse in mapping:
                        if index >= size:
                            continue
                        raw = cells[index]
                        if raw.__class__ is str:
                            if not raw or raw.isspace():
                                continue
                            raw = raw.strip()
                        elif raw is None:
                            continue
                        try:
                            values[name] = parse(raw)
                        except CellError as error:
                            errors.append((name, str(error)))
                    if values or errors:
                        yield Row(number, values, errors)
                    elif any(c != "" and c is not None for c in cells):
                        yield Row(number, {}, [])  # only columns we do not read: still a row to report
        if number - header_row > self.total:
            self.total = number - header_row

    def close(self) -> None:
        self.book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- checks of the model's constraints, without the database --------------------------------------

_OPS = {
    "exact": lambda a, b: a == b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "in": lambda a, b: a in b,
}


def _compile(model, node) -> Callable | None:
    """A Q of the simple lookups check constraints use, as a function of an instance giving True,
    False or None (unknown, as SQL's NULL: a check passes unless it is False)."""
    if isinstance(node, Q):
        parts = [_compile(model, child) for child in node.children]
        if any(part is None for part in parts):
            return None
        decisive = node.connector != Q.AND  # False decides an AND, True an OR

        def combined(obj):
            value = not decisive
            for part in parts:
                result = part(obj)
                if result is decisive:
                    value = decisive
                    break
                if result is None:
                    value = None
            if node.negated and value is not None:
                return not value
            return value
        return combined
    lookup, rhs = node
    name, _sep, op = lookup.partition("__")
    op = op or "exact"
    try:
        attname = model._meta.get_field(name).attname
    except Exception:
        return None
    if op == "isnull":
        return lambda obj: (getattr(obj, attname) is None) == bool(rhs)
    compare = _OPS.get(op)
    if compare is None or (isinstance(rhs, F) and "__" in rhs.name):
        return None
    other = model._meta.get_field(rhs.name).attname if isinstance(rhs, F) else None

    def check(obj):
        left = getattr(obj, attname)
        right = getattr(obj, other) if other else rhs
        if left is None or right is None:
            return None
        return compare(left, right)
    return check


@cache
def _model_checks(model) -> list[tuple[str, str, Callable]]:
    checks = []
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if not isinstance(constraint, models.CheckConstraint) or condition is None:
            continue
        predicate = _compile(model, condition)
        if predicate is None:
            continue  # a lookup we cannot evaluate here: the database still enforces it
        fields = [child[0].split("__")[0] for child in _leaves(condition)]
        checks.append((fields[-1], constraint, predicate))
    return checks


def _leaves(node):
    for child in node.children:
        if isinstance(child, Q):
            yield from _leaves(child)
        else:
            yield child


def constraint_errors(obj) -> dict[str, str]:
    """The model's check constraints evaluated on ``obj`` in memory: {field: message}."""
    errors = {}
    for name, constraint, predicate in _model_checks(type(obj)):
        if predicate(obj) is False:
            errors.setdefault(name, str(constraint.get_violation_error_message()))
    return errors


# --- the run --------------------------------------------------------------------------------------

@dataclass
class Summary:
    """What a dry run found or an import did, kept on the import run and printed by the command."""

    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    errors: list = field(default_factory=list)  # {"row", "column", "message"}, the first MAX_KEPT_ERRORS
    error_count: int = 0
    samples: dict = field(default_factory=lambda: {ADD: [], UPDATE: []})
    columns: list = field(default_factory=list)  # [header in the file, header of the template]
    ignored: list = field(default_factory=list)  # headers of the file that no column reads
    applied: bool = False

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class FileKeys:
    """Where in the file each key (a line's type and number, say) was first seen, for the check of
    duplicates within one file — in memory that does not grow with the file: the keys of the batch
    being checked are in a dict, those of earlier batches in SQLite's private temporary database (on disk
    past a 2 MB page cache, deleted when closed), read once per batch.

        keys.load(keys_of_this_batch)      # in prefetch: one query for the earlier rows of these keys
        first = keys.first(key, row.number)  # in check: the row that had the key first (this one if new)
    """

    def __init__(self):
        self._db = None
        self._batch: dict = {}  # key → first row, for the keys of this batch
        self._new: list = []  # keys first seen in this batch, to store with the next load

    @staticmethod
    def _text(key) -> str:
        return "\x1f".join(map(str, key)) if isinstance(key, tuple) else str(key)

    def load(self, keys) -> None:
        """Start a batch: store the new keys of the previous one, fetch the first rows of ``keys``."""
        if self._new:
            if self._db is None:
                self._db = sqlite3.connect("")  # SQLite's private temporary database, on disk past its cache
                self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000;"
                                       "CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID;")
            self._db.executemany("INSERT INTO seen VALUES (?, ?)",
                                 ((self._text(key), self._batch[key]) for key in self._new))
            self._new = []
        self._batch = {}
        if self._db is None:
            return
        wanted = {self._text(key): key for key in keys}
        texts = list(wanted)
        for start in range(0, len(texts), 500):
            chunk = texts[start:start + 500]
            query = f"SELECT key, row FROM seen WHERE key IN ({','.join('?' * len(chunk))})"
            for text, number in self._db.execute(query, chunk):
                self._batch[wanted[text]] = number

    def first(self, key, number: int) -> int:
        found = self._batch.setdefault(key, number)
        if found == number:
            self._new.append(key)
        return found

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class Importer:
    """A register's import: its columns, how a row becomes a new or changed row of the model, and how
    a batch is written. Subclasses set ``key``, ``model``, ``columns``, ``title`` and define
    ``check``; ``prepare`` and ``prefetch`` load what checking needs once and once per batch, so no
    row makes a query of its own. ``self.file_keys`` (a ``FileKeys``, one per run) finds a key
    repeated within the file."""

    key: str = ""
    model = None
    columns: tuple[Column, ...] = ()
    title = gettext_lazy("Import")
    perm: str = Perm.MANAGE_REGISTER
    batch_size = 1000

    def __init__(self, *, user):
        self.user = user
        self.new = Maker(self.model)  # self.new(field=value, …): an unsaved instance, made fast

    def prepare(self) -> None:
        """Load what every row needs (codes of units and types…), once per run."""

    def prefetch(self, rows: list[Row], *, for_update: bool) -> None:
        """Load the existing rows this batch refers to, in one query (locked when writing)."""

    def check(self, row: Row) -> None:
        """Decide what the row does: ``row.add(obj)``, ``row.update(obj, changed)`` or ``row.error(…)``.
        Called also for a row with a bad cell (that field is then missing from ``row.values``)."""
        raise NotImplementedError

    def describe(self, obj) -> str:
        return str(obj)

    def writing(self):
        """A context around all the batches of a write, inside its transaction: what the register does
        once for a whole file rather than once a batch (the register's lines send their signals once)."""
        return nullcontext()

    def write(self, added: list, updated: list[Row]) -> None:
        """Write a checked batch: new rows, then changed rows (only the fields that changed, the
        version bumped so forms opened before the import refuse to overwrite it), audited."""
        if added:
            self.model.objects.bulk_create(added)
            record_bulk(added)
        if updated:
            # Rows that change the same fields are updated together, those fields only: bulk_update
            # costs per row and field.
            now, groups = timezone.now(), {}
            for row in updated:
                row.obj.version += 1
                row.obj.updated_at = now
                groups.setdefault(tuple(sorted(row.changed)), []).append(row.obj)
            for names, objs in groups.items():
                self.model.objects.bulk_update(objs, [*names, "version", "updated_at"])
            record_bulk([row.obj for row in updated], AuditAction.UPDATE)

    def template_lists(self) -> list[tuple[str, str, list[str], list[tuple]]]:
        """(field, sheet name, headers, rows): the codes the user may use for a field, each list a sheet
        of the template and the drop-down list of that field's column."""
        return []

    def template(self) -> bytes:
        """The file to fill: headers with a note each, drop-down lists, a guide with an example row, and
        the lists of codes the user may use."""
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        head = book.add_format({"bold": True, "bg_color": "#DDE5D0", "border": 1, "text_wrap": True,
                                "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 13})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        data = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", str(self.title))[:31])
        guide = book.add_worksheet(_("Guide")[:31])
        lists = {name: (sheet, headers, rows) for name, sheet, headers, rows in self.template_lists()}
        last = settings.IMPORT_MAX_ROWS
        warning = {"error_type": "warning", "error_title": str(_("Not in the list")),
                   "error_message": str(_("This value is not in the list. The check after upload will say whether "
                                          "it can be read."))}
        for index, column in enumerate(self.columns):
            data.write(0, index, column.header, head)
            data.set_column(index, index, max(12, len(column.header) + 2))
            note = "\n".join(str(text) for text in (column.parse.describe(), column.note) if text)
            if note:
                data.write_comment(0, index, note, {"x_scale": 2.5, "y_scale": 1.6})
            if column.field in lists:
                sheet, _headers, rows = lists[column.field]
                data.data_validation(1, index, last, index, {
                    "validate": "list", "source": f"='{sheet}'!$A$2:$A${max(len(rows), 1) + 1}", **warning})
            elif isinstance(column.parse, Choice):
                labels = [str(label) for _value, label in column.parse.choices]
                if len(",".join(labels)) <= 255:
                    data.data_validation(1, index, last, index, {"validate": "list", "source": labels, **warning})
        data.freeze_panes(1, 0)
        guide.write(0, 0, _("Import from Excel: %(register)s") % {"register": self.title}, title)
        lines = [
            _("Fill the first sheet, one row for each line of the register, from its second row on; keep its header "
              "row. Columns may be in any order; columns you do not need may be left out."),
            _("Upload the file on the register's page (Import from Excel). It is checked first and every bad row is "
              "shown with its reason; nothing is written until you confirm, and then all rows or none."),
            _("A row whose type and number are already in the register updates that line; any other row adds a line. "
              "A blank cell leaves the value as it is (a new line takes the usual default)."),
        ]
        for number, text in enumerate(lines, start=2):
            guide.write(number, 0, text)
        top = len(lines) + 3
        for index, text in enumerate([_("Column"), _("Required"), _("Accepted values"), _("Notes"), _("Example")]):
            guide.write(top, index, str(text), head)
        for row, column in enumerate(self.columns, start=top + 1):
            guide.write_row(row, 0, [column.header, str(_("yes")) if column.required else "",
                                     column.parse.describe(), str(column.note), column.example], wrap)
        guide.set_column(0, 0, 26)
        guide.set_column(1, 1, 10)
        guide.set_column(2, 3, 48)
        guide.set_column(4, 4, 16)
        example = top + len(self.columns) + 3
        guide.write(example - 1, 0, str(_("An example row:")), title)
        for index, column in enumerate(self.columns):
            guide.write(example, index, column.header, head)
            guide.write(example + 1, index, column.example)
        for sheet, headers, rows in lists.values():
            page = book.add_worksheet(sheet[:31])
            page.write_row(0, 0, headers, head)
            for number, row in enumerate(rows, start=1):
                page.write_row(number, 0, row)
            page.set_column(0, 0, 16)
            page.set_column(1, len(headers), 40)
            page.freeze_panes(1, 0)
        book.close()
        return buffer.getvalue()

    def display(self, obj, name: str) -> str:
        value = getattr(obj, name)
        model_field = obj._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        return "" if value is None else str(value)

    def run(self, source, *, apply: bool = False, progress: Callable[[int, int], None] | None = None) -> Summary:
        """Check every row of the file; with ``apply``, write them in one transaction, or nothing at all
        when any row is bad. ``progress(done, total)`` is called after each batch."""
        with Sheet(source, self.columns) as sheet, _few_collections(), FileKeys() as self.file_keys:
            summary = Summary(columns=[[sheet.headers[c.field], c.header] for _i, c in sheet.mapping],
                              ignored=sheet.ignored)
            self.prepare()
            with transaction.atomic() if apply else nullcontext():
                with self.writing() if apply else nullcontext():
                    batch, done = [], 0
                    for row in sheet.rows():
                        batch.append(row)
                        if len(batch) >= self.batch_size:
                            self._batch(batch, sheet, summary, apply)
                            done = row.number - sheet.header_row
                            batch = []
                            if progress:
                                progress(done, sheet.total)
                    if batch:
                        self._batch(batch, sheet, summary, apply)
                if not summary.total:
                    raise ImportFileError(_("There are no rows under the header."))
                if apply:
                    if summary.bad:
                        transaction.set_rollback(True)
                    else:
                        summary.applied = True
            if progress:
                progress(sheet.total, sheet.total)
        return summary

    def _batch(self, rows: list[Row], sheet: Sheet, summary: Summary, apply: bool) -> None:
        self.prefetch(rows, for_update=apply)
        added, updated = [], []
        samples = summary.samples
        for row in rows:
            summary.total += 1
            self.check(row)  # also on a row with a bad cell: every problem of a row is shown at once
            if row.errors:
                summary.bad += 1
                for name, message in sorted(row.errors, key=lambda error: sheet.position.get(error[0], 999)):
                    summary.error_count += 1
                    if len(summary.errors) < MAX_KEPT_ERRORS:
                        summary.errors.append({"row": row.number, "column": sheet.header_of(name),
                                               "message": message})
            elif row.outcome == ADD:
                summary.added += 1
                added.append(row.obj)
                if len(samples[ADD]) < SAMPLE_SIZE:
                    samples[ADD].append({"row": row.number, "text": self.describe(row.obj)})
            elif row.outcome == UPDATE:
                summary.updated += 1
                updated.append(row)
                if len(samples[UPDATE]) < SAMPLE_SIZE:
                    before = row.obj.audit_snapshot() or {}
                    samples[UPDATE].append({"row": row.number, "text": self.describe(row.obj), "changes": [
                        [sheet.header_of(name), self._display_before(row.obj, name, before),
                         self.display(row.obj, name)] for name in row.changed]})
            else:
                summary.unchanged += 1
        if apply and not summary.bad:
            self.write(added, updated)

    def _display_before(self, obj, name, before) -> str:
        attname = obj._meta.get_field(name).attname
        if attname not in before:
            return ""
        current = getattr(obj, attname)
        setattr(obj, attname, before[attname])
        try:
            return self.display(obj, name)
        finally:
            setattr(obj, attname, current)


@contextmanager
def _unreadable():
    """A file found broken while its rows are read (a truncated zip, bad XML): said as a file error."""
    try:
        yield
    except (SheetReadError, zipfile.BadZipFile, expat.ExpatError, zlib.error, EOFError) as error:
        raise ImportFileError(_("The file is damaged: it could not be read to its end.")) from error


@contextmanager
def _few_collections():
    """Python's cyclic garbage collector scans every live object now and then; with the many objects a
    long import makes, those scans grew to half its time. What exists before the run is set aside
    (``gc.freeze``) and young objects are collected less often, for the run only."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    """Make an importer known by its key (the pages, the task and the API find it there)."""
    IMPORTERS[importer.key] = importer
    return importer
