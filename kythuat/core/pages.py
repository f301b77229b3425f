"""Pages of core that are not generic model pages: overview, audit log, API tokens, import runs, health."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import panels
from .filtersets import AuditFilterSet
from .forms import ApiTokenForm
from .importer import IMPORTERS
from .imports import apply_import, progress_of, require_import_perm
from .middleware import without_session_save
from .models import ApiToken, AuditEntry, ImportRun, ImportStatus
from .roles import ROLE_PERMISSIONS, Perm, Role
from .scoping import scope_for


@require_GET
def home(request):
    from django.apps import apps

    Unit = apps.get_model("org", "Unit")
    Person = apps.get_model("org", "Person")
    Membership = apps.get_model("org", "Membership")
    user = request.user
    units = Unit.objects.visible_to(user)
    active = units.active_on()
    memberships = Membership.objects.filter(user=user).select_related("unit")
    recent = (
        AuditEntry.objects.visible_to(user).select_related("content_type")[:10]
        if scope_for(user).has_perm(Perm.VIEW_AUDIT) else []
    )
    context = {
        "unit_count": active.count(),
        "ended_count": units.count() - active.count(),
        "post_count": active.filter(kind="border_post").count(),
        "person_count": Person.objects.visible_to(user).count(),
        "memberships": memberships,
        "recent": recent,
        "panels": panels.for_page("home", request),
    }
    return render(request, "core/home.html", context)


@require_GET
def audit_log(request):
    scope = scope_for(request.user)
    if not scope.has_perm(Perm.VIEW_AUDIT):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Your role does not allow reading the audit log."))
    entries = AuditEntry.objects.visible_to(request.user).select_related("content_type")
    filterset = AuditFilterSet(request.GET or None, queryset=entries, request=request)
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else entries.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"filterset": filterset, "entries": page})


@require_http_methods(["GET", "POST"])
def api_tokens(request):
    tokens = ApiToken.objects.filter(user=request.user)
    new_key = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, new_key = ApiToken.issue(
            user=request.user, name=form.cleaned_data["name"], expires_at=form.cleaned_data.get("expires_at")
        )
        messages.success(request, _("Token “%(name)s” created. Copy the key now: it is shown only once.")
                         % {"name": token.name})
        form = ApiTokenForm()
    status = 400 if form.errors else 200
    return render(request, "core/api_tokens.html", {"tokens": tokens, "form": form, "new_key": new_key,
                                                     "now": timezone.now()}, status=status)


@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.delete()
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")


@require_GET
def roles_page(request):
    """The role → permission table as the system applies it."""
    rows = [(role.label, [perm in ROLE_PERMISSIONS[role] for perm in Perm]) for role in Role]
    return render(request, "core/roles.html", {"perms": list(Perm), "rows": rows})


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _own_run(request, pk):
    """A run of the user's own (anyone else's does not exist for them), in a register they may import."""
    run = get_object_or_404(ImportRun, pk=pk, created_by=request.user)
    if run.importer not in IMPORTERS:
        raise Http404
    importer = IMPORTERS[run.importer]
    require_import_perm(request.user, importer)
    return run, importer


def _run_context(run, importer) -> dict:
    from .views import model_url

    done, total = progress_of(run)
    waited = (timezone.now() - run.created_at).total_seconds()
    return {
        "run": run, "title": importer.title, "report": run.report,
        "done": done, "total": total, "percent": int(100 * done / total) if total else 0,
        "hidden_errors": max(run.error_count - len(run.report.get("errors", [])), 0),
        "no_worker": run.in_background and run.status in (ImportStatus.QUEUED, ImportStatus.APPLY_QUEUED)
        and waited > 30,
        "list_url": model_url(importer.model, "list"), "upload_url": model_url(importer.model, "import"),
    }


@require_GET
def import_run(request, pk):
    run, importer = _own_run(request, pk)
    return render(request, "core/import_run.html", _run_context(run, importer))


@require_GET
@without_session_save
def import_run_progress(request, pk):
    """The status part of the run's page, polled by htmx while the file is checked or written."""
    run, importer = _own_run(request, pk)
    return render(request, "core/partials/import_status.html", _run_context(run, importer))


@require_POST
def import_run_apply(request, pk):
    run, _importer = _own_run(request, pk)
    try:
        apply_import(run=run, user=request.user, request_id=getattr(request, "id", ""))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(run)
