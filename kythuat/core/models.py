"""Base mixins every domain model inherits, the audit log and API tokens.

A domain model gets scoping, audit, optimistic locking and Vietnamese search by inheriting
``DomainModel`` and declaring ``scope_field`` (the lookup to its unit), ``search_fields`` and
``action_perms`` (which permission of ``core.roles`` each action needs).
"""

import datetime
import decimal
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Perm
from .text import fold


class StaleObjectError(Exception):
    """A save based on a version of the row that someone else has changed since."""

    def __init__(self, obj=None):
        self.obj = obj
        super().__init__(
            _("This record was changed by someone else after you opened it. Reload it and make your change again.")
        )


def locked(obj, version: int | None = None, *, related: tuple[str, ...] = ()):
    """``obj`` read again and locked until the end of the transaction; a stale ``version`` is refused.
    The services of every app take their documents through here before a step of their life."""
    fresh = type(obj)._base_manager.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)
    if version is not None and version != fresh.version:
        raise StaleObjectError(fresh)
    return fresh


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = Perm.VIEW):
        """Rows whose unit lies in a subtree where ``user`` holds ``perm``; the one scoping function."""
        from .scoping import scope_for

        scope = scope_for(user)
        if self.model.scope_field is None:  # a catalogue shared by all units
            return self if scope.has_perm(perm) else self.none()
        ids = scope.unit_ids(perm)
        if ids is None:
            return self
        return self.filter(**{f"{self.model.scope_field}__in": ids})

    def search(self, query: str | None, *, relaxed: bool = False):
        """Rows whose folded search text holds every term of ``query``, diacritics ignored.

        ``relaxed`` also accepts a term with its last letter dropped ("dong" finds "Đồn"), the
        fallback the pages and the API use when the exact search finds nothing.
        """
        from .text import search_terms

        qs = self
        for term in search_terms(query):
            condition = models.Q(search_text__contains=term)
            if relaxed and len(term) >= 3:
                condition |= models.Q(search_text__contains=term[:-1])
            qs = qs.filter(condition)
        return qs

    def search_with_fallback(self, query: str | None):
        """(rows, relaxed): exact search, else the relaxed one when the exact finds nothing."""
        exact = self.search(query)
        if not query or exact.exists():
            return exact, False
        return self.search(query, relaxed=True), True


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Optimistic locking: a save carries the version it was read at; a stale one is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        expected = self.version
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            bumped = (
                type(self)._base_manager.using(using)
                .filter(pk=self.pk, version=expected)
                .update(version=expected + 1)
            )
            if bumped == 0:
                raise StaleObjectError(self)
            self.version = expected + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = set(kwargs["update_fields"]) | {"version"}
            return super().save(*args, **kwargs)


class SearchableModel(models.Model):
    """Keeps a folded copy of ``search_fields`` so search ignores diacritics on every backend."""

    search_fields: tuple[str, ...] = ()
    search_text = models.TextField(default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text"}
        return super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return fold(" ".join(str(getattr(self, name) or "") for name in self.search_fields))


_PLAIN = (str, int, float, bool)


def _jsonable(value):
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, FieldFile):  # the stored name, not the file
        return value.name or None
    return value


_AUDIT_FIELDS: dict[type, tuple[str, ...]] = {}


class AuditedModel(models.Model):
    """Every create, update and delete is written to ``AuditEntry`` (signals in ``core.audit``)."""

    audit_exclude: tuple[str, ...] = ("version", "search_text", "created_at", "updated_at")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The values as loaded become the audit snapshot only when the row is saved or deleted: most
        # rows are read to be shown, and a snapshot of each cost a tenth of a list page.
        instance._audit_loaded = (field_names, values)
        return instance

    def audit_snapshot(self) -> dict | None:
        """The audited values as last loaded or saved; None for a row not read from the database."""
        loaded = self.__dict__.pop("_audit_loaded", None)
        if loaded is not None:
            skip = {f.attname for f in self._meta.concrete_fields if f.name in self.audit_exclude}
            self._audit_snapshot = {name: _jsonable(value) for name, value in zip(*loaded, strict=True)
                                    if name not in skip}
        return self.__dict__.get("_audit_snapshot")

    def audit_values(self) -> dict:
        names = _AUDIT_FIELDS.get(type(self))
        if names is None:  # once per model: bulk writes call this for every row
            names = _AUDIT_FIELDS[type(self)] = tuple(
                f.attname for f in self._meta.concrete_fields if f.name not in self.audit_exclude)
        values = self.__dict__
        return {name: _jsonable(values[name]) for name in names if name in values}

    def audit_scope_unit_id(self):
        """Id of the unit whose subtree owns this row, so the audit log is scoped like the row."""
        if getattr(self, "scope_field", None) is None:
            return None
        parts = self.scope_field.split("__")
        if parts in (["id"], ["pk"]):
            return self.pk
        obj = self
        for part in parts[:-1]:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return getattr(obj, f"{parts[-1]}_id", None)


class DomainModel(TimestampedModel, VersionedModel, SearchableModel, AuditedModel):
    """Base of every editable domain model. ``scope_field = None`` marks a catalogue shared by all
    units: everyone with the view permission reads it, the permission for an action anywhere
    allows the action."""

    scope_field = "unit"
    action_perms: dict[str, str] = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_REGISTER,
        "change": Perm.MANAGE_REGISTER,
        "delete": Perm.MANAGE_REGISTER,
    }
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def perm_for(cls, action: str) -> str:
        return cls.action_perms[action]


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log cannot be changed.")

    def delete(self):
        raise PermissionError("The audit log cannot be deleted.")

    def visible_to(self, user, perm: str = Perm.VIEW_AUDIT):
        return super().visible_to(user, perm)

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditEntry(models.Model):
    """One change of domain data: who, when, from which request, which fields, old and new values."""

    timestamp = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    scope_unit_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    search_text = models.TextField(default="", editable=False)

    objects = AuditQuerySet.as_manager()
    scope_field = "scope_unit_id"
    action_perms = {"view": Perm.VIEW_AUDIT}

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-timestamp"], name="audit_object_idx"),
            models.Index(fields=["scope_unit_id", "-timestamp"], name="audit_scope_idx"),
            models.Index(fields=["-timestamp"], name="audit_time_idx"),
            models.Index(fields=["request_id"], name="audit_request_idx"),
        ]

    def __str__(self):
        return f"{self.timestamp:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log cannot be deleted.")

    @classmethod
    def perm_for(cls, action: str) -> str:
        # Nobody may add, change or delete audit entries; "" is a permission no role holds.
        return cls.action_perms.get(action, "")


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A user's API token; only its hash is stored, the key is shown once when made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str, expires_at=None) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=key[:8], key_hash=_hash_key(key), expires_at=expires_at
        )
        return token, key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        return cls.objects.active().select_related("user").filter(key_hash=_hash_key(key)).first()


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    APPLY_QUEUED = "apply_queued", _("Waiting to be written")
    APPLYING = "applying", _("Writing")
    APPLIED = "applied", _("Written to the register")
    REFUSED = "refused", _("Not written: bad rows")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One file imported into a register (``core.importer``): its dry run and, when confirmed, its
    writing. A run is seen only by the person who uploaded it: the file is theirs, and the rows it
    names are checked against their scope."""

    RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.APPLY_QUEUED, ImportStatus.APPLYING)

    importer = models.CharField(_("register"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE,
                                   related_name="import_runs")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    language = models.CharField(max_length=8, default="vi")
    request_id = models.CharField(max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    in_background = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(_("written"), null=True, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    added = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    bad = models.PositiveIntegerField(_("bad rows"), default=0)
    error_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)  # errors kept, samples, columns matched and ignored
    message = models.TextField(blank=True)  # why the file as a whole could not be read

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_run_user_idx")]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("import_run", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def can_apply(self) -> bool:
        return self.status == ImportStatus.CHECKED and not self.bad and bool(self.added or self.updated)


def _attachment_path(instance, filename: str) -> str:
    """Stored under a random name (the original is kept in ``name``): no guessable or unsafe paths."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Attachment(DomainModel):
    """A photo or document attached to a row of any model that declares ``has_attachments = True``
    (a work order's photos of the repair, a fault's picture). Its scope is the row's unit when it was
    attached; files are served only through a scoped view, never as public media."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    scope_unit_id = models.BigIntegerField(null=True, blank=True, editable=False)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_field = "scope_unit_id"
    search_fields = ("name", "note")
    # Adding is allowed by the right to change the row it is attached to (core.attachments).
    action_perms = {"view": Perm.VIEW, "add": "", "change": "", "delete": Perm.MANAGE_REGISTER}

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_object_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("attachment", args=[self.pk])

    def audit_scope_unit_id(self):
        return self.scope_unit_id

    @property
    def locked_reason(self) -> str | None:
        from .attachments import accepts_attachments, parent_of

        parent = parent_of(self)
        if parent is not None and not accepts_attachments(parent):
            return _("The record it belongs to is closed: its files are kept as they are.")
        return None

    @property
    def is_image(self) -> bool:
        return self.name.rsplit(".", 1)[-1].lower() in IMAGE_SUFFIXES


IMAGE_SUFFIXES = {"jpg", "jpeg", "png", "webp", "gif"}
DOCUMENT_SUFFIXES = {"pdf", "docx", "doc", "xlsx", "xls", "odt", "ods", "txt"}
