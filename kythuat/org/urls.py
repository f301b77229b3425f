from django.urls import include, path

from kythuat.core.views import object_urls

from . import views

app_name = "org"

urlpatterns = [
    path("tree/", views.UnitTreeView.as_view(), name="unit_tree"),
    path("units/", include(object_urls("unit", {
        "list": views.UnitListView, "add": views.UnitEditView, "": views.UnitView,
        "edit": views.UnitEditView, "delete": views.UnitDeleteView, "history": views.UnitHistoryView,
    }))),
    path("people/", include(object_urls("person", {
        "list": views.PersonListView, "add": views.PersonEditView, "": views.PersonView,
        "edit": views.PersonEditView, "delete": views.PersonDeleteView, "history": views.PersonHistoryView,
    }))),
]
