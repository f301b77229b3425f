import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kythuat.core.tables import BaseTable, DateColumn, LinkColumn

from .models import Person, Unit


class UnitTable(BaseTable):
    code = tables.Column(linkify=True)
    name = LinkColumn()
    kind = tables.Column()
    parent = tables.Column(linkify=True, order_by=("parent__name",))
    people = tables.Column(verbose_name=_("People"), accessor="people_count", orderable=True,
                           attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    valid_from = DateColumn()
    valid_to = DateColumn()

    class Meta(BaseTable.Meta):
        model = Unit
        fields = ("code", "name", "short_name", "kind", "parent", "people", "valid_from", "valid_to")
        order_by = ("code",)


class PersonTable(BaseTable):
    full_name = LinkColumn()
    unit = tables.Column(linkify=True, order_by=("unit__name",))

    class Meta(BaseTable.Meta):
        model = Person
        fields = ("full_name", "rank", "category", "position", "unit", "service_number", "phone")
        order_by = ("full_name",)
