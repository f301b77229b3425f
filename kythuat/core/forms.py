"""Base form of every domain model: scoped choices and the version for optimistic locking."""

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .scoping import scope_for


class QuickOptionsMixin:
    """Writes a drop-down's options in Python rather than through one template each: the HTML of
    Django's widget (the same options selected), but a list of a thousand units takes a few
    milliseconds instead of a hundred."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = {str(v) for v in self.format_value(value)}
        has_selected = False
        parts = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, list | tuple)
            if grouped:
                parts.append(format_html('<optgroup label="{}">', group_value))
            top_value = "" if group_value is None else group_value
            for option_value, label in group_label if grouped else [(top_value, group_label)]:
                option_value = str(option_value)
                selected = (not has_selected or self.allow_multiple_selected) and option_value in values
                has_selected |= selected
                parts.append(f'<option value="{conditional_escape(option_value)}"{" selected" if selected else ""}>'
                             f"{conditional_escape(label)}</option>")
            if grouped:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


class QuickSelect(QuickOptionsMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickOptionsMixin, forms.SelectMultiple):
    pass


QUICK_WIDGETS = {forms.Select: QuickSelect, forms.SelectMultiple: QuickSelectMultiple}


def quick_selects(form) -> None:
    """Give the form's plain drop-downs the quick rendering (the widgets keep their choices and state)."""
    for field in form.fields.values():
        quick = QUICK_WIDGETS.get(type(field.widget))
        if quick is not None:
            field.widget.__class__ = quick


def localize_number(field) -> None:
    """Decimals as Vietnamese write them: "6,5" and "1.234,5" are read, and shown the same way; the
    phone offers its number keyboard. (Whole numbers keep the number input: years must not read
    "2.026".)"""
    field.localize = True
    field.widget = forms.TextInput(attrs={**field.widget.attrs, "inputmode": "decimal"})
    field.widget.is_localized = True


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by depth, so the drop-down reads as the tree."""

    def label_from_instance(self, obj):
        depth = getattr(obj, "depth", 0) or 0
        return f"{'  ' * depth}{'— ' if depth else ''}{obj.name}"


class DomainModelForm(forms.ModelForm):
    """Limits every choice of a scoped model to what the user may see, and the field that places the
    row in the tree (``scope_form_field``) to units where the user may do this action. Carries the
    version the user read, so a save over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    scope_form_field: str | None = None  # default: the model's scope_field
    # Drop-downs that can hold thousands of rows (the items of a province): when the row is already
    # chosen (?item=5 from the item's page, or the value posted) they offer only that row.
    long_choice_fields: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        model = self._meta.model
        action = "change" if self.instance.pk else "add"
        scope_name = self.scope_form_field or model.scope_field
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not hasattr(queryset, "visible_to"):
                continue
            perm = model.perm_for(action) if name == scope_name else field.queryset.model.perm_for("view")
            field.queryset = queryset.visible_to(user, perm)
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        if self.is_bound:
            self.narrow_choices()
        quick_selects(self)
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField | forms.FloatField) and not isinstance(
                    field.widget, forms.HiddenInput):
                localize_number(field)
            if isinstance(field.widget, forms.DateInput):
                field.widget.format = "%d/%m/%Y"
                field.widget.attrs.setdefault("placeholder", "dd/mm/yyyy")
                field.widget.attrs.setdefault("inputmode", "numeric")

    @property
    def scope(self):
        return scope_for(self.user)

    def narrow_choices(self) -> None:
        for name in self.long_choice_fields:
            field = self.fields.get(name)
            value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
            if field is not None and str(value or "").isdigit():
                field.queryset = field.queryset.filter(pk=int(value))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            version = cleaned.get("version")
            if version is None:
                raise forms.ValidationError(_("The form is missing the record's version; reload the page."))
            self.instance.version = version
        return cleaned


class ConfirmForm(forms.Form):
    """Destructive actions are POSTed from a confirmation page, with the version seen there."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “Excel sync”."))
    expires_at = forms.DateTimeField(label=_("Expires"), required=False, help_text=_("Empty: never."))

    def clean_expires_at(self):
        from django.utils import timezone

        value = self.cleaned_data.get("expires_at")
        if value and value <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file"), help_text=_(".xlsx, .xls or .ods; the first sheet is read."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods"}))

    def clean_file(self):
        from .imports import check_upload

        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class PeriodForm(forms.Form):
    """A period of days for figures, both ends included: empty ends mean 1 January of the end's year
    and today; no end in the future, no start after the end."""

    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end.replace(month=1, day=1)
        if end > today:
            self.add_error("end", _("The date cannot be in the future."))
        elif start > end:
            self.add_error("start", _("The period cannot start after it ends."))
        data["start"], data["end"] = start, end
        return data

    def period(self):
        """(start, end) of a valid form, else of the default period (the errors stay on the form)."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        default = PeriodForm({})
        default.is_valid()
        return default.cleaned_data["start"], default.cleaned_data["end"]
