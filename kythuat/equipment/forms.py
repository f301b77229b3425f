from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.forms import DomainModelForm, UnitChoiceField
from kythuat.org.models import Unit

from .choices import UsageState
from .models import Branch, EquipmentType, GradeChange, GradeDefinition, Item, KitComponent, StrikeOff, Transfer


class BranchForm(DomainModelForm):
    class Meta:
        model = Branch
        fields = ["code", "name", "sort_order", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class GradeDefinitionForm(DomainModelForm):
    class Meta:
        model = GradeDefinition
        fields = ["branch", "grade", "name", "description", "typical_action"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class EquipmentTypeForm(DomainModelForm):
    kit_text = forms.CharField(
        label=_("Kit list"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One component a line; “× N” at the end for a quantity, e.g. “Hộp tiếp đạn × 4”."))

    class Meta:
        model = EquipmentType
        fields = ["branch", "group", "code", "name", "unit_of_measure", "tracked_by", "has_km", "has_engine_hours",
                  "has_rounds", "service_life_years", "original_price", "country", "maker", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["kit_text"] = "\n".join(
                f"{c.name} × {c.quantity}" if c.quantity != 1 else c.name for c in self.instance.kit.all())

    def clean_kit_text(self):
        lines = []
        for number, raw in enumerate(self.cleaned_data.get("kit_text", "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            name, sep, count = line.rpartition("×") if "×" in line else (line, "", "1")
            try:
                quantity = int(count.strip()) if sep else 1
            except ValueError as exc:
                raise forms.ValidationError(_("Line %(n)s: the quantity after “×” must be a whole number.")
                                            % {"n": number}) from exc
            if quantity < 1:
                raise forms.ValidationError(_("Line %(n)s: the quantity must be at least 1.") % {"n": number})
            lines.append(((name if sep else line).strip(), quantity))
        return lines

    def save(self, commit=True):
        kind = super().save(commit=commit)
        kind.kit.all().delete()
        KitComponent.objects.bulk_create(
            KitComponent(type=kind, name=name, quantity=quantity, sort_order=order)
            for order, (name, quantity) in enumerate(self.cleaned_data["kit_text"], start=1))
        return kind


class ItemForm(DomainModelForm):
    """Registering an item sets its first grade and unit; afterwards they are not on the edit form."""

    class Meta:
        model = Item
        fields = ["type", "unit", "serial", "quantity", "year_made", "year_in_service", "original_price", "km",
                  "engine_hours", "rounds", "grade", "condition", "usage_state", "location_class", "completeness",
                  "missing_parts", "registered_on", "notes"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "missing_parts": forms.Textarea(attrs={"rows": 2}),
                   "registered_on": forms.DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = EquipmentType.objects.select_related("branch")
        # Official facts change only through documents (DESIGN.md §3.5): the grade by a grade change,
        # the unit by a transfer, the end by a strike-off.
        self.fields["usage_state"].choices = [
            choice for choice in self.fields["usage_state"].choices
            if choice[0] != UsageState.STRUCK_OFF or choice[0] == self.instance.usage_state
        ]
        if self.instance.pk:
            del self.fields["grade"]
            del self.fields["registered_on"]
            self.fields["unit"].disabled = True
            self.fields["unit"].help_text = _("The holding unit changes only by a transfer.")

        else:
            self.fields["registered_on"].required = False
            self.fields["registered_on"].help_text = _("Empty: today.")

    def clean_registered_on(self):
        day = self.cleaned_data["registered_on"] or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class GradeChangeForm(DomainModelForm):
    """The record's header; on a new record, the lines come from the items chosen in the register."""

    class Meta:
        model = GradeChange
        fields = ["unit", "number", "date", "reason", "basis", "assessors"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"date": forms.DateInput, "reason": forms.Textarea(attrs={"rows": 2}),
                   "basis": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["unit"].disabled = True


class TransferForm(DomainModelForm):
    """The order's header. The receiving unit may be any existing unit (its name only is shown)."""

    scope_form_field = "from_unit"

    class Meta:
        model = Transfer
        fields = ["number", "date", "from_unit", "to_unit", "reason"]
        field_classes = {"from_unit": UnitChoiceField, "to_unit": UnitChoiceField}
        widgets = {"date": forms.DateInput, "reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = Unit.objects.active_on().only("id", "name", "depth", "path")
        if self.instance.pk:
            self.fields["from_unit"].disabled = True


class StrikeOffForm(DomainModelForm):
    """The plan's header; on a new plan, the lines come from the items chosen in the register."""

    class Meta:
        model = StrikeOff
        fields = ["unit", "year", "number", "date", "notes"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"date": forms.DateInput, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["unit"].disabled = True
        elif not self.initial.get("year"):
            self.initial["year"] = timezone.localdate().year


class ActionDateForm(forms.Form):
    """The date a business action takes effect (a handover, a strike-off carried out)."""

    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput)

    def clean_on(self):
        day = self.cleaned_data["on"] or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day
