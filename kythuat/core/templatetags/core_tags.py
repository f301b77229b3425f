from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def table_cells(context, row):
    """The cells of a table's row (``core.tables.row_cells``)."""
    from kythuat.core.tables import row_cells

    return row_cells(context, row)


@register.simple_tag
def field_label(entry, name: str) -> str:
    """The verbose name of an audited field (changes are keyed by attname, e.g. ``unit_id``)."""
    model = entry.content_type.model_class()
    if model is not None:
        for field in model._meta.concrete_fields:
            if name in (field.attname, field.name):
                return _("Record id") if field.primary_key else str(field.verbose_name).capitalize()
    return name


def _field(entry, name):
    model = entry.content_type.model_class()
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if name in (field.attname, field.name):
            return field
    return None


@register.simple_tag(takes_context=True)
def audit_display(context, entry, name, value):
    """A recorded value as people read it: choice labels and the names of referenced rows (only of
    rows the reader may see; others show as their id)."""
    if value is None or value == "":
        return "—"
    field = _field(entry, name)
    if field is None:
        return audit_value(value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        memo = context.render_context.setdefault("audit_fk_memo", {})
        key = (field.related_model, value)
        if key not in memo:
            related = field.related_model._base_manager.all()
            if hasattr(related, "visible_to"):
                related = related.visible_to(context["request"].user)
            obj = related.filter(pk=value).first()
            memo[key] = str(obj) if obj is not None else f"#{value}"
        return memo[key]
    return audit_value(value)


@register.filter
def audit_value(value):
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return value


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def percent(value, digits: int = 1):
    """A ratio as a percentage in the user's number format: 0.9534 → "95,3 %" in Vietnamese."""
    from django.utils.formats import number_format

    if value is None:
        return "—"
    # Rounded first: number_format cuts the digits off (2/3 would read 66,6 %).
    return f"{number_format(round(value * 100, digits), decimal_pos=digits)} %"


@register.filter
def bar_width(value, scale: int = 100):
    """Width of a bar for a ratio 0–1, as a whole number of ``scale`` units."""
    return 0 if value is None else round(max(0.0, min(1.0, value)) * scale)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0
