from django.urls import include, path

from kythuat.core.views import model_views, object_urls

from . import forms, views
from .models import Branch, EquipmentType, GradeDefinition, Item

app_name = "equipment"

urlpatterns = [
    path("register/", include(object_urls("item", model_views(
        Item, list_view=views.ItemListView, form_class=forms.ItemForm, detail_view=views.ItemView)))),
    path("types/", include(object_urls("equipmenttype", model_views(
        EquipmentType, list_view=views.EquipmentTypeListView, form_class=forms.EquipmentTypeForm,
        detail_view=views.EquipmentTypeView)))),
    path("branches/", include(object_urls("branch", model_views(
        Branch, list_view=views.BranchListView, form_class=forms.BranchForm, detail_view=views.BranchView)))),
    path("grades/", include(object_urls("gradedefinition", model_views(
        GradeDefinition, list_view=views.GradeDefinitionListView, form_class=forms.GradeDefinitionForm)))),
]
