from decimal import Decimal, InvalidOperation

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.forms import DomainModelForm, PeriodForm, UnitChoiceField, localize_number
from kythuat.equipment.models import Branch
from kythuat.org.models import Person, Unit
from kythuat.org.selectors import top_units

from . import services
from .choices import CALENDAR_LEVELS, Level, Place, Severity, WorkKind
from .models import Fault, MaintenanceRule, UsageLog, WorkOrder


def _not_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


class MaintenanceRuleForm(DomainModelForm):
    tasks_text = forms.CharField(label=_("Checklist"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                                 help_text=_("One task a line."))

    class Meta:
        model = MaintenanceRule
        fields = ["name", "branch", "group", "type", "level", "interval_days", "interval_km", "interval_hours",
                  "interval_rounds", "tolerance_percent", "usage_states", "covers_levels", "active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tasks_text"] = "\n".join(task.text for task in self.instance.tasks.all())

    def clean_tasks_text(self):
        return [line.strip()[:255] for line in self.cleaned_data.get("tasks_text", "").splitlines() if line.strip()]

    def save(self, commit=True):
        """The rule and its checklist, through the service (the schedules follow)."""
        return services.save_rule(user=self.user, rule=super().save(commit=False),
                                  tasks=self.cleaned_data["tasks_text"])


class WorkOrderForm(DomainModelForm):
    """The order's header; on a new order the items come from those ticked in a list."""

    class Meta:
        model = WorkOrder
        fields = ["unit", "number", "kind", "level", "place", "planned_start", "planned_end", "technicians",
                  "description"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"planned_start": forms.DateInput, "planned_end": forms.DateInput,
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["number"].help_text = _("Empty: numbered automatically.")
        self.fields["technicians"].queryset = Person.objects.visible_to(self.user).order_by("full_name")
        self.fields["technicians"].required = False
        if self.instance.pk:
            for name in ("unit", "kind"):
                self.fields[name].disabled = True


class CompleteWorkForm(forms.Form):
    """The header of the completion; the lines' results are posted per item (see the view)."""

    on = forms.DateField(label=_("Finished on"), required=False, widget=forms.DateInput)
    labour_hours = forms.DecimalField(label=_("Labour hours"), required=False, min_value=0, max_digits=8,
                                      decimal_places=1)
    other_cost = forms.DecimalField(label=_("Other cost (VND)"), required=False, min_value=0, max_digits=14,
                                    decimal_places=0)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parts_text = forms.CharField(
        label=_("Parts used"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One part a line: name × quantity × unit price, e.g. “Bơm nhiên liệu × 1 × 2.500.000”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("labour_hours", "other_cost"):
            localize_number(self.fields[name])

    def clean_on(self):
        return _not_future(self.cleaned_data["on"] or timezone.localdate())

    def clean_parts_text(self):
        parts = []
        for number, raw in enumerate(self.cleaned_data.get("parts_text", "").splitlines(), start=1):
            if not raw.strip():
                continue
            pieces = [piece.strip() for piece in raw.split("×")]
            try:
                quantity = _number(pieces[1]) if len(pieces) > 1 else Decimal(1)
                price = _number(pieces[2]) if len(pieces) > 2 else Decimal(0)
            except (InvalidOperation, ValueError) as exc:
                raise forms.ValidationError(_("Line %(n)s: the quantity and the price must be numbers.")
                                            % {"n": number}) from exc
            parts.append({"name": pieces[0], "quantity": quantity, "unit_price": price})
        return parts


def _number(text: str) -> Decimal:
    """A number as Vietnamese write it: dots group thousands, a comma marks decimals."""
    return Decimal(text.replace(".", "").replace(" ", "").replace(",", "."))


class TechnicalDayForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput)
    level = forms.ChoiceField(label=_("Regime level"), choices=[(lv.value, lv.label) for lv in CALENDAR_LEVELS],
                              initial=Level.TECH_DAY)
    branches = forms.ModelMultipleChoiceField(label=_("Branches"), queryset=Branch.objects.all(), required=False,
                                              help_text=_("Empty: every branch."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from kythuat.core.roles import Perm
        from kythuat.core.scoping import scope_for
        from kythuat.org.models import Unit

        ids = scope_for(user).unit_ids(Perm.LOG_WORK)
        units = Unit.objects.active_on().only("id", "name", "depth", "path")
        self.fields["unit"].queryset = units if ids is None else units.filter(pk__in=ids)
        self.fields["date"].initial = timezone.localdate()
        # The unit people usually do it for: their own (a border post's technician has one).
        from kythuat.org.models import Membership

        self.fields["unit"].initial = (Membership.objects.filter(user=user).order_by("unit__depth")
                                       .values_list("unit_id", flat=True).first())

    def clean_date(self):
        return _not_future(self.cleaned_data["date"])


class ServiceFormMixin:
    """A new row is made by its service (which checks and moves what depends on it); an edit of an
    existing row changes only its free-text fields."""

    text_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in list(self.fields):
                if name not in self.text_fields and name != "version":
                    del self.fields[name]

    def _post_clean(self):
        # A new row is checked whole by its service (it knows, say, that the reading after gives what
        # was used); the model's own checks here would refuse what the service completes.
        if self.instance.pk:
            super()._post_clean()

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        return self.create()  # a ValidationError of the service is shown on the form (ObjectEditView)


class UsageLogForm(ServiceFormMixin, DomainModelForm):
    text_fields = ("operator", "purpose", "route")
    scope_form_field = "item"
    long_choice_fields = ("item",)

    class Meta:
        model = UsageLog
        fields = ["item", "date", "km", "km_after", "engine_hours", "engine_hours_after", "rounds", "rounds_after",
                  "operator", "purpose", "route"]
        widgets = {"date": forms.DateInput}
        help_texts = {"km_after": _("Or the odometer reading after the use; either gives the other.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "item" in self.fields:  # already limited to the items where the user may log work
            self.fields["item"].queryset = self.fields["item"].queryset.active().select_related("type")

    def create(self):
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields if name != "item"}
        return services.log_usage(user=self.user, item=self.cleaned_data["item"], **data)


class FaultForm(ServiceFormMixin, DomainModelForm):
    text_fields = ("description",)
    scope_form_field = "item"
    long_choice_fields = ("item",)

    class Meta:
        model = Fault
        fields = ["item", "reported_on", "severity", "description"]
        widgets = {"reported_on": forms.DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "item" in self.fields:  # already limited to the items where the user may log work
            self.fields["item"].queryset = self.fields["item"].queryset.active().select_related("type")
        if "severity" in self.fields:
            self.fields["severity"].widget = forms.RadioSelect(choices=Severity.choices)

    def create(self):
        return services.report_fault(user=self.user, item=self.cleaned_data["item"],
                                     severity=self.cleaned_data["severity"],
                                     description=self.cleaned_data["description"],
                                     reported_on=self.cleaned_data["reported_on"])


class RepairForm(forms.Form):
    """Opening the repair of a fault."""

    kind = forms.ChoiceField(label=_("Kind of repair"), choices=[(k.value, k.label) for k in (
        WorkKind.REPAIR_MINOR, WorkKind.REPAIR_MEDIUM, WorkKind.REPAIR_MAJOR)])
    place = forms.ChoiceField(label=_("Done by"), choices=Place.choices)
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=forms.DateInput)


class FiguresForm(PeriodForm):
    """A unit subtree and a period for the maintenance figures (pages and API alike). Empty: the user's
    units, from 1 January to today."""

    unit = forms.IntegerField(label=_("Unit (with sub-units)"), required=False, min_value=1)

    def unit_for(self, user):
        """The chosen unit if the user sees it (else 404); with none chosen, the user's one top unit, or
        None (every unit the user sees) when there are several."""
        unit_id = self.cleaned_data.get("unit") if self.is_valid() else None
        if unit_id:
            unit = Unit.objects.visible_to(user).filter(pk=unit_id).first()
            if unit is None:
                raise Http404
            return unit
        tops = top_units(user)
        return tops[0] if len(tops) == 1 else None
