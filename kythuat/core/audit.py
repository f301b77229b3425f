"""The audit log: one model, written from signals for every ``AuditedModel`` (DESIGN.md §3.3).

Bulk writes that bypass signals (imports, demo data) call ``record_bulk`` themselves.
"""

import json
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .context import current
from .models import AuditAction, AuditedModel, AuditEntry
from .text import fold


def _author():
    """(context, user or None, name written in the log) of the change being made."""
    ctx = current()
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    return ctx, user, user.get_username() if user else ctx.source


def _entry(instance, action: str, changes: dict, scope_unit_id=None, author=None) -> AuditEntry:
    ctx, user, name = author or _author()
    return AuditEntry(
        user=user,
        username=name,
        request_id=ctx.request_id,
        source=ctx.source,
        address=ctx.address,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        scope_unit_id=instance.audit_scope_unit_id() if isinstance(instance, AuditedModel) else scope_unit_id,
        changes=changes,
        search_text=fold(f"{instance} {name}"),
    )


def diff(old: dict | None, new: dict) -> dict:
    old = old or {}
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}


@receiver(post_save)
def _audit_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    new = instance.audit_values()
    if created:
        changes = {name: [None, value] for name, value in new.items() if value not in (None, "") and name != "id"}
        action = AuditAction.CREATE
    else:
        changes = diff(instance.audit_snapshot(), new)
        action = AuditAction.UPDATE
        if not changes:
            return
    _entry(instance, action, changes).save()
    instance.__dict__.pop("_audit_loaded", None)
    instance._audit_snapshot = new


@receiver(post_delete)
def _audit_delete(sender, instance, **kwargs):
    if not isinstance(instance, AuditedModel):
        return
    old = instance.audit_snapshot() or instance.audit_values()
    changes = {name: [value, None] for name, value in old.items() if value not in (None, "")}
    _entry(instance, AuditAction.DELETE, changes).save()


def record_bulk(instances, action: str = AuditAction.CREATE, batch_size: int = 2000) -> int:
    """Audit rows written with bulk_create / bulk_update (which send no signals), in the caller's
    transaction; returns the number of entries written.

    CREATE records every value set; UPDATE records, like a save does, each value that differs from
    what the row was loaded with (its audit snapshot) as old and new, and skips rows without a
    change; DELETE records the values removed. Entries are inserted with one statement per batch:
    imports audit a hundred thousand rows and the ORM's per-value overhead would dominate.
    """
    writer = _BulkEntries(batch_size)
    for instance in instances:
        values = instance.audit_values()
        if action == AuditAction.UPDATE:
            changes = diff(instance.audit_snapshot(), values)
            if not changes:
                continue
            instance._audit_snapshot = values
        elif action == AuditAction.DELETE:
            changes = {name: [value, None] for name, value in values.items() if value not in (None, "")}
        else:
            changes = {name: [None, value] for name, value in values.items() if value not in (None, "")}
        writer.add(instance, action, changes)
    return writer.close()


class _BulkEntries:
    """Rows of ``AuditEntry`` as ``_entry`` makes them, the parts shared by a batch computed once.
    On PostgreSQL a batch goes in by ``COPY``: Django's cursors bind on the client, so ``executemany``
    quoted every value in Python, and took half the time of a bulk write of work orders."""

    fields = ("timestamp", "user", "username", "request_id", "source", "address", "action", "content_type",
              "object_id", "object_repr", "scope_unit_id", "changes", "search_text")

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.connection = connections[router.db_for_write(AuditEntry)]
        ctx = current()
        user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
        self.username = user.get_username() if user else ctx.source
        meta = AuditEntry._meta
        prep = {name: meta.get_field(name) for name in ("timestamp", "address", "changes")}
        self.copy = self.connection.vendor == "postgresql"
        # COPY reads each value as the column's text input: the changes as JSON text.
        self.json = json.dumps if self.copy else partial(prep["changes"].get_db_prep_save,
                                                         connection=self.connection)
        self.shared = (prep["timestamp"].get_db_prep_save(timezone.now(), self.connection),
                       user.pk if user else None, self.username, ctx.request_id, ctx.source,
                       prep["address"].get_db_prep_save(ctx.address, self.connection))
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in self.fields)
        self.sql = (f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN" if self.copy else
                    f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})")
        self.content_types: dict[type, int] = {}
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, instance, action: str, changes: dict) -> None:
        model = type(instance)
        content_type = self.content_types.get(model)
        if content_type is None:
            content_type = self.content_types[model] = ContentType.objects.get_for_model(
                model, for_concrete_model=False).pk
        text = str(instance)
        self.rows.append(self.shared + (action, content_type, str(instance.pk), text[:255],
                                        instance.audit_scope_unit_id(), self.json(changes),
                                        fold(f"{text} {self.username}")))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with self.connection.cursor() as cursor:
                if self.copy:
                    with cursor.cursor.copy(self.sql) as copy:
                        for row in self.rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []

    def close(self) -> int:
        self.flush()
        return self.written


def record(obj, action: str, changes: dict) -> AuditEntry:
    """Audit a change of a row that is not an ``AuditedModel`` (user accounts)."""
    entry = _entry(obj, action, changes)
    entry.save()
    return entry
