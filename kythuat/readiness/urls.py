from django.urls import include, path

from kythuat.core.views import model_views, object_urls

from . import forms, views
from .models import CoefficientRule

app_name = "readiness"
urlpatterns = [
    path("", views.ReadinessView.as_view(), name="readiness"),
    path("rules/", include(object_urls("coefficientrule", model_views(
        CoefficientRule, list_view=views.CoefficientRuleListView, form_class=forms.CoefficientRuleForm)))),
]
