"""The audit log: one model, written from signals for every ``AuditedModel`` (DESIGN.md §3.3).

Bulk writes that bypass signals (imports, demo data) call ``record_bulk`` themselves.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .bulk import bulk_insert
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


def record_bulk(instances, action: str = AuditAction.CREATE, batch_size: int = 2000) -> None:
    """Audit rows written with bulk_create/update, in batches, in the caller's transaction; one
    author (and so one request id) for the whole write."""
    author = _author()
    entries = []
    for instance in instances:
        values = instance.audit_values()
        changes = {name: [None, value] for name, value in values.items() if value not in (None, "")}
        entries.append(_entry(instance, action, changes, author=author))
        if len(entries) >= batch_size:
            bulk_insert(entries)
            entries = []
    if entries:
        bulk_insert(entries)


def record(obj, action: str, changes: dict) -> AuditEntry:
    """Audit a change of a row that is not an ``AuditedModel`` (user accounts)."""
    entry = _entry(obj, action, changes)
    entry.save()
    return entry
