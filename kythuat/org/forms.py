from django import forms
from django.utils.translation import gettext_lazy as _

from kythuat.core.forms import DomainModelForm, UnitChoiceField

from .models import Person, Unit


class UnitForm(DomainModelForm):
    scope_form_field = "parent"  # a unit is placed in the tree by its parent

    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "sort_order", "valid_from", "valid_to",
                  "successor", "notes"]
        field_classes = {"parent": UnitChoiceField, "successor": UnitChoiceField}
        widgets = {"valid_from": forms.DateInput, "valid_to": forms.DateInput,
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        was_root = self.instance.pk and self.instance.parent_id is None
        if parent is None and not was_root and not self.scope.is_everything:
            raise forms.ValidationError(_("Choose the parent unit."))
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(_("A unit cannot be placed under itself or its own sub-unit."))
        return parent


class PersonForm(DomainModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "rank", "category", "position", "unit", "service_number", "birth_date", "phone",
                  "notes"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"birth_date": forms.DateInput, "notes": forms.Textarea(attrs={"rows": 3})}
