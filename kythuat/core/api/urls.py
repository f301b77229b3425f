from django.urls import include, path

urlpatterns = [
    path("org/", include("kythuat.org.api.urls")),
]
