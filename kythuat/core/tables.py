"""Base table of every list page (django-tables2): sortable, paginated, exportable."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


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


class DateColumn(tables.DateColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("short", True)
        super().__init__(*args, **kwargs)
