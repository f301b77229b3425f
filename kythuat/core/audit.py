"""The audit log: one model, written from signals for every ``AuditedModel`` (DESIGN.md §3.3).

Bulk writes that bypass signals (imports, demo data) call ``record_bulk`` themselves.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .context import current
from .models import AuditAction, AuditedModel, AuditEntry
from .text import fold


def _entry(instance, action: str, changes: dict, scope_unit_id=None) -> AuditEntry:
    ctx = current()
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    return AuditEntry(
        user=user,
        username=user.get_username() if user else ctx.source,
        request_id=ctx.request_id,
        source=ctx.source,
        address=ctx.address,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        scope_unit_id=instance.audit_scope_unit_id() if isinstance(instance, AuditedModel) else scope_unit_id,
        changes=changes,
        search_text=fold(f"{instance} {user.get_username() if user else ctx.source}"),
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
        changes = diff(getattr(instance, "_audit_snapshot", None), new)
        action = AuditAction.UPDATE
        if not changes:
            return
    _entry(instance, action, changes).save()
    instance._audit_snapshot = new


@receiver(post_delete)
def _audit_delete(sender, instance, **kwargs):
    if not isinstance(instance, AuditedModel):
        return
    old = getattr(instance, "_audit_snapshot", None) or instance.audit_values()
    changes = {name: [value, None] for name, value in old.items() if value not in (None, "")}
    _entry(instance, AuditAction.DELETE, changes).save()


def record_bulk(instances, action: str = AuditAction.CREATE, batch_size: int = 2000) -> None:
    """Audit rows written with bulk_create/update, in batches, in the caller's transaction."""
    entries = []
    for instance in instances:
        values = instance.audit_values()
        changes = {name: [None, value] for name, value in values.items() if value not in (None, "")}
        entries.append(_entry(instance, action, changes))
        if len(entries) >= batch_size:
            AuditEntry.objects.bulk_create(entries)
            entries = []
    if entries:
        AuditEntry.objects.bulk_create(entries)


def record(obj, action: str, changes: dict) -> AuditEntry:
    """Audit a change of a row that is not an ``AuditedModel`` (user accounts)."""
    entry = _entry(obj, action, changes)
    entry.save()
    return entry


def record_bulk_updates(instances, batch_size: int = 2000) -> None:
    """Audit rows changed with bulk_update: for each, the fields that differ from the values it was
    read with (``_audit_snapshot``), in batches, in the caller's transaction."""
    entries = []
    for instance in instances:
        new = instance.audit_values()
        changes = diff(getattr(instance, "_audit_snapshot", None), new)
        if not changes:
            continue
        entries.append(_entry(instance, AuditAction.UPDATE, changes))
        instance._audit_snapshot = new
        if len(entries) >= batch_size:
            AuditEntry.objects.bulk_create(entries)
            entries = []
    if entries:
        AuditEntry.objects.bulk_create(entries)
