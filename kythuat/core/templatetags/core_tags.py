from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def field_label(entry, name: str) -> str:
    """The verbose name of an audited field (changes are keyed by attname, e.g. ``unit_id``)."""
    model = entry.content_type.model_class()
    if model is not None:
        for field in model._meta.concrete_fields:
            if name in (field.attname, field.name):
                return str(field.verbose_name).capitalize()
    return name


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
