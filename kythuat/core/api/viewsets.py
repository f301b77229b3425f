"""Generic API viewsets: the same scoping, validation, audit and locking as the pages.

    class PersonViewSet(ScopedModelViewSet):
        queryset = Person.objects.select_related("unit")
        serializer_class = PersonSerializer
        filterset_class = PersonFilterSet
"""

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import SAFE_METHODS

from kythuat.core.models import ApiToken, AuditEntry
from kythuat.core.scoping import can, scope_for

from .serializers import ApiTokenSerializer, AuditEntrySerializer

NOT_ALLOWED = "Your role does not allow this action here."


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Rows outside the user's units: 404. Inside without the role's permission: 403. Writes run in
    one transaction each; a stale ``version`` is 409; model rules give 400 naming the field."""

    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields: list[str] | str = ["id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @property
    def model(self):
        return self.queryset.model

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.model.perm_for("view"))

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in SAFE_METHODS:
            action = "delete" if request.method == "DELETE" else "change"
            if not can(request.user, action, obj):
                raise PermissionDenied(NOT_ALLOWED)

    def perform_create(self, serializer):
        if not scope_for(self.request.user).has_perm(self.model.perm_for("add")):
            raise PermissionDenied(NOT_ALLOWED)
        with transaction.atomic():
            instance = serializer.save()
            if not can(self.request.user, "add", instance):
                raise PermissionDenied(NOT_ALLOWED)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            if not can(self.request.user, "change", instance):
                raise PermissionDenied(NOT_ALLOWED)

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()

    def create(self, request, *args, **kwargs):
        if not scope_for(request.user).has_perm(self.model.perm_for("add")):
            raise PermissionDenied(NOT_ALLOWED)
        return super().create(request, *args, **kwargs)


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log of the user's units: read-only."""

    queryset = AuditEntry.objects.select_related("content_type")
    serializer_class = AuditEntrySerializer
    filterset_fields = {"action": ["exact"], "object_id": ["exact"], "content_type__model": ["exact"],
                        "content_type__app_label": ["exact"], "username": ["exact"], "request_id": ["exact"],
                        "timestamp": ["gte", "lte"]}

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                      mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The user's own API tokens: list, create (the key is in the answer, once), revoke."""

    serializer_class = ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = ApiToken.objects.all()
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset().filter(user=self.request.user)
