from django.urls import path

from .figures import MaintenanceFiguresApiView

app_name = "maintenance-figures-api"
urlpatterns = [path("", MaintenanceFiguresApiView.as_view(), name="figures")]
