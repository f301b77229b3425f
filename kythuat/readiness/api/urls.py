from django.urls import path
from rest_framework import routers

from . import views

router = routers.SimpleRouter()
router.register("rules", views.CoefficientRuleViewSet)

app_name = "readiness-api"
urlpatterns = [path("", views.ReadinessApiView.as_view(), name="readiness"), *router.urls]
