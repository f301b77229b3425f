"""Base serializer of every domain model: scoped choices, model validation, the version."""

from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from kythuat.core.models import ApiToken, AuditEntry, ImportRun

from .exceptions import field_errors

_MISSING = object()
_SHARED_PLANS: dict[type, list | None] = {}
# Fields whose representation of a value reads only their own settings (a file field, say, reads the
# request to make an absolute address): these may be shared by every serializer of a class.
_CONTEXT_FREE_FIELDS = {
    serializers.BooleanField, serializers.CharField, serializers.ChoiceField, serializers.IntegerField,
    serializers.BigIntegerField,
    serializers.FloatField, serializers.DecimalField, serializers.DateTimeField, serializers.DateField,
    serializers.TimeField, serializers.DurationField, serializers.UUIDField, serializers.EmailField,
    serializers.SlugField, serializers.URLField, serializers.IPAddressField, serializers.JSONField,
}


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

    # A sentinel id reversed once per serializer, so a page of rows builds its links by joining
    # strings instead of resolving the route and the host for every row (bench/api_load.py).
    URL_SENTINEL = 918273645

    def to_representation(self, instance):
        """DRF's ``Serializer.to_representation``, with each readable field's way to its value worked
        out once instead of once per row and field: the same values in the same order (the API's JSON
        is unchanged, ``core/tests/test_api_output.py``)."""
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = self._representation_plan = self._bound_plan()
        ret = {}
        for name, get, represent, field in plan:
            if get is None:  # anything but a plain column: DRF's own way
                try:
                    attribute = field.get_attribute(instance)
                except serializers.SkipField:
                    continue
                check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[name] = None if check_for_none is None else field.to_representation(attribute)
                continue
            value = get(instance)
            ret[name] = None if value is None else represent(value)
        return ret

    def _bound_plan(self) -> list:
        """The plan of this serializer class, made once per process from a serializer without a
        request, when every readable field is a plain column, an id or a method (the request only
        narrows the choices of related fields, which reading does not use): a page of rows then never
        builds its two dozen DRF fields. Method fields are bound to this serializer, which holds the request."""
        cls = type(self)
        shared = _SHARED_PLANS.get(cls, _MISSING)
        if shared is _MISSING:
            plan = cls(context={})._representation_steps()
            context_free = all(
                isinstance(field, serializers.SerializerMethodField) or represent is _itself
                or (get is not None and type(field) in _CONTEXT_FREE_FIELDS) for _n, get, represent, field in plan)
            shared = _SHARED_PLANS[cls] = None if not context_free else [
                (name, get, field.method_name if isinstance(field, serializers.SerializerMethodField) else represent)
                for name, get, represent, field in plan]
        if shared is None:
            return self._representation_steps()
        return [(name, get, represent if callable(represent) else getattr(self, represent), None)
                for name, get, represent in shared]

    def _representation_steps(self) -> list:
        """(name, getter, representation, field) per readable field. A column of the model is read
        with ``attrgetter`` (DRF's ``get_attribute`` does the same after its checks for callables,
        mappings and missing attributes, none of which a concrete column can be); a foreign key
        shown as its id reads the id column (what DRF's pk-only optimisation returns); a method
        field is called with the row. Anything else keeps DRF's path (getter ``None``)."""
        opts = self.Meta.model._meta
        plan = []
        for field in self._readable_fields:
            get, represent = None, field.to_representation
            if isinstance(field, serializers.SerializerMethodField):
                get = _itself
            elif len(field.source_attrs) == 1:
                try:
                    column = opts.get_field(field.source_attrs[0])
                except FieldDoesNotExist:
                    column = None
                if column is None or not column.concrete or column.many_to_many:
                    pass
                elif not column.is_relation:
                    get = attrgetter(column.attname)
                elif (type(field) is serializers.PrimaryKeyRelatedField and field.pk_field is None
                      and column.many_to_one and column.target_field.primary_key):
                    get, represent = attrgetter(column.attname), _itself
            plan.append((field.field_name, get, represent, field))
        return plan

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
        if type(obj.pk) is int:
            parts = self.__dict__.get("_url_parts")
            if parts is None:
                url = self._absolute_url(obj, self.URL_SENTINEL)
                parts = url.split(str(self.URL_SENTINEL)) if url else ()
                self._url_parts = parts = tuple(parts) if len(parts) == 2 else ()
            if parts:
                return f"{parts[0]}{obj.pk}{parts[1]}"
        return self._absolute_url(obj, obj.pk)

    def _absolute_url(self, obj, pk) -> str | None:
        meta = obj._meta
        try:
            path = reverse(f"{meta.app_label}-api:{meta.model_name}-detail", args=[pk])
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


def _itself(value):
    return value


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
