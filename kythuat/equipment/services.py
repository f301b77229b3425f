"""Business actions on the register. One function per action, keyword arguments, one transaction,
audited through the models; errors are ValidationError with a message per field or line."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kythuat.core.context import acting_as
from kythuat.core.models import locked
from kythuat.core.roles import Perm
from kythuat.core.scoping import scope_for

from . import history
from .choices import DocumentStatus, StrikeOffReason, StrikeOffStatus, TransferStatus, UsageState
from .models import (
    REPAIR_NOT_WORTHWHILE,
    GradeChange,
    GradeChangeLine,
    Item,
    StrikeOff,
    StrikeOffLine,
    Transfer,
    TransferLine,
)


def _require(user, perm: str, unit_id) -> None:
    if not scope_for(user).allows(perm, unit_id):
        raise PermissionDenied(_("Your role does not allow this action here."))


def _locked(document, version: int | None = None):
    """The document read again and locked until the end of the transaction; a stale version is refused."""
    return locked(document, version, related=("unit" if hasattr(document, "unit_id") else "from_unit",))


def _locked_items(lines) -> dict:
    """The items of a document's lines, locked until the end of the transaction, by id."""
    ids = [line.item_id for line in lines]
    return {item.pk: item for item in Item.objects.select_for_update(of=("self",)).select_related("type", "unit")
            .filter(pk__in=ids)}


def _not_in_future(day, field: str = "date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def draft_grade_change(*, user, unit, number: str, date, reason: str, basis: str = "", assessors: str = "",
                       lines: list[tuple[int, int]], perm: str = Perm.MANAGE_REGISTER) -> GradeChange:
    """A draft record with one line per (item id, new grade); nothing changes until approval. ``perm``
    is the permission that allows drafting: a technician's completed repair drafts one too."""
    _require(user, perm, unit.pk)
    _not_in_future(date)
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
        record = _locked(grade_change, version)
        if record.status != DocumentStatus.DRAFT:
            raise ValidationError(_("Only a draft record can be approved."))
        lines = list(record.lines.select_related("item__type"))
        if not lines:
            raise ValidationError(_("A record without items cannot be approved."))
        items = _locked_items(lines)
        stale = [str(items[line.item_id]) for line in lines if items[line.item_id].grade != line.grade_before]
        if stale:
            raise ValidationError(_("These items changed grade after the record was drafted: %(list)s. "
                                    "Cancel this record and draft a new one.") % {"list": ", ".join(stale)})
        with history.effective_on(record.date):
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
        record = _locked(grade_change)
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
    _not_in_future(date)
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


def approve_transfer(*, transfer: Transfer, user, version: int | None = None) -> Transfer:
    _require(user, Perm.APPROVE, transfer.from_unit_id)
    with transaction.atomic(), acting_as(user):
        order = _locked(transfer, version)
        if order.status != TransferStatus.DRAFT:
            raise ValidationError(_("Only a draft order can be approved."))
        order.status, order.approved_by, order.approved_at = TransferStatus.APPROVED, user, timezone.now()
        order.save()
    return order


def split_line(item: Item, quantity: int, *, unit, suffix: str) -> Item:
    """Take ``quantity`` out of a lot into a new line (of ``unit``) numbered ``<lot>/<suffix>``; the rest
    stays on ``item``. Both changes are dated by the caller's ``history.effective_on``."""
    item.quantity -= quantity
    item.save(update_fields=["quantity", "updated_at"])
    part = Item.objects.get(pk=item.pk)
    part.pk, part.id, part._state.adding = None, None, True
    part.unit, part.quantity, part.version = unit, quantity, 1
    part.registered_on = history.effective_date()
    part.serial = f"{item.serial}/{suffix}" if item.serial else ""
    part.save()
    return part


def complete_transfer(*, transfer: Transfer, user, version: int | None = None, on=None) -> Transfer:
    """Hand over (on ``on``, default today, not before the order's date): whole lines change unit;
    part of a lot splits into a new line at the receiving unit."""
    _require(user, Perm.MANAGE_REGISTER, transfer.from_unit_id)
    on = on or timezone.localdate()
    _not_in_future(on)
    with transaction.atomic(), acting_as(user), history.effective_on(on):
        order = _locked(transfer, version)
        if order.status != TransferStatus.APPROVED:
            raise ValidationError(_("Only an approved order can be handed over."))
        if on < order.date:
            raise ValidationError(_("The handover cannot be dated before the order."))
        lines = list(order.lines.all())
        items = _locked_items(lines)
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
                line.moved_item = split_line(item, line.quantity, unit=order.to_unit, suffix=order.number)
            line.save(update_fields=["moved_item"])
        order.status, order.completed_at = TransferStatus.COMPLETED, timezone.now()
        order.save()
    return order


def cancel_transfer(*, transfer: Transfer, user) -> Transfer:
    _require(user, Perm.MANAGE_REGISTER, transfer.from_unit_id)
    with transaction.atomic(), acting_as(user):
        order = _locked(transfer)
        if order.status not in OPEN_TRANSFER:
            raise ValidationError(_("A handed-over or cancelled order cannot be cancelled."))
        order.status = TransferStatus.CANCELLED
        order.save()
    return order


OPEN_STRIKE_OFF = (StrikeOffStatus.PLAN, StrikeOffStatus.CONSOLIDATED, StrikeOffStatus.APPROVED)


def _strike_off_reason_error(item: Item, *, reason: str, repair_cost, note: str, year: int) -> str | None:
    """Why ``reason`` does not hold for ``item`` (TT 32/2026/TT-BQP Điều 6), or None."""
    if reason == StrikeOffReason.GRADE_5 and item.grade != 5:
        return _("%(item)s is grade %(grade)s, not grade 5.") % {"item": item, "grade": item.grade}
    if reason == StrikeOffReason.SERVICE_LIFE:
        end = item.service_life_end
        if end is None:
            return _("%(item)s: the service life is unknown (year into service and the type's service life).") % {
                "item": item}
        if end > year:
            return _("%(item)s: the service life ends in %(end)s, after %(year)s.") % {
                "item": item, "end": end, "year": year}
    if reason == StrikeOffReason.REPAIR_COST:
        price = item.original_price or item.type.original_price
        if repair_cost is None:
            return _("%(item)s: give the estimated repair cost.") % {"item": item}
        if not price:
            return _("%(item)s: the original price is unknown, so the 30 %% rule cannot be applied.") % {
                "item": item}
        if repair_cost <= price * REPAIR_NOT_WORTHWHILE * item.quantity:
            return _("%(item)s: a repair costing %(cost)s is not over 30 %% of the original price.") % {
                "item": item, "cost": f"{repair_cost:,.0f}".replace(",", ".")}
    if reason == StrikeOffReason.OTHER and not note.strip():
        return _("%(item)s: explain the reason in the note.") % {"item": item}
    return None


def draft_strike_off(*, user, unit, year: int, number: str, date, notes: str = "",
                     lines: list[dict]) -> StrikeOff:
    """A unit's plan; ``lines``: dicts of item (id), quantity (None: the whole line), reason,
    repair_cost, note. Nothing leaves the register until the approved plan is carried out."""
    _require(user, Perm.MANAGE_REGISTER, unit.pk)
    _not_in_future(date)
    if not lines:
        raise ValidationError({"items": _("Choose at least one item from the register.")})
    ids = [line["item"] for line in lines]
    items = {item.pk: item for item in Item.objects.visible_to(user).select_related("type", "unit")
             .filter(pk__in=ids)}
    busy = set(StrikeOffLine.objects.filter(item_id__in=items, strike_off__status__in=OPEN_STRIKE_OFF)
               .values_list("item_id", flat=True))
    errors, resolved = [], []
    for line in lines:
        item = items.get(line["item"])
        if item is None:
            errors.append(_("Item #%(id)s does not exist or is outside your units.") % {"id": line["item"]})
            continue
        quantity = line.get("quantity") or item.quantity
        reason = line.get("reason") or ""
        if not item.unit.path.startswith(unit.path):
            errors.append(_("%(item)s is not held by %(unit)s or its sub-units.") % {"item": item, "unit": unit})
        elif item.usage_state == UsageState.STRUCK_OFF:
            errors.append(_("%(item)s is already struck off.") % {"item": item})
        elif item.pk in busy:
            errors.append(_("%(item)s is already on an open strike-off plan.") % {"item": item})
        elif not 1 <= quantity <= item.quantity:
            errors.append(_("%(item)s: the quantity must be 1 to %(held)s.") % {"item": item, "held": item.quantity})
        elif reason not in StrikeOffReason.values:
            errors.append(_("%(item)s: choose the reason.") % {"item": item})
        else:
            problem = _strike_off_reason_error(item, reason=reason, repair_cost=line.get("repair_cost"),
                                               note=line.get("note") or "", year=year)
            if problem:
                errors.append(problem)
            else:
                resolved.append((item, quantity, line))
    if len(set(ids)) != len(ids):
        errors.append(_("An item is listed twice."))
    if errors:
        raise ValidationError({"items": errors})
    with transaction.atomic(), acting_as(user):
        plan = StrikeOff(unit=unit, year=year, number=number, date=date, notes=notes)
        plan.full_clean()
        plan.save()
        for item, quantity, line in resolved:
            StrikeOffLine.objects.create(strike_off=plan, item=item, quantity=quantity, reason=line["reason"],
                                         repair_cost=line.get("repair_cost"), note=line.get("note") or "")
    return plan


def _require_action(user, plan: StrikeOff, action: str) -> None:
    _require(user, StrikeOff.perm_for(action), plan.action_unit_id(action))


def consolidate_strike_off(*, strike_off: StrikeOff, user, version: int | None = None) -> StrikeOff:
    """The level above takes the unit's plan into its consolidated plan."""
    _require_action(user, strike_off, "consolidate")
    with transaction.atomic(), acting_as(user):
        plan = _locked(strike_off, version)
        if plan.status != StrikeOffStatus.PLAN:
            raise ValidationError(_("Only a unit plan can be consolidated."))
        plan.status, plan.consolidated_by, plan.consolidated_at = StrikeOffStatus.CONSOLIDATED, user, timezone.now()
        plan.save()
    return plan


def approve_strike_off(*, strike_off: StrikeOff, user, version: int | None = None) -> StrikeOff:
    _require_action(user, strike_off, "approve")
    with transaction.atomic(), acting_as(user):
        plan = _locked(strike_off, version)
        if plan.status != StrikeOffStatus.CONSOLIDATED:
            raise ValidationError(_("Only a consolidated plan can be approved."))
        plan.status, plan.approved_by, plan.approved_at = StrikeOffStatus.APPROVED, user, timezone.now()
        plan.save()
    return plan


def complete_strike_off(*, strike_off: StrikeOff, user, version: int | None = None, on=None) -> StrikeOff:
    """Carry out the approved plan on ``on`` (default today): each line leaves the active register; part
    of a lot splits off first. History keeps the items as they were before that day."""
    _require_action(user, strike_off, "complete")
    on = on or timezone.localdate()
    _not_in_future(on)
    with transaction.atomic(), acting_as(user), history.effective_on(on):
        plan = _locked(strike_off, version)
        if plan.status != StrikeOffStatus.APPROVED:
            raise ValidationError(_("Only an approved plan can be carried out."))
        if on < plan.date:
            raise ValidationError(_("The strike-off cannot be dated before the plan."))
        lines = list(plan.lines.all())
        items = _locked_items(lines)
        stale = [str(items[line.item_id]) for line in lines
                 if items[line.item_id].usage_state == UsageState.STRUCK_OFF
                 or not items[line.item_id].unit.path.startswith(plan.unit.path)
                 or line.quantity > items[line.item_id].quantity]
        if stale:
            raise ValidationError(_("These lines are no longer held as the plan says: %(list)s.")
                                  % {"list": ", ".join(stale)})
        for line in lines:
            item = items[line.item_id]
            if line.quantity < item.quantity:
                item = split_line(item, line.quantity, unit=item.unit, suffix=f"LKBC-{plan.year}")
            item.usage_state = UsageState.STRUCK_OFF
            item.save(update_fields=["usage_state", "updated_at"])
            line.struck_item = item
            line.save(update_fields=["struck_item"])
        plan.status, plan.done_on, plan.done_by = StrikeOffStatus.DONE, on, user
        plan.save()
    return plan


def cancel_strike_off(*, strike_off: StrikeOff, user) -> StrikeOff:
    _require_action(user, strike_off, "cancel")
    with transaction.atomic(), acting_as(user):
        plan = _locked(strike_off)
        if plan.status not in OPEN_STRIKE_OFF:
            raise ValidationError(_("A plan carried out or cancelled cannot be cancelled."))
        plan.status = StrikeOffStatus.CANCELLED
        plan.save()
    return plan
