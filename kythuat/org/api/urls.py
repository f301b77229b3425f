from rest_framework import routers

from . import views

router = routers.SimpleRouter()
router.register("units", views.UnitViewSet)
router.register("people", views.PersonViewSet)
router.register("memberships", views.MembershipViewSet)

app_name = "org-api"
urlpatterns = router.urls
