"""Generic API viewsets: the same scoping, validation, audit and locking as the pages.

    class PersonViewSet(ScopedModelViewSet):
        queryset = Person.objects.select_related("unit")
        serializer_class = PersonSerializer
        filterset_class = PersonFilterSet
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from kythuat.core import attachments
from kythuat.core.importer import IMPORTERS
from kythuat.core.imports import apply_import, start_import
from kythuat.core.models import ApiToken, Attachment, AuditEntry, ImportRun
from kythuat.core.scoping import can, scope_for

from .serializers import ApiTokenSerializer, AttachmentSerializer, AuditEntrySerializer, ImportRunSerializer

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


def version_of(request) -> int | None:
    """The ``version`` a client sent with a document's step (a stale one is refused with 409)."""
    version = request.data.get("version") if hasattr(request.data, "get") else None
    try:
        return int(version) if version is not None else None
    except (TypeError, ValueError) as exc:
        raise serializers.ValidationError({"version": [_("A whole number.")]}) from exc


class DocumentViewSet(ScopedModelViewSet):
    """A document with steps (approve, complete, cancel…) that call the app's services as ``@action``s;
    a document that says why it is locked (no longer a draft) cannot be changed or deleted here."""

    document_kwarg = "document"

    def perform_update(self, serializer):
        reason = getattr(serializer.instance, "locked_reason", None)
        if reason:
            raise PermissionDenied(reason)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        if instance.locked_reason:
            raise PermissionDenied(instance.locked_reason)
        super().perform_destroy(instance)

    def act(self, request, action, service, *, body=None, answer=None, status_code=status.HTTP_200_OK, **kwargs):
        """Run a step: the role's right to ``action`` on the row first (403), then the ``body``
        serializer's checks (400 naming the field), then ``service``, whose ValidationError is a 400
        naming the field and whose stale version is a 409 (``core.api.exceptions``). The answer is
        the row the service returns, through ``answer`` (default: this viewset's serializer)."""
        document = self.get_object()
        if not can(request.user, action, document):
            raise PermissionDenied(NOT_ALLOWED)
        if body is not None:
            data = body(data=request.data, context=self.get_serializer_context())
            data.is_valid(raise_exception=True)
            kwargs.update(data.validated_data)
        result = service(**{self.document_kwarg: document}, user=request.user, **kwargs)
        serializer = (answer(result, context=self.get_serializer_context()) if answer is not None
                      else self.get_serializer(result))
        return Response(serializer.data, status=status_code)


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


class ImportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Imports into registers, as on the pages: ``POST`` a file to check it (nothing written), read
    the run for its result (or its ``progress`` while a large file runs in the background), then
    ``POST …/{id}/apply/`` to write it, all rows or none. Only your own runs exist for you."""

    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.all()
    filter_backends = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return super().get_queryset().filter(created_by=self.request.user)

    def create(self, request, *args, **kwargs):
        scope = scope_for(request.user)
        if not any(scope.has_perm(importer.perm) for importer in IMPORTERS.values()):
            raise PermissionDenied(NOT_ALLOWED)
        importer = IMPORTERS.get(str(request.data.get("importer", "")))
        if importer is None:
            raise serializers.ValidationError({"importer": [_("One of: %(list)s.") % {"list": ", ".join(IMPORTERS)}]})
        if not scope.has_perm(importer.perm):
            raise PermissionDenied(NOT_ALLOWED)
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Send the file (multipart/form-data).")]})
        try:
            run = start_import(importer=importer, user=request.user, upload=upload,
                               request_id=getattr(request, "id", ""))
        except DjangoValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from error
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportRunSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Write a checked file without bad rows into its register (all rows or none)."""
        run = self.get_object()
        importer = IMPORTERS.get(run.importer)
        if importer is None or not scope_for(request.user).has_perm(importer.perm):
            raise PermissionDenied(NOT_ALLOWED)
        try:
            run = apply_import(run=run, user=request.user, request_id=getattr(request, "id", ""))
        except DjangoValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(run).data,
                        status=status.HTTP_202_ACCEPTED if run.is_running else status.HTTP_200_OK)


class AttachmentViewSet(ScopedModelViewSet):
    """Photos and documents of records (work orders, faults): list them (``?record=maintenance.workorder
    &object_id=12``), ``POST`` a file (multipart: ``record``, ``object_id``, ``file``, ``note``) to a
    record you may change, ``DELETE`` one (officers, while the record is open). Files cannot be
    changed, only removed and attached again."""

    queryset = Attachment.objects.select_related("content_type", "uploaded_by")
    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = {"object_id": ["exact"]}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        rows = super().get_queryset()
        record = self.request.query_params.get("record", "")
        if "." in record:
            app_label, model = record.split(".", 1)
            rows = rows.filter(content_type__app_label=app_label, content_type__model=model)
        return rows

    def create(self, request, *args, **kwargs):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        scope = scope_for(request.user)
        if not any(scope.has_perm(model.perm_for("change")) for model in apps.get_models()
                   if getattr(model, "has_attachments", False)):
            raise PermissionDenied(NOT_ALLOWED)
        record, object_id = str(request.data.get("record", "")), str(request.data.get("object_id", ""))
        model = None
        if record.count(".") == 1:
            content_type = ContentType.objects.filter(app_label=record.split(".")[0],
                                                      model=record.split(".")[1]).first()
            model = content_type.model_class() if content_type else None
        if model is None or not getattr(model, "has_attachments", False):
            raise serializers.ValidationError({"record": [_("A record that takes attachments, e.g. "
                                                            "maintenance.workorder.")]})
        if not object_id.isdigit():
            raise serializers.ValidationError({"object_id": [_("The id of the record.")]})
        obj = model.objects.visible_to(request.user).filter(pk=int(object_id)).first()
        if obj is None:
            raise serializers.ValidationError({"object_id": [_("No such record in your units.")]})
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Send the file (multipart/form-data).")]})
        try:
            attachment = attachments.attach(user=request.user, obj=obj, upload=upload,
                                            note=str(request.data.get("note", "")))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict if hasattr(error, "error_dict")
                                              else {"file": error.messages}) from error
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        reason = instance.locked_reason
        if reason:
            raise PermissionDenied(reason)
        stored = instance.file.name
        with transaction.atomic():
            instance.delete()
            transaction.on_commit(lambda: instance.file.storage.delete(stored))
