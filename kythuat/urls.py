from django.urls import include, path

urlpatterns = [
    path("", include("kythuat.core.urls")),
    path("org/", include("kythuat.org.urls")),
    path("users/", include("kythuat.org.users")),
    path("equipment/", include("kythuat.equipment.urls")),
    path("maintenance/", include("kythuat.maintenance.urls")),
    path("readiness/", include("kythuat.readiness.urls")),
    path("api/", include("kythuat.core.api.urls")),
]
