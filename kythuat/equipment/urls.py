from django.urls import include, path

from kythuat.core.views import model_views, object_urls

from . import forms, views
from .models import Branch, EquipmentType, GradeChange, GradeDefinition, Item, StrikeOff, Transfer

app_name = "equipment"

grade_change_views = model_views(GradeChange, list_view=views.GradeChangeListView,
                                 form_class=forms.GradeChangeForm, detail_view=views.GradeChangeView)
grade_change_views["add"] = views.GradeChangeCreateView
transfer_views = model_views(Transfer, list_view=views.TransferListView, form_class=forms.TransferForm,
                             detail_view=views.TransferView)
transfer_views["add"] = views.TransferCreateView
strike_off_views = model_views(StrikeOff, list_view=views.StrikeOffListView, form_class=forms.StrikeOffForm,
                               detail_view=views.StrikeOffView)
strike_off_views["add"] = views.StrikeOffCreateView

urlpatterns = [
    path("register/import/", views.ItemImportView.as_view(), name="item_import"),
    path("register/import/template/", views.ItemImportTemplateView.as_view(), name="item_import_template"),
    path("register/", include(object_urls("item", model_views(
        Item, list_view=views.ItemListView, form_class=forms.ItemForm, detail_view=views.ItemView)))),
    path("grade-changes/", include(object_urls("gradechange", grade_change_views))),
    path("grade-changes/<int:pk>/approve/", views.GradeChangeApproveView.as_view(), name="gradechange_approve"),
    path("grade-changes/<int:pk>/cancel/", views.GradeChangeCancelView.as_view(), name="gradechange_cancel"),
    path("transfers/", include(object_urls("transfer", transfer_views))),
    path("transfers/<int:pk>/approve/", views.TransferApproveView.as_view(), name="transfer_approve"),
    path("transfers/<int:pk>/complete/", views.TransferCompleteView.as_view(), name="transfer_complete"),
    path("transfers/<int:pk>/cancel/", views.TransferCancelView.as_view(), name="transfer_cancel"),
    path("transfers/<int:pk>/handover.docx", views.TransferHandoverView.as_view(), name="transfer_handover"),
    path("strike-offs/", include(object_urls("strikeoff", strike_off_views))),
    path("strike-offs/<int:pk>/consolidate/", views.StrikeOffConsolidateView.as_view(), name="strikeoff_consolidate"),
    path("strike-offs/<int:pk>/approve/", views.StrikeOffApproveView.as_view(), name="strikeoff_approve"),
    path("strike-offs/<int:pk>/complete/", views.StrikeOffCompleteView.as_view(), name="strikeoff_complete"),
    path("strike-offs/<int:pk>/cancel/", views.StrikeOffCancelView.as_view(), name="strikeoff_cancel"),
    path("labels/", views.LabelSheetView.as_view(), name="labels"),
    path("types/", include(object_urls("equipmenttype", model_views(
        EquipmentType, list_view=views.EquipmentTypeListView, form_class=forms.EquipmentTypeForm,
        detail_view=views.EquipmentTypeView)))),
    path("branches/", include(object_urls("branch", model_views(
        Branch, list_view=views.BranchListView, form_class=forms.BranchForm, detail_view=views.BranchView)))),
    path("grades/", include(object_urls("gradedefinition", model_views(
        GradeDefinition, list_view=views.GradeDefinitionListView, form_class=forms.GradeDefinitionForm)))),
]
