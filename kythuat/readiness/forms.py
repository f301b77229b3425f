from django import forms

from kythuat.core.forms import DomainModelForm

from .models import CoefficientRule


class CoefficientRuleForm(DomainModelForm):
    class Meta:
        model = CoefficientRule
        fields = ["branch", "good_grades", "good_conditions", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
