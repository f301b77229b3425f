from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kythuat.core.roles import Perm
from kythuat.core.scoping import can, scope_for
from kythuat.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView

from . import filtersets, forms, services, tables
from .choices import DocumentStatus, Grade, TransferStatus
from .labels import label_sheet, qr_svg
from .models import Branch, EquipmentType, GradeChange, GradeDefinition, Item, Transfer, TransferLine


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

    def extra_context(self, rows):
        figures = grade_figures(rows)  # the totals and the number of lines in one query
        totals = totals_by_grade(rows, figures)
        can_keep = scope_for(self.request.user).has_perm(Perm.MANAGE_REGISTER)
        actions = [(reverse("equipment:gradechange_add"), _("Draft a grade change for the ticked items")),
                   (reverse("equipment:transfer_add"), _("Draft a transfer of the ticked items"))]
        labels = [(reverse("equipment:labels"), _("Print QR labels of the ticked items"))]
        return {"by_grade": totals, "total": sum(n for _l, _g, n in totals),
                "row_count": sum(lines for lines, _q in figures.values()),
                "bulk_actions": (actions if can_keep else []) + labels}


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
        return {"grade_definition": definition, "grade_history": history, "transfers": moves,
                "qr": qr_svg(self.request.build_absolute_uri(obj.get_absolute_url()))}


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


class GradeChangeCreateView(ScopedView):
    """A new record from the items chosen in the register (``?items=1&items=2…``), one line each."""

    model = GradeChange
    template_name = "equipment/gradechange_add.html"

    def chosen_items(self, ids):
        ids = [int(i) for i in ids if str(i).isdigit()]
        return list(Item.objects.visible_to(self.request.user).active().select_related("type", "unit")
                    .filter(pk__in=ids).order_by("unit__path", "type__name", "serial"))

    def render_page(self, form, items, grades, status=200):
        lines = [(item, grades.get(item.pk, "")) for item in items]
        context = self.base_context(form=form, lines=lines, grade_choices=Grade.choices,
                                    cancel_url=reverse("equipment:item_list"))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        self.require("add")
        items = self.chosen_items(request.GET.getlist("items"))
        units = {item.unit_id for item in items}
        form = forms.GradeChangeForm(instance=GradeChange(), user=request.user,
                                     initial={"unit": units.pop() if len(units) == 1 else None})
        default = request.GET.get("grade", "")
        return self.render_page(form, items, {item.pk: default for item in items})

    def post(self, request):
        self.require("add")
        items = self.chosen_items(request.POST.getlist("items"))
        grades = {item.pk: request.POST.get(f"grade_{item.pk}", "") for item in items}
        form = forms.GradeChangeForm(data=request.POST, instance=GradeChange(), user=request.user)
        if form.is_valid():
            lines = []
            for item in items:
                try:
                    lines.append((item.pk, int(grades[item.pk])))
                except ValueError:
                    form.add_error(None, _("%(item)s: choose the new grade.") % {"item": item})
            if not form.errors:
                try:
                    header = {k: form.cleaned_data[k] for k in ("unit", "number", "date", "reason", "basis",
                                                                 "assessors")}
                    record = services.draft_grade_change(user=request.user, lines=lines, **header)
                except ValidationError as error:
                    for text in error.messages:
                        form.add_error(None, text)
                else:
                    messages.success(request, _("Draft record %(number)s made; a commander approves it.")
                                     % {"number": record.number})
                    return redirect(record.get_absolute_url())
        return self.render_page(form, items, grades, status=400)


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
        }


class TransferCreateView(GradeChangeCreateView):
    """A new order from the items ticked in the register; lots may move in part."""

    model = Transfer
    template_name = "equipment/transfer_add.html"
    form_class = forms.TransferForm

    def render_page(self, form, items, quantities, status=200):
        lines = [(item, quantities.get(item.pk, item.quantity)) for item in items]
        context = self.base_context(form=form, lines=lines, cancel_url=reverse("equipment:item_list"))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        self.require("add")
        items = self.chosen_items(request.GET.getlist("items"))
        units = {item.unit_id for item in items}
        form = self.form_class(instance=Transfer(), user=request.user,
                               initial={"from_unit": units.pop() if len(units) == 1 else None})
        return self.render_page(form, items, {})

    def post(self, request):
        self.require("add")
        items = self.chosen_items(request.POST.getlist("items"))
        quantities = {item.pk: request.POST.get(f"quantity_{item.pk}", "") for item in items}
        form = self.form_class(data=request.POST, instance=Transfer(), user=request.user)
        if form.is_valid():
            lines = []
            for item in items:
                try:
                    lines.append((item.pk, int(quantities[item.pk])))
                except ValueError:
                    form.add_error(None, _("%(item)s: the quantity must be a whole number.") % {"item": item})
            if not form.errors:
                try:
                    header = {k: form.cleaned_data[k] for k in ("from_unit", "to_unit", "number", "date", "reason")}
                    order = services.draft_transfer(user=request.user, lines=lines, **header)
                except ValidationError as error:
                    for text in error.messages:
                        form.add_error(None, text)
                else:
                    messages.success(request, _("Draft order %(number)s made; a commander approves it.")
                                     % {"number": order.number})
                    return redirect(order.get_absolute_url())
        return self.render_page(form, items, quantities, status=400)


class TransferActionView(ObjectActionView):
    model = Transfer
    service = None
    done = ""

    def perform(self, obj):
        version = self.request.POST.get("version")
        kwargs = {"version": int(version)} if version and version.isdigit() and self.action != "cancel" else {}
        type(self).service(transfer=obj, user=self.request.user, **kwargs)
        return self.done % {"number": obj.number}


class TransferApproveView(TransferActionView):
    action = "approve"
    service = services.approve_transfer
    done = gettext_lazy("Order %(number)s approved.")


class TransferCompleteView(TransferActionView):
    action = "complete"
    service = services.complete_transfer
    done = gettext_lazy("Order %(number)s handed over: the items now belong to the receiving unit.")


class TransferCancelView(TransferActionView):
    action = "cancel"
    service = services.cancel_transfer
    done = gettext_lazy("Order %(number)s cancelled.")


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
