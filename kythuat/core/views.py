"""Generic pages every app declares its pages with (as NetBox does): list, detail, edit, delete,
history. Each applies scoping, audit, optimistic locking and export itself, so no app can forget.

    class UnitListView(ObjectListView):
        model = Unit
        table = tables.UnitTable
        filterset = filtersets.UnitFilterSet
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from .export import table_xlsx, xlsx_response
from .forms import ConfirmForm, ImportForm
from .imports import require_import_perm, start_import
from .models import AuditEntry, ImportRun, StaleObjectError
from .scoping import can, scope_for


def model_url(model, suffix: str = "", **kwargs) -> str | None:
    """URL of a model's page by the naming convention ``<app>:<model>[_<suffix>]``."""
    name = f"{model._meta.app_label}:{model._meta.model_name}{'_' + suffix if suffix else ''}"
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


class ScopedView(View):
    """Base of the generic pages: the model, its scoped queryset and the user's rights on it."""

    model = None
    queryset = None

    def get_queryset(self):
        base = self.queryset if self.queryset is not None else self.model.objects.all()
        return base.all().visible_to(self.request.user, self.model.perm_for("view"))

    def get_object(self):
        """The row, or 404 when it is outside the user's units (it does not exist for them)."""
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def require(self, action: str, obj=None) -> None:
        if obj is None:
            allowed = scope_for(self.request.user).has_perm(self.model.perm_for(action))
        else:
            allowed = can(self.request.user, action, obj)
        if not allowed:
            raise PermissionDenied(_("Your role does not allow this action here."))

    def base_context(self, **extra):
        meta = self.model._meta
        scope = scope_for(self.request.user)
        context = {
            "model_name": meta.verbose_name,
            "model_name_plural": meta.verbose_name_plural,
            "list_url": model_url(self.model, "list"),
            "add_url": model_url(self.model, "add") if scope.has_perm(self.model.perm_for("add")) else None,
        }
        context.update(extra)
        return context


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, when the page has counted them in another query."""

    def __init__(self, object_list, per_page, *args, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.count = count  # takes the place of the cached property that would run COUNT(*)


class ObjectListView(ScopedView):
    """A sortable, filterable, searchable, paginated list with export of the filtered rows to .xlsx."""

    table = None
    filterset = None
    template_name = "core/object_list.html"
    per_page = 50
    # Other files the filtered rows export to, beside the table's .xlsx: {key: label}; ``export_rows``
    # makes the response for a key.
    extra_exports: dict = {}

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        filterset = self.filterset_instance = self.filterset(request.GET or None, queryset=queryset, request=request)
        rows = queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
        # Not table(request=…): django-tables2 would then paginate it once more, with a COUNT of its own.
        table = self.table(rows, **self.get_table_kwargs())
        # The page size is ours (50): django-tables2 would otherwise take any ?per_page= a URL names.
        table.per_page_field = "_"
        if request.GET.get("export") == "xlsx":
            RequestConfig(request, paginate=False).configure(table)
            ordered = table.data.data
            title = str(self.model._meta.verbose_name_plural).capitalize()
            return xlsx_response(table_xlsx(table, ordered.iterator(chunk_size=2000), title=title), name=title)
        if request.GET.get("export") in self.extra_exports:
            return self.export_rows(request.GET["export"], rows)
        extra = self.extra_context(rows)
        paginate = {"per_page": self.per_page, "paginator_class": CountedPaginator,
                    "count": extra.pop("row_count", None)}
        RequestConfig(request, paginate=paginate).configure(table)
        query = request.GET.copy()
        query.pop("page", None)
        export_query = query.copy()
        export_query["export"] = "xlsx"
        context = self.base_context(
            table=table,
            filterset=filterset,
            search_relaxed=getattr(filterset, "search_relaxed", False),
            filters_active=any(k not in ("page", "sort", "q") and v for k, v in request.GET.items()),
            export_query=export_query.urlencode(),
            extra_exports=[(self._with_export(query, key), label) for key, label in self.extra_exports.items()],
        )
        context.update(extra)
        template = "core/partials/list_results.html" if request.htmx else self.template_name
        return render(request, template, context)

    def get_table_kwargs(self) -> dict:
        return {}

    @staticmethod
    def _with_export(query, key: str) -> str:
        query = query.copy()
        query["export"] = key
        return query.urlencode()

    def export_rows(self, key: str, rows):
        raise Http404

    def extra_context(self, rows) -> dict:
        """More context computed from the filtered rows (e.g. totals), in as few queries as possible.
        A ``row_count`` in it is the number of rows, counted with the totals: the paginator then does
        not count them again."""
        return {}


class ObjectView(ScopedView):
    """A row's page; its template extends ``core/object.html`` (tabs: details, history)."""

    template_name = None
    tab = "details"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return render(request, self.get_template_name(), self.object_context(obj))

    def get_template_name(self):
        return self.template_name or f"{self.model._meta.app_label}/{self.model._meta.model_name}.html"

    def object_context(self, obj, **extra):
        user = self.request.user
        context = self.base_context(
            object=obj,
            tab=self.tab,
            # A locked row (an approved document, finished work) offers no edit or delete at all.
            can_change=can(user, "change", obj) and not getattr(obj, "locked_reason", None),
            can_delete=can(user, "delete", obj) and not getattr(obj, "locked_reason", None),
            edit_url=model_url(self.model, "edit", pk=obj.pk),
            delete_url=model_url(self.model, "delete", pk=obj.pk),
            history_url=model_url(self.model, "history", pk=obj.pk),
            detail_url=model_url(self.model, pk=obj.pk),
        )
        if getattr(self.model, "has_attachments", False):
            from .attachments import panel_context

            context["attachments_panel"] = panel_context(self.request, obj)
        context.update(self.extra_context(obj))
        context.update(extra)
        return context

    def extra_context(self, obj) -> dict:
        return {}


class ObjectHistoryView(ObjectView):
    """The History tab: every audited change of the row, newest first."""

    template_name = "core/object_history.html"
    tab = "history"

    def extra_context(self, obj):
        entries = AuditEntry.objects.for_object(obj).select_related("content_type")
        page = Paginator(entries, 50).get_page(self.request.GET.get("page"))
        return {"entries": page, "page_obj": page}


class ObjectEditView(ScopedView):
    """Create (no ``pk``) or edit a row. Choices are scoped, a stale version is refused (409)."""

    form_class = None
    template_name = "core/object_edit.html"

    def get_form(self, instance, data=None, files=None):
        return self.form_class(data=data, files=files, instance=instance, user=self.request.user)

    def get_instance(self):
        if "pk" in self.kwargs:
            obj = self.get_object()
            self.require("change", obj)
            refuse_if_locked(obj)
            return obj
        self.require("add")
        return self.model()

    def initial_for_new(self) -> dict:
        """Pre-fill from the query string (e.g. ?unit=5 from a unit's page)."""
        return {name: value for name, value in self.request.GET.items() if name in self.form_class.base_fields}

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance)
        if instance.pk is None:
            form.initial.update(self.initial_for_new())
            if hasattr(form, "narrow_choices"):
                form.narrow_choices()
        return self.render_form(form, instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = form.save()
            except StaleObjectError as error:
                form.add_error(None, str(error))
                return self.render_form(form, instance, status=409)
            except ValidationError as error:  # a service behind the form refused (nothing was saved)
                show_service_error(form, error)
                return self.render_form(form, instance, status=400)
            created = "pk" not in self.kwargs
            messages.success(
                request,
                (_("Created %(model)s “%(obj)s”.") if created else _("Saved %(model)s “%(obj)s”."))
                % {"model": self.model._meta.verbose_name, "obj": obj},
            )
            return redirect(self.success_url(obj))
        return self.render_form(form, instance, status=400)

    def success_url(self, obj):
        return obj.get_absolute_url()

    def render_form(self, form, instance, status=200):
        context = self.base_context(
            form=form,
            object=instance if instance.pk else None,
            cancel_url=instance.get_absolute_url() if instance.pk else model_url(self.model, "list"),
        )
        return render(self.request, self.template_name, context, status=status)


def show_service_error(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, [e for item in errors for e in item.messages])
    else:
        form.add_error(None, error.messages)


def refuse_if_locked(obj) -> None:
    """Approved documents are history: a row that says why it is locked cannot be edited or deleted."""
    reason = getattr(obj, "locked_reason", None)
    if reason:
        raise PermissionDenied(reason)


class ObjectActionView(ScopedView):
    """A business action on one row, POSTed from a confirmation on the row's page (approve, cancel…).
    Subclasses name the permission key (``action``) and define ``perform(obj) -> message``, which
    calls the service and may raise ValidationError (shown to the user, nothing saved)."""

    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require(self.action, obj)
        try:
            message = self.perform(obj)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        except StaleObjectError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(obj.get_absolute_url())


class ObjectDeleteView(ScopedView):
    """Delete only from a confirmation page; a row others still refer to is kept, with the reason."""

    template_name = "core/object_delete.html"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("delete", obj)
        refuse_if_locked(obj)
        return render(request, self.template_name, self.base_context(object=obj, form=ConfirmForm()))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("delete", obj)
        refuse_if_locked(obj)
        form = ConfirmForm(request.POST)
        if form.is_valid() and form.cleaned_data["version"] not in (None, obj.version):
            error = str(StaleObjectError(obj))
            context = self.base_context(object=obj, form=ConfirmForm(), error=error)
            return render(request, self.template_name, context, status=409)
        try:
            with transaction.atomic():
                self.perform_delete(obj)
        except (ProtectedError, RestrictedError) as exc:
            blockers = sorted({str(o) for o in list(exc.protected_objects if hasattr(exc, "protected_objects")
                                                    else exc.restricted_objects)[:10]})
            error = _("“%(obj)s” cannot be deleted while other records refer to it: %(list)s.") % {
                "obj": obj, "list": ", ".join(blockers)
            }
            context = self.base_context(object=obj, form=ConfirmForm(), error=error)
            return render(request, self.template_name, context, status=409)
        messages.success(request, _("Deleted %(model)s “%(obj)s”.") % {"model": self.model._meta.verbose_name,
                                                                       "obj": obj})
        return redirect(model_url(self.model, "list") or "home")

    def perform_delete(self, obj) -> None:
        """Delete the row; a model whose deletion moves other facts calls its service here."""
        obj.delete()


def object_urls(view_module_prefix: str, views: dict) -> list:
    """URL patterns of one model's pages by convention; ``views`` maps a suffix to a view class:
    ``{"list": UnitListView, "": UnitView, "add": …, "edit": …, "delete": …, "history": …}``."""
    from django.urls import path

    routes = {
        "list": ("", f"{view_module_prefix}_list"),
        "add": ("add/", f"{view_module_prefix}_add"),
        "": ("<int:pk>/", view_module_prefix),
        "edit": ("<int:pk>/edit/", f"{view_module_prefix}_edit"),
        "delete": ("<int:pk>/delete/", f"{view_module_prefix}_delete"),
        "history": ("<int:pk>/history/", f"{view_module_prefix}_history"),
    }
    patterns = []
    for suffix, view in views.items():
        route, name = routes[suffix]
        patterns.append(path(route, view.as_view(), name=name))
    return patterns


def model_views(model, *, list_view, form_class, detail_view=None, delete=True) -> dict:
    """The usual page set of a model for ``object_urls``; only the list (and a detail page with extra
    context) need classes of their own."""
    name = model.__name__
    edit = type(f"{name}EditView", (ObjectEditView,), {"model": model, "form_class": form_class})
    views = {
        "list": list_view,
        "add": edit,
        "": detail_view or type(f"{name}View", (ObjectView,), {"model": model}),
        "edit": edit,
        "history": type(f"{name}HistoryView", (ObjectHistoryView,), {"model": model}),
    }
    if delete:
        views["delete"] = type(f"{name}DeleteView", (ObjectDeleteView,), {"model": model})
    return views


class DocumentFromItemsView(ScopedView):
    """A new document (grade change, transfer, strike-off, work order) from the items ticked in a list
    (``?items=1&items=2…``): the header in a form, one line per item with the values ``line_keys`` name
    (posted as ``<key>_<item id>``). Subclasses turn a line's raw values into what the service takes
    (``parse_line``, raising ValueError with a message) and say what the page pre-fills."""

    form_class = None
    service = None
    unit_field = "unit"
    line_keys: tuple[str, ...] = ()
    done = ""

    def items_queryset(self):
        """The rows that may be chosen (scoped to the user)."""
        raise NotImplementedError

    def cancel_url(self) -> str:
        raise NotImplementedError

    def chosen_items(self, ids):
        ids = [int(i) for i in ids if str(i).isdigit()]
        return list(self.items_queryset().filter(pk__in=ids).order_by("unit__path", "type__name", "serial"))

    def initial_line(self, item) -> dict:
        return {}

    def parse_line(self, item, raw: dict):
        """What the service takes for this item's line; ValueError with a message when ``raw`` is bad."""
        return {"item": item.pk, **raw}

    def page_context(self) -> dict:
        return {}

    def render_page(self, form, items, values, status=200):
        lines = [(item, values.get(item.pk, {})) for item in items]
        context = self.base_context(form=form, lines=lines, cancel_url=self.cancel_url(),
                                    **self.page_context())
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        self.require("add")
        items = self.chosen_items(request.GET.getlist("items"))
        units = {item.unit_id for item in items}
        form = self.form_class(instance=self.model(), user=request.user,
                               initial={self.unit_field: units.pop() if len(units) == 1 else None})
        return self.render_page(form, items, {item.pk: self.initial_line(item) for item in items})

    def post(self, request):
        self.require("add")
        items = self.chosen_items(request.POST.getlist("items"))
        values = {item.pk: {key: request.POST.get(f"{key}_{item.pk}", "").strip() for key in self.line_keys}
                  for item in items}
        form = self.form_class(data=request.POST, instance=self.model(), user=request.user)
        if form.is_valid():
            lines = []
            for item in items:
                try:
                    lines.append(self.parse_line(item, values[item.pk]))
                except ValueError as error:
                    form.add_error(None, f"{item}: {error}")
            if not form.errors:
                header = {name: form.cleaned_data[name] for name in form.Meta.fields}
                try:
                    document = type(self).service(user=request.user, lines=lines, **header)
                except ValidationError as error:
                    for text in error.messages:
                        form.add_error(None, text)
                else:
                    messages.success(request, self.done % {"number": document.number})
                    return redirect(document.get_absolute_url())
        return self.render_page(form, items, values, status=400)


class ImportView(ScopedView):
    """Upload a file into a register through its importer (``core.importer``): the file is checked
    first (a dry run, nothing written); the run's page then offers to write it."""

    importer = None
    template_name = "core/import_upload.html"

    def get(self, request, *args, **kwargs):
        require_import_perm(request.user, self.importer)
        return self.render_page(ImportForm())

    def post(self, request, *args, **kwargs):
        require_import_perm(request.user, self.importer)
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = start_import(importer=self.importer, user=request.user, upload=form.cleaned_data["file"],
                                   request_id=getattr(request, "id", ""))
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect(run)
        return self.render_page(form, status=400)

    def render_page(self, form, status=200):
        columns = [(column, column.parse.describe()) for column in self.importer.columns]
        runs = ImportRun.objects.filter(created_by=self.request.user, importer=self.importer.key)[:10]
        context = self.base_context(form=form, title=self.importer.title, columns=columns, runs=runs,
                                    template_url=model_url(self.model, "import_template"))
        return render(self.request, self.template_name, context, status=status)


class ImportTemplateView(ScopedView):
    """The register's import template: headers, drop-down lists, a guide and the user's codes."""

    importer = None
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        require_import_perm(request.user, self.importer)
        content = self.importer(user=request.user).template()
        return xlsx_response(content, name=_("Import template %(register)s") % {"register": self.importer.title})
