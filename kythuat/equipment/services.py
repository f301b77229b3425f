"""Business actions on the register. One function per action, keyword arguments, one transaction,
audited through the models; errors are ValidationError with a message per field or line."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kythuat.core.context import acting_as
from kythuat.core.models import StaleObjectError
from kythuat.core.roles import Perm
from kythuat.core.scoping import scope_for

from .choices import DocumentStatus, TransferStatus, UsageState
from .models import GradeChange, GradeChangeLine, Item, Transfer, TransferLine


def _require(user, perm: str, unit_id) -> None:
    if not scope_for(user).allows(perm, unit_id):
        raise PermissionDenied(_("Your role does not allow this action here."))


def draft_grade_change(*, user, unit, number: str, date, reason: str, basis: str = "", assessors: str = "",
                       lines: list[tuple[int, int]]) -> GradeChange:
    """A draft record with one line per (item id, new grade); nothing changes until approval."""
    _require(user, Perm.MANAGE_REGISTER, unit.pk)
    if not lines:
        raise ValidationError({"items": _("Choose at least one item from the register.")})
    items = {item.pk: item for item in Item.objects.visible_to(user).select_related("type", "unit")
             .filter(pk__in=[item_id for item_id, _g in lines])}
    errors = []
    for item_id, grade_after in lines:
        item = items.get(item_id)
        if item is None:
            errors.append(_("Item #%(id)s does not exist or is outside your units.") % {"id": item_id})
        elif not item.unit.path.startswith(unit.path):
            errors.append(_("%(item)s is not held by %(unit)s or its sub-units.") % {"item": item, "unit": unit})
        elif item.usage_state == UsageState.STRUCK_OFF:
            errors.append(_("%(item)s is struck off.") % {"item": item})
        elif grade_after not in range(1, 6):
            errors.append(_("%(item)s: the new grade must be 1 to 5.") % {"item": item})
        elif grade_after == item.grade:
            errors.append(_("%(item)s: the new grade is the same as the current one.") % {"item": item})
    if len({item_id for item_id, _g in lines}) != len(lines):
        errors.append(_("An item is listed twice."))
    if errors:
        raise ValidationError({"items": errors})
    with transaction.atomic(), acting_as(user):
        record = GradeChange(unit=unit, number=number, date=date, reason=reason, basis=basis, assessors=assessors)
        record.full_clean()
        record.save()
        for item_id, grade_after in lines:
            GradeChangeLine.objects.create(grade_change=record, item=items[item_id],
                                           grade_before=items[item_id].grade, grade_after=grade_after)
    return record


def approve_grade_change(*, grade_change: GradeChange, user, version: int | None = None) -> GradeChange:
    """A commander approves: each item takes its new grade, provided it still has the grade the record
    was drafted on (otherwise someone graded it meanwhile and the record must be redone)."""
    _require(user, Perm.APPROVE, grade_change.unit_id)
    with transaction.atomic(), acting_as(user):
        record = GradeChange.objects.select_for_update().get(pk=grade_change.pk)
        if version is not None and version != record.version:
            raise StaleObjectError(record)
        if record.status != DocumentStatus.DRAFT:
            raise ValidationError(_("Only a draft record can be approved."))
        lines = list(record.lines.select_related("item__type"))
        if not lines:
            raise ValidationError(_("A record without items cannot be approved."))
        items = {item.pk: item for item in Item.objects.select_for_update(of=("self",)).select_related("type").filter(
            pk__in=[line.item_id for line in lines])}
        stale = [str(items[line.item_id]) for line in lines if items[line.item_id].grade != line.grade_before]
        if stale:
            raise ValidationError(_("These items changed grade after the record was drafted: %(list)s. "
                                    "Cancel this record and draft a new one.") % {"list": ", ".join(stale)})
        for line in lines:
            item = items[line.item_id]
            item.grade = line.grade_after
            item.save(update_fields=["grade", "updated_at"])
        record.status = DocumentStatus.APPROVED
        record.approved_by = user
        record.approved_at = timezone.now()
        record.save()
    return record


def cancel_grade_change(*, grade_change: GradeChange, user) -> GradeChange:
    _require(user, Perm.MANAGE_REGISTER, grade_change.unit_id)
    with transaction.atomic(), acting_as(user):
        record = GradeChange.objects.select_for_update().get(pk=grade_change.pk)
        if record.status != DocumentStatus.DRAFT:
            raise ValidationError(_("Only a draft record can be cancelled."))
        record.status = DocumentStatus.CANCELLED
        record.save()
    return record


OPEN_TRANSFER = (TransferStatus.DRAFT, TransferStatus.APPROVED)


def draft_transfer(*, user, from_unit, to_unit, number: str, date, reason: str = "",
                   lines: list[tuple[int, int | None]]) -> Transfer:
    """A draft order moving each (item id, quantity) — quantity ``None`` means the whole line."""
    _require(user, Perm.MANAGE_REGISTER, from_unit.pk)
    if not lines:
        raise ValidationError({"items": _("Choose at least one item from the register.")})
    items = {item.pk: item for item in Item.objects.visible_to(user).select_related("type", "unit")
             .filter(pk__in=[item_id for item_id, _q in lines])}
    busy = set(TransferLine.objects.filter(item_id__in=items, transfer__status__in=OPEN_TRANSFER)
               .values_list("item_id", flat=True))
    errors, resolved = [], []
    for item_id, quantity in lines:
        item = items.get(item_id)
        if item is None:
            errors.append(_("Item #%(id)s does not exist or is outside your units.") % {"id": item_id})
            continue
        quantity = item.quantity if quantity is None else quantity
        if not item.unit.path.startswith(from_unit.path):
            errors.append(_("%(item)s is not held by %(unit)s or its sub-units.") % {"item": item, "unit": from_unit})
        elif item.usage_state == UsageState.STRUCK_OFF:
            errors.append(_("%(item)s is struck off.") % {"item": item})
        elif item_id in busy:
            errors.append(_("%(item)s is already on an open transfer order.") % {"item": item})
        elif not 1 <= quantity <= item.quantity:
            errors.append(_("%(item)s: the quantity must be 1 to %(held)s.") % {"item": item, "held": item.quantity})
        else:
            resolved.append((item, quantity))
    if len({item_id for item_id, _q in lines}) != len(lines):
        errors.append(_("An item is listed twice."))
    if errors:
        raise ValidationError({"items": errors})
    with transaction.atomic(), acting_as(user):
        order = Transfer(from_unit=from_unit, to_unit=to_unit, number=number, date=date, reason=reason)
        order.full_clean()
        order.save()
        for item, quantity in resolved:
            TransferLine.objects.create(transfer=order, item=item, quantity=quantity)
    return order


def _locked_order(transfer, version=None) -> Transfer:
    order = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if version is not None and version != order.version:
        raise StaleObjectError(order)
    return order


def approve_transfer(*, transfer: Transfer, user, version: int | None = None) -> Transfer:
    _require(user, Perm.APPROVE, transfer.from_unit_id)
    with transaction.atomic(), acting_as(user):
        order = _locked_order(transfer, version)
        if order.status != TransferStatus.DRAFT:
            raise ValidationError(_("Only a draft order can be approved."))
        order.status, order.approved_by, order.approved_at = TransferStatus.APPROVED, user, timezone.now()
        order.save()
    return order


def complete_transfer(*, transfer: Transfer, user, version: int | None = None) -> Transfer:
    """Hand over: whole lines change unit; part of a lot splits into a new line at the receiving unit."""
    _require(user, Perm.MANAGE_REGISTER, transfer.from_unit_id)
    with transaction.atomic(), acting_as(user):
        order = _locked_order(transfer, version)
        if order.status != TransferStatus.APPROVED:
            raise ValidationError(_("Only an approved order can be handed over."))
        lines = list(order.lines.all())
        items = {item.pk: item for item in Item.objects.select_for_update(of=("self",)).select_related("type", "unit")
                 .filter(pk__in=[line.item_id for line in lines])}
        errors = []
        for line in lines:
            item = items[line.item_id]
            if not item.unit.path.startswith(order.from_unit.path) or line.quantity > item.quantity:
                errors.append(str(item))
        if errors:
            raise ValidationError(_("These lines are no longer held as the order says: %(list)s.")
                                  % {"list": ", ".join(errors)})
        for line in lines:
            item = items[line.item_id]
            if line.quantity == item.quantity:
                item.unit = order.to_unit
                item.save(update_fields=["unit", "updated_at"])
                line.moved_item = item
            else:
                item.quantity -= line.quantity
                item.save(update_fields=["quantity", "updated_at"])
                part = Item.objects.get(pk=item.pk)
                part.pk, part.id, part._state.adding = None, None, True
                part.unit, part.quantity, part.version = order.to_unit, line.quantity, 1
                part.serial = f"{item.serial}/{order.number}" if item.serial else ""
                part.save()
                line.moved_item = part
            line.save(update_fields=["moved_item"])
        order.status, order.completed_at = TransferStatus.COMPLETED, timezone.now()
        order.save()
    return order


def cancel_transfer(*, transfer: Transfer, user) -> Transfer:
    _require(user, Perm.MANAGE_REGISTER, transfer.from_unit_id)
    with transaction.atomic(), acting_as(user):
        order = _locked_order(transfer)
        if order.status not in OPEN_TRANSFER:
            raise ValidationError(_("A handed-over or cancelled order cannot be cancelled."))
        order.status = TransferStatus.CANCELLED
        order.save()
    return order
