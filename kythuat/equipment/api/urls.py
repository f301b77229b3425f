from rest_framework import routers

from . import views

router = routers.SimpleRouter()
router.register("items", views.ItemViewSet)
router.register("types", views.EquipmentTypeViewSet)
router.register("branches", views.BranchViewSet)
router.register("grades", views.GradeDefinitionViewSet)
router.register("grade-changes", views.GradeChangeViewSet)
router.register("transfers", views.TransferViewSet)
router.register("strike-offs", views.StrikeOffViewSet)

app_name = "equipment-api"
urlpatterns = router.urls
