from rest_framework import routers

from . import views

router = routers.SimpleRouter()
router.register("rules", views.MaintenanceRuleViewSet)
router.register("schedules", views.ScheduleViewSet)
router.register("work-orders", views.WorkOrderViewSet)
router.register("technical-days", views.TechnicalDayViewSet)
router.register("usage", views.UsageLogViewSet)
router.register("faults", views.FaultViewSet)

app_name = "maintenance-api"
urlpatterns = router.urls
