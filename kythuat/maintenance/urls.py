from django.urls import include, path

from kythuat.core.views import ObjectHistoryView, ObjectView, model_views, object_urls

from . import forms, views
from .models import Fault, MaintenanceRule, TechnicalDay, UsageLog, WorkOrder

app_name = "maintenance"

rule_views = model_views(MaintenanceRule, list_view=views.MaintenanceRuleListView, form_class=forms.MaintenanceRuleForm,
                         detail_view=views.MaintenanceRuleView)
rule_views["delete"] = views.MaintenanceRuleDeleteView
work_order_views = model_views(WorkOrder, list_view=views.WorkOrderListView, form_class=forms.WorkOrderForm,
                               detail_view=views.WorkOrderView)
work_order_views["add"] = views.WorkOrderCreateView
technical_day_views = {
    "list": views.TechnicalDayListView,
    "add": views.TechnicalDayCreateView,
    "": views.TechnicalDayView,
    "history": type("TechnicalDayHistoryView", (ObjectHistoryView,), {"model": TechnicalDay}),
}
usage_views = model_views(UsageLog, list_view=views.UsageLogListView, form_class=forms.UsageLogForm, delete=False,
                          detail_view=type("UsageLogView", (ObjectView,), {
                              "model": UsageLog, "queryset": UsageLog.objects.select_related("item__type", "unit")}))
fault_views = model_views(Fault, list_view=views.FaultListView, form_class=forms.FaultForm, delete=False,
                          detail_view=views.FaultView)

urlpatterns = [
    path("", views.ScheduleListView.as_view(), name="schedule_list"),
    path("calendar/", views.DueCalendarView.as_view(), name="calendar"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("rules/import/", views.MaintenanceRuleImportView.as_view(), name="maintenancerule_import"),
    path("rules/import/template/", views.MaintenanceRuleImportTemplateView.as_view(),
         name="maintenancerule_import_template"),
    path("rules/", include(object_urls("maintenancerule", rule_views))),
    path("work-orders/import/", views.WorkLogImportView.as_view(), name="workorder_import"),
    path("work-orders/import/template/", views.WorkLogImportTemplateView.as_view(), name="workorder_import_template"),
    path("work-orders/", include(object_urls("workorder", work_order_views))),
    path("work-orders/<int:pk>/start/", views.WorkOrderStartView.as_view(), name="workorder_start"),
    path("work-orders/<int:pk>/wait/", views.WorkOrderWaitView.as_view(), name="workorder_wait"),
    path("work-orders/<int:pk>/complete/", views.WorkOrderCompleteView.as_view(), name="workorder_complete"),
    path("work-orders/<int:pk>/verify/", views.WorkOrderVerifyView.as_view(), name="workorder_verify"),
    path("work-orders/<int:pk>/cancel/", views.WorkOrderCancelView.as_view(), name="workorder_cancel"),
    path("technical-days/", include(object_urls("technicalday", technical_day_views))),
    path("usage/", include(object_urls("usagelog", usage_views))),
    path("faults/", include(object_urls("fault", fault_views))),
    path("faults/<int:pk>/repair/", views.FaultRepairView.as_view(), name="fault_repair"),
    path("faults/<int:pk>/cancel/", views.FaultCancelView.as_view(), name="fault_cancel"),
]
