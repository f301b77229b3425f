from django.urls import get_resolver, include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from .viewsets import ApiTokenViewSet, AttachmentViewSet, AuditEntryViewSet, ImportRunViewSet

router = routers.SimpleRouter()
router.register("audit", AuditEntryViewSet, basename="auditentry")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("imports", ImportRunViewSet, basename="importrun")
router.register("attachments", AttachmentViewSet, basename="attachment")

class ApiRootView(APIView):
    """The entry point: every list endpoint of every app's API (namespaces ending in "-api")."""

    schema = None  # a map of links, not data

    def get(self, request, format=None):
        endpoints = {}
        for namespace, (_prefix, resolver) in sorted(get_resolver().namespace_dict.items()):
            if not namespace.endswith("-api"):
                continue
            names = sorted(k for k in resolver.reverse_dict if isinstance(k, str) and k.endswith("-list"))
            endpoints[namespace[:-4]] = {
                name[:-5]: reverse(f"{namespace}:{name}", request=request, format=format) for name in names
            }
        endpoints["schema"] = reverse("api-schema", request=request)
        endpoints["docs"] = reverse("api-docs", request=request)
        return Response(endpoints)


urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/swagger_ui.html"),
         name="api-docs"),
    path("core/", include((router.urls, "core-api"))),
    path("org/", include("kythuat.org.api.urls")),
    path("equipment/", include("kythuat.equipment.api.urls")),
    path("readiness/", include("kythuat.readiness.api.urls")),
    path("maintenance/figures/", include("kythuat.maintenance.api.figures_urls")),
    path("maintenance/", include("kythuat.maintenance.api.urls")),
]
