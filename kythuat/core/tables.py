"""Base table of every list page (django-tables2): sortable, paginated, exportable.

The rows of every table are written by ``row_cells`` (the template tag ``table_cells`` of
``core/table.html``): django-tables2 renders each cell's value as always, but what is the same for
every cell of a column (its ``<td>`` attributes, its label for the phone layout) is worked out once
per table instead of once per cell, and django-tables2's ``signature`` (``inspect.signature`` on every
cell's render method) is read once per function. On the register's page of 50 rows × 13 columns
that was most of the table's time (docs/performance.md, *The register page*).
"""

import datetime
import functools
import inspect

import django_tables2 as tables
import django_tables2.utils
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.columns import library


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table"}
        template_name = "core/table.html"
        empty_text = _("Nothing matches. Change the filters or the search.")


class LinkColumn(tables.Column):
    """The column that opens the row's page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("linkify", True)
        super().__init__(*args, **kwargs)


# Every date column, declared or made from a model's date field (registered, so django-tables2 picks
# these before its own): shown in the short Vietnamese form, and exported as the date itself, so that
# an exported .xlsx holds date cells (dd/mm/yyyy, sortable in Excel) where django-tables2 gives ISO text.
@library.register
class DateColumn(tables.DateColumn):
    def value(self, value, **kwargs):
        return value if isinstance(value, datetime.date) else super().value(value=value, **kwargs)


@library.register  # after DateColumn, so asked first (a DateTimeField is a DateField too)
class DateTimeColumn(tables.DateTimeColumn):
    def value(self, value, **kwargs):
        return value if isinstance(value, datetime.datetime) else super().value(value=value, **kwargs)


def _column_heads(table) -> list:
    """(bound column, its <td> attributes as HTML or None when they depend on the row, its label)."""
    heads = getattr(table, "_kythuat_heads", None)
    if heads is None:
        heads = []
        for column in table.columns:
            given = {**table.attrs, **column.column.attrs}
            td = given.get("td", given.get("cell", {}))
            fixed = not any(callable(value) for value in td.values())
            heads.append((column, column.attrs["td"].as_html() if fixed else None,
                          escape(strip_tags(str(column.header)))))
        table._kythuat_heads = heads
    return heads


def row_cells(context, row) -> str:
    """The <td>s of a row, as django-tables2's own row template writes them (each names its column in
    ``data-label``, so a phone shows the row as a card)."""
    out = []
    record = row.record
    for column, td, label in _column_heads(row.table):
        cell = row.get_cell(column.name)
        column.current_value, column.current_record = cell, record  # what callable attributes are given
        if td is None:
            td = column.attrs["td"].as_html()
        if column.localize is not None:
            cell = localize(cell) if column.localize else unlocalize(cell)
        out.append(f'<td {td} data-label="{label}">{render_value_in_context(cell, context)}</td>')
    return mark_safe("".join(out))


_signature = django_tables2.utils.signature


@functools.lru_cache(maxsize=4096)
def _signature_of(function, bound: bool):
    arguments, keywords = _signature(function)
    return (arguments[1:], keywords) if bound and arguments else (arguments, keywords)


def cached_signature(fn):
    """django-tables2's ``signature`` read once per function (a bound method: once per its function)."""
    target = getattr(fn, "__func__", None)
    if target is not None and inspect.isfunction(target):
        return _signature_of(target, True)
    if inspect.isfunction(fn):
        return _signature_of(fn, False)
    return _signature(fn)


django_tables2.utils.signature = cached_signature
