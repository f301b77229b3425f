"""Base serializer of every domain model: scoped choices, model validation, the version."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kythuat.core.models import ApiToken, AuditEntry, ImportRun

from .exceptions import field_errors


class DomainModelSerializer(serializers.ModelSerializer):
    """Related rows are limited to what the user may see; the field that places the row in the tree
    (``Meta.scope_field``, default the model's ``scope_field``) to units where the user may do this
    action — anything else is "does not exist", so rows outside scope are not revealed. Updates must
    send the ``version`` they read; a stale one is refused with 409."""

    url = serializers.SerializerMethodField(help_text=_("API address of this record"))
    display = serializers.SerializerMethodField(help_text=_("The record as a person reads it"))
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("Required on update: the version you read (409 if stale)"))

    base_fields = ("id", "url", "display", "version", "created_at", "updated_at")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        model = self.Meta.model
        action = "change" if isinstance(self.instance, model) else "add"
        scope_name = getattr(self.Meta, "scope_field", None) or model.scope_field
        for name, field in fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not hasattr(queryset, "visible_to"):
                continue
            perm = model.perm_for(action) if name == scope_name else queryset.model.perm_for("view")
            field.queryset = queryset.visible_to(request.user, perm)
        return fields

    def get_url(self, obj) -> str | None:
        meta = obj._meta
        try:
            path = reverse(f"{meta.app_label}-api:{meta.model_name}-detail", args=[obj.pk])
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_display(self, obj) -> str:
        return str(obj)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        version = attrs.pop("version", None)
        if self.instance is not None:
            if version is None:
                raise serializers.ValidationError({"version": [_("Send the version of the record you read.")]})
            self._expected_version = version
        model = self.Meta.model
        probe = model(**{f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields}) \
            if self.instance is not None else model()
        probe._state.adding = self.instance is None
        for name, value in attrs.items():
            setattr(probe, name, value)
        exclude = [f.name for f in model._meta.concrete_fields if not f.editable]
        try:
            probe.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
        except DjangoValidationError as error:
            raise serializers.ValidationError(field_errors(error)) from error
        return attrs

    def update(self, instance, validated_data):
        instance.version = self._expected_version
        return super().update(instance, validated_data)


class StepSerializer(serializers.Serializer):
    """Body of a document's step: the version the client read (a stale one is refused with 409)."""

    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("The version of the record you read (409 if stale)"))


class DatedStepSerializer(StepSerializer):
    on = serializers.DateField(required=False, help_text=_("The day it takes effect; empty: today"))


class AuditEntrySerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ("id", "timestamp", "username", "request_id", "source", "action", "model", "object_id",
                  "object_repr", "changes")

    def get_model(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class ApiTokenSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text=_("The key: returned only in the answer to its creation"))

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "last_used_at", "expires_at", "key")
        read_only_fields = ("prefix", "created_at", "last_used_at")

    def get_key(self, obj) -> str | None:
        return getattr(obj, "_key", None)

    def validate_expires_at(self, value):
        from django.utils import timezone

        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("The expiry must be in the future."))
        return value

    def create(self, validated_data):
        token, key = ApiToken.issue(user=self.context["request"].user, **validated_data)
        token._key = key
        return token


class ImportRunSerializer(serializers.ModelSerializer):
    """An import run: upload with ``importer`` and ``file`` (multipart); the answer says what the
    check found. ``errors`` are the bad rows (row, column, message), the first 1,000."""

    importer = serializers.CharField(help_text=_("Which register, e.g. “equipment.item”"))
    file = serializers.FileField(write_only=True, help_text=_("The .xlsx, .xls or .ods file"))
    url = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(help_text=_("[rows done, rows in the file] while running"))
    errors = serializers.SerializerMethodField()
    samples = serializers.SerializerMethodField()
    columns = serializers.SerializerMethodField(help_text=_("[header in the file, column it fills]"))
    ignored = serializers.SerializerMethodField(help_text=_("Headers of the file that no column reads"))

    class Meta:
        model = ImportRun
        fields = ("id", "url", "importer", "file", "file_name", "status", "in_background", "created_at",
                  "started_at", "finished_at", "applied_at", "total", "added", "updated", "unchanged", "bad",
                  "error_count", "errors", "samples", "columns", "ignored", "message", "progress")
        read_only_fields = [name for name in fields if name not in ("importer", "file")]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse("core-api:importrun-detail", args=[obj.pk])
        return request.build_absolute_uri(path) if request else path

    def get_progress(self, obj) -> list[int]:
        from kythuat.core.imports import progress_of

        return list(progress_of(obj))

    def get_errors(self, obj) -> list[dict]:
        return obj.report.get("errors", [])

    def get_samples(self, obj) -> dict:
        return obj.report.get("samples", {})

    def get_columns(self, obj) -> list[list[str]]:
        return obj.report.get("columns", [])

    def get_ignored(self, obj) -> list[str]:
        return obj.report.get("ignored", [])


class AttachmentSerializer(serializers.ModelSerializer):
    """A photo or document of a record; ``download`` is the file, served with the same scoping."""

    record = serializers.SerializerMethodField(help_text=_("app_label.model of the record it belongs to"))
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    download = serializers.SerializerMethodField(help_text=_("Address of the file"))

    class Meta:
        from kythuat.core.models import Attachment

        model = Attachment
        fields = ("id", "record", "object_id", "name", "size", "note", "uploaded_by", "created_at", "download")
        read_only_fields = fields

    def get_record(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_download(self, obj) -> str:
        request = self.context.get("request")
        path = reverse("attachment", args=[obj.pk])
        return request.build_absolute_uri(path) if request else path
