from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kythuat.core import panels
from kythuat.core.documents import docx_response
from kythuat.core.roles import Perm
from kythuat.core.scoping import can, scope_for
from kythuat.core.views import (
    DocumentFromItemsView,
    ImportTemplateView,
    ImportView,
    ObjectActionView,
    ObjectListView,
    ObjectView,
    ScopedView,
)
from kythuat.org.models import Unit

from . import filtersets, forms, services, tables
from .choices import DocumentStatus, Grade, StrikeOffReason, StrikeOffStatus, TransferStatus
from .documents import HANDOVER_STATES, transfer_handover_docx
from .exports import register_book_response
from .importers import ItemImporter
from .labels import label_sheet, qr_svg
from .models import (
    Branch,
    EquipmentType,
    GradeChange,
    GradeDefinition,
    Item,
    StrikeOff,
    StrikeOffLine,
    Transfer,
    TransferLine,
)


def grade_figures(items) -> dict[int, tuple[int, int]]:
    """{grade: (lines, quantity)} of ``items``: one GROUP BY query."""
    rows = items.order_by().values_list("grade").annotate(lines=Count("*"), quantity=Sum("quantity"))
    return {grade: (lines, quantity or 0) for grade, lines, quantity in rows}


def totals_by_grade(items, figures: dict | None = None) -> list[tuple[str, int, int]]:
    """(label, grade, quantity) for grades 1–5 of ``items`` (or of their ``grade_figures``)."""
    figures = grade_figures(items) if figures is None else figures
    return [(grade.label, grade.value, figures.get(grade.value, (0, 0))[1]) for grade in Grade]


class BranchListView(ObjectListView):
    model = Branch
    queryset = Branch.objects.annotate(type_count=Count("types"))
    table = tables.BranchTable
    filterset = filtersets.BranchFilterSet


class BranchView(ObjectView):
    model = Branch

    def extra_context(self, obj):
        return {"types": obj.types.annotate(item_count=Count("items")).order_by("group", "name"),
                "grades": obj.grade_definitions.order_by("grade")}


class GradeDefinitionListView(ObjectListView):
    model = GradeDefinition
    queryset = GradeDefinition.objects.select_related("branch")
    table = tables.GradeDefinitionTable
    filterset = filtersets.GradeDefinitionFilterSet


class EquipmentTypeListView(ObjectListView):
    model = EquipmentType
    queryset = EquipmentType.objects.select_related("branch").annotate(item_count=Count("items"))
    table = tables.EquipmentTypeTable
    filterset = filtersets.EquipmentTypeFilterSet


class EquipmentTypeView(ObjectView):
    model = EquipmentType
    queryset = EquipmentType.objects.select_related("branch").prefetch_related("kit")

    def extra_context(self, obj):
        items = Item.objects.visible_to(self.request.user).active().filter(type=obj)
        totals = totals_by_grade(items)
        return {"by_grade": totals, "total": sum(n for _l, _g, n in totals)}


class ItemListView(ObjectListView):
    """The register (sổ đăng ký): filters, search on number and type, totals by grade."""

    model = Item
    # The units of a page in a second small query: joined, they made the database read every line of
    # the units before sorting (bench/register_page.py).
    queryset = Item.objects.select_related("type__branch").prefetch_related("unit")
    table = tables.ItemTable
    filterset = filtersets.ItemFilterSet
    template_name = "equipment/item_list.html"
    extra_exports = {"book": gettext_lazy("Register book (.xlsx)")}

    def export_rows(self, key, rows):
        """The filtered lines in the layout of the register book."""
        unit_id = self.request.GET.get("unit", "")
        unit = Unit.objects.visible_to(self.request.user).filter(pk=unit_id).first() if unit_id.isdigit() else None
        title = unit.name if unit else _("All units in your scope")
        ordered = rows.order_by("type__branch__sort_order", "type__branch__name", "type__name", "unit__path",
                                "serial", "id")
        return register_book_response(ordered.iterator(chunk_size=2000), title_unit=str(title))

    def extra_context(self, rows):
        figures = grade_figures(rows)  # the totals and the number of lines in one query
        totals = totals_by_grade(rows, figures)
        can_keep = scope_for(self.request.user).has_perm(Perm.MANAGE_REGISTER)
        actions = [(reverse("equipment:gradechange_add"), _("Draft a grade change for the ticked items")),
                   (reverse("equipment:transfer_add"), _("Draft a transfer of the ticked items")),
                   (reverse("equipment:strikeoff_add"), _("Plan the strike-off of the ticked items"))]
        labels = [(reverse("equipment:labels"), _("Print QR labels of the ticked items"))]
        return {"by_grade": totals, "total": sum(n for _l, _g, n in totals),
                "row_count": sum(lines for lines, _q in figures.values()),
                "bulk_actions": (actions if can_keep else []) + panels.actions_for("equipment.item_list",
                                                                                    self.request) + labels,
                "import_url": reverse("equipment:item_import") if can_keep else None}


class ItemImportView(ImportView):
    model = Item
    importer = ItemImporter


class ItemImportTemplateView(ImportTemplateView):
    model = Item
    importer = ItemImporter


class ItemView(ObjectView):
    model = Item
    queryset = Item.objects.select_related("type__branch", "unit").prefetch_related("type__kit")

    def extra_context(self, obj):
        # The branch's own wording of the grade if it has one, else the general wording.
        definition = (GradeDefinition.objects.filter(grade=obj.grade)
                      .filter(Q(branch=obj.type.branch_id) | Q(branch__isnull=True))
                      .order_by(F("branch").asc(nulls_last=True)).first())
        history = (obj.grade_lines.select_related("grade_change")
                   .filter(grade_change__status=DocumentStatus.APPROVED).order_by("grade_change__date", "id"))
        moves = (TransferLine.objects.filter(Q(item=obj) | Q(moved_item=obj))
                 .filter(transfer__status=TransferStatus.COMPLETED)
                 .select_related("transfer__from_unit", "transfer__to_unit").order_by("transfer__date", "id"))
        struck = (StrikeOffLine.objects.filter(Q(item=obj) | Q(struck_item=obj))
                  .exclude(strike_off__status=StrikeOffStatus.CANCELLED).select_related("strike_off"))
        return {"grade_definition": definition, "grade_history": history, "transfers": moves, "strike_offs": struck,
                "qr": qr_svg(self.request.build_absolute_uri(obj.get_absolute_url())),
                "panels": panels.for_page("equipment.item", self.request, obj)}


class GradeChangeListView(ObjectListView):
    model = GradeChange
    queryset = GradeChange.objects.select_related("unit", "approved_by").annotate(line_count=Count("lines"))
    table = tables.GradeChangeTable
    filterset = filtersets.GradeChangeFilterSet


class GradeChangeView(ObjectView):
    model = GradeChange
    queryset = GradeChange.objects.select_related("unit", "approved_by")

    def extra_context(self, obj):
        user = self.request.user
        return {
            "lines": obj.lines.select_related("item__type", "item__unit"),
            "can_approve": obj.is_draft and can(user, "approve", obj),
            "can_cancel": obj.is_draft and can(user, "cancel", obj),
        }


class RegisterDocumentView(DocumentFromItemsView):
    """A new document of the register from the items ticked in it."""

    def items_queryset(self):
        return Item.objects.visible_to(self.request.user).active().select_related("type", "unit")

    def cancel_url(self):
        return reverse("equipment:item_list")


class GradeChangeCreateView(RegisterDocumentView):
    """A new grade change record, one line (item, new grade) per ticked item."""

    model = GradeChange
    template_name = "equipment/gradechange_add.html"
    form_class = forms.GradeChangeForm
    service = services.draft_grade_change
    line_keys = ("grade",)
    done = gettext_lazy("Draft record %(number)s made; a commander approves it.")

    def initial_line(self, item):
        return {"grade": self.request.GET.get("grade", "")}

    def page_context(self):
        return {"grade_choices": Grade.choices}

    def parse_line(self, item, raw):
        if not raw["grade"].isdigit():
            raise ValueError(_("choose the new grade."))
        return (item.pk, int(raw["grade"]))


class GradeChangeApproveView(ObjectActionView):
    model = GradeChange
    action = "approve"

    def perform(self, obj):
        version = self.request.POST.get("version")
        services.approve_grade_change(grade_change=obj, user=self.request.user,
                                      version=int(version) if version and version.isdigit() else None)
        return _("Record %(number)s approved: the items have their new grades.") % {"number": obj.number}


class GradeChangeCancelView(ObjectActionView):
    model = GradeChange
    action = "cancel"

    def perform(self, obj):
        services.cancel_grade_change(grade_change=obj, user=self.request.user)
        return _("Record %(number)s cancelled.") % {"number": obj.number}


class TransferListView(ObjectListView):
    model = Transfer
    queryset = Transfer.objects.select_related("from_unit", "to_unit").annotate(line_count=Count("lines"))
    table = tables.TransferTable
    filterset = filtersets.TransferFilterSet


class TransferView(ObjectView):
    model = Transfer
    queryset = Transfer.objects.select_related("from_unit", "to_unit", "approved_by")

    def extra_context(self, obj):
        user = self.request.user
        is_open = obj.status in services.OPEN_TRANSFER
        return {
            "lines": obj.lines.select_related("item__type", "item__unit", "moved_item__unit"),
            "can_approve": obj.status == TransferStatus.DRAFT and can(user, "approve", obj),
            "can_complete": obj.status == TransferStatus.APPROVED and can(user, "complete", obj),
            "can_cancel": is_open and can(user, "cancel", obj),
            "handover_url": (reverse("equipment:transfer_handover", args=[obj.pk])
                             if obj.status in HANDOVER_STATES else None),
        }


class TransferCreateView(RegisterDocumentView):
    """A new order from the items ticked in the register; lots may move in part."""

    model = Transfer
    template_name = "equipment/transfer_add.html"
    form_class = forms.TransferForm
    service = services.draft_transfer
    unit_field = "from_unit"
    line_keys = ("quantity",)
    done = gettext_lazy("Draft order %(number)s made; a commander approves it.")

    def initial_line(self, item):
        return {"quantity": item.quantity}

    def parse_line(self, item, raw):
        try:
            return (item.pk, int(raw["quantity"]))
        except ValueError as exc:
            raise ValueError(_("the quantity must be a whole number.")) from exc


class DocumentActionView(ObjectActionView):
    """A step of a document's life (approve, hand over, carry out, cancel) through its service; the
    version posted with the confirmation guards against acting on a stale page, and ``on`` (a date)
    dates the steps that change the register."""

    service = None
    document_kwarg = ""
    done = ""
    dated = False

    def perform(self, obj):
        version = self.request.POST.get("version")
        kwargs = {"version": int(version)} if version and version.isdigit() and self.action != "cancel" else {}
        if self.dated:
            form = forms.ActionDateForm(self.request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["on"])
            kwargs["on"] = form.cleaned_data["on"]
        type(self).service(**{self.document_kwarg: obj}, user=self.request.user, **kwargs)
        return self.done % {"number": obj.number}


class TransferActionView(DocumentActionView):
    model = Transfer
    document_kwarg = "transfer"


class TransferApproveView(TransferActionView):
    action = "approve"
    service = services.approve_transfer
    done = gettext_lazy("Order %(number)s approved.")


class TransferCompleteView(TransferActionView):
    action = "complete"
    service = services.complete_transfer
    dated = True
    done = gettext_lazy("Order %(number)s handed over: the items now belong to the receiving unit.")


class TransferCancelView(TransferActionView):
    action = "cancel"
    service = services.cancel_transfer
    done = gettext_lazy("Order %(number)s cancelled.")


class TransferHandoverView(ScopedView):
    """The handover record (biên bản giao nhận) of an order as .docx, to print and sign: the lines as
    planned once approved, as handed over once completed. Scoped like the order's page."""

    model = Transfer
    queryset = Transfer.objects.select_related("from_unit", "to_unit", "approved_by__person")

    def get(self, request, pk):
        order = self.get_object()
        if order.status not in HANDOVER_STATES:
            messages.error(request, _("The handover record is made once the order is approved."))
            return redirect(order.get_absolute_url())
        return docx_response(transfer_handover_docx(order), name=f"Biên bản giao nhận {order.number}")


class LabelSheetView(ScopedView):
    """PDF sheet of QR labels for the items ticked in the register (or one item: ``?items=<id>``)."""

    model = Item

    def get(self, request):
        ids = [int(i) for i in request.GET.getlist("items") if i.isdigit()]
        items = list(self.get_queryset().select_related("type", "unit").filter(pk__in=ids)
                     .order_by("unit__path", "type__name", "serial"))
        if not items:
            raise Http404(_("Tick the items to label in the register."))
        content = label_sheet(items, lambda item: request.build_absolute_uri(item.get_absolute_url()),
                              title=_("QR labels"))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="nhan-qr-{len(items)}.pdf"'
        return response


class StrikeOffListView(ObjectListView):
    model = StrikeOff
    queryset = StrikeOff.objects.select_related("unit").annotate(line_count=Count("lines"))
    table = tables.StrikeOffTable
    filterset = filtersets.StrikeOffFilterSet


class StrikeOffView(ObjectView):
    model = StrikeOff
    queryset = StrikeOff.objects.select_related("unit", "consolidated_by", "approved_by", "done_by")

    def extra_context(self, obj):
        user = self.request.user
        status = obj.status
        return {
            "lines": obj.lines.select_related("item__type", "item__unit", "struck_item"),
            "can_consolidate": status == StrikeOffStatus.PLAN and can(user, "consolidate", obj),
            "can_approve": status == StrikeOffStatus.CONSOLIDATED and can(user, "approve", obj),
            "can_complete": status == StrikeOffStatus.APPROVED and can(user, "complete", obj),
            "can_cancel": status in services.OPEN_STRIKE_OFF and can(user, "cancel", obj),
            "date_form": forms.ActionDateForm(),
        }


class StrikeOffCreateView(RegisterDocumentView):
    """A unit's plan from the items ticked in the register: a reason for each line (and for lots, the
    quantity), checked against the rules of TT 32/2026."""

    model = StrikeOff
    template_name = "equipment/strikeoff_add.html"
    form_class = forms.StrikeOffForm
    service = services.draft_strike_off
    line_keys = ("quantity", "reason", "repair_cost", "note")
    done = gettext_lazy("Plan %(number)s made; the level above consolidates and approves it.")

    def initial_line(self, item):
        return {"reason": StrikeOffReason.GRADE_5 if item.grade == 5 else "", "quantity": item.quantity}

    def page_context(self):
        return {"reasons": StrikeOffReason.choices}

    def parse_line(self, item, raw):
        try:
            quantity = int(raw["quantity"]) if raw["quantity"] else None
            # Vietnamese writes 1.500.000 (dots group thousands); a comma would be decimals.
            cost = Decimal(raw["repair_cost"].replace(".", "").replace(",", ".")) if raw["repair_cost"] else None
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(_("the quantity and the repair cost must be numbers.")) from exc
        return {"item": item.pk, "quantity": quantity, "reason": raw["reason"], "repair_cost": cost,
                "note": raw["note"]}


class StrikeOffActionView(DocumentActionView):
    model = StrikeOff
    document_kwarg = "strike_off"


class StrikeOffConsolidateView(StrikeOffActionView):
    action = "consolidate"
    service = services.consolidate_strike_off
    done = gettext_lazy("Plan %(number)s consolidated.")


class StrikeOffApproveView(StrikeOffActionView):
    action = "approve"
    service = services.approve_strike_off
    done = gettext_lazy("Plan %(number)s approved.")


class StrikeOffCompleteView(StrikeOffActionView):
    action = "complete"
    service = services.complete_strike_off
    dated = True
    done = gettext_lazy("Plan %(number)s carried out: the items have left the register.")


class StrikeOffCancelView(StrikeOffActionView):
    action = "cancel"
    service = services.cancel_strike_off
    done = gettext_lazy("Plan %(number)s cancelled.")
