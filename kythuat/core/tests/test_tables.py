"""Every list page's rows are what django-tables2's own row template writes: ``core.tables.row_cells``
works out once per table what is the same for every cell of a column, and reads each render method's
signature once (bench/register_page.py)."""

import re

import django_tables2.utils
import pytest
from django.template import Template
from django.test import Client

from kythuat.core import tables
from kythuat.core.testing.routes import all_routes, make_in_unit

pytestmark = pytest.mark.django_db

# The row template the pages used before (core/table.html), cell by cell through django-tables2.
STOCK_CELLS = Template(
    "{% load l10n %}{% for column, cell in row.items %}<td {{ column.attrs.td.as_html }} "
    'data-label="{{ column.header|striptags|force_escape }}">{% if column.localize == None %}{{ cell }}'
    "{% else %}{% if column.localize %}{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}"
    "</td>{% endfor %}")


def _stock_cells(context, row):
    with context.push(row=row):
        return STOCK_CELLS.render(context)


def _tbody(html: str) -> str:
    found = re.search(r"<tbody.*?</tbody>", html, re.S)
    return found.group(0) if found else ""


def _list_routes():
    return [route for route in all_routes() if not route.is_api and not route.params
            and getattr(route.view_class, "table", None) is not None and route.model is not None]


def test_every_list_page_writes_the_rows_django_tables2_writes(org):
    client = Client()
    client.force_login(org.admin)
    routes = _list_routes()
    assert {"equipment:item_list", "maintenance:schedule_list", "org:unit_list"} <= {r.name for r in routes}
    compared = 0
    for route in routes:
        for _ in range(2):
            try:
                make_in_unit(route.model, org.team1)
            except KeyError:  # a model without a factory: its rows come from the others
                break
        url = route.url()
        ours = client.get(url)
        assert ours.status_code == 200, route.name
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tables, "row_cells", _stock_cells)
            patch.setattr(django_tables2.utils, "signature", tables._signature)
            stock = client.get(url)
        assert _tbody(ours.content.decode()) == _tbody(stock.content.decode()), route.name
        compared += "<td " in _tbody(stock.content.decode())
    assert compared >= 10  # pages with rows, not only empty tables


def test_a_signature_is_read_once_per_function():
    class Table:
        def render_value(self, value, record):
            return value

    first, second = Table(), Table()
    assert tables.cached_signature(first.render_value) == (("value", "record"), None)
    assert tables.cached_signature(second.render_value) == tables._signature(second.render_value)
    assert tables._signature_of.cache_info().hits >= 1
    assert tables.cached_signature(lambda record, **kw: record) == (("record",), "kw")
