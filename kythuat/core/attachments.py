"""Photos and documents attached to rows (a work order's photos, a fault's picture).

A model opts in with ``has_attachments = True``; its page then shows the attachments panel
(``core/partials/attachments.html``, included by ``core/object.html``). Whoever may change the row
may attach to it while the row accepts attachments (``accepts_attachments``: by default while it is
not locked). Files are kept under random names in the default storage and served only through
``AttachmentView``, which applies the same scoping as every page; nothing is public media.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .context import acting_as
from .models import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, Attachment
from .scoping import can
from .views import ObjectDeleteView, ObjectView

ALLOWED_SUFFIXES = IMAGE_SUFFIXES | DOCUMENT_SUFFIXES
# The first bytes of each kind of file we accept, so a renamed script is not stored as a photo.
_SIGNATURES = {
    "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"), "webp": (b"RIFF",), "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "odt": (b"PK\x03\x04",), "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",),
}


def accepts_attachments(obj) -> bool:
    if not getattr(type(obj), "has_attachments", False):
        return False
    accepts = getattr(obj, "accepts_attachments", None)
    if accepts is not None:
        return bool(accepts)
    return getattr(obj, "locked_reason", None) is None


def can_attach(user, obj) -> bool:
    return accepts_attachments(obj) and can(user, "change", obj)


def attachments_of(obj):
    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


def check_upload(upload) -> None:
    """A clear refusal for a file that is empty, too large, of a kind we do not keep, or not what its
    name says."""
    name = (upload.name or "").strip()
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": _("Attach a photo (JPG, PNG, WEBP, GIF) or a document (PDF, Word, Excel, "
                                         "OpenDocument, text); “%(name)s” is none of these.") % {"name": name}})
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}})
    signatures = _SIGNATURES.get(suffix)
    if signatures:
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(signatures):
            raise ValidationError({"file": _("“%(name)s” is not a real %(kind)s file.")
                                   % {"name": name, "kind": suffix.upper()}})


def attach(*, user, obj, upload, note: str = "") -> Attachment:
    """Keep ``upload`` with ``obj``; audited like every change."""
    if not can_attach(user, obj):
        raise PermissionDenied(_("You cannot attach files to this record."))
    check_upload(upload)
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    with transaction.atomic(), acting_as(user):
        attachment = Attachment(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                scope_unit_id=obj.audit_scope_unit_id(), name=name, size=upload.size,
                                note=(note or "").strip()[:255], uploaded_by=user)
        attachment.file.save(name, upload, save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def parent_of(attachment: Attachment):
    model = attachment.content_type.model_class()
    return model._base_manager.filter(pk=attachment.object_id).first() if model else None


@login_required
@require_POST
def attachment_add(request, label: str, pk: int):
    """Upload from a row's page: the row must be visible (else 404) and changeable (else 403)."""
    try:
        app_label, model_name = label.split(".")
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except (ValueError, ContentType.DoesNotExist):
        raise Http404 from None
    if model is None or not getattr(model, "has_attachments", False):
        raise Http404
    obj = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    uploads = request.FILES.getlist("file")
    if not can_attach(request.user, obj):
        raise PermissionDenied(_("You cannot attach files to this record."))
    if not uploads:
        messages.error(request, _("Choose a file to attach."))
        return redirect(obj.get_absolute_url())
    try:
        for upload in uploads:  # every file checked before any is kept: all or none
            check_upload(upload)
        with transaction.atomic():
            for upload in uploads:
                attach(user=request.user, obj=obj, upload=upload, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s file(s) attached.") % {"count": len(uploads)})
    return redirect(obj.get_absolute_url() + "#attachments")


class AttachmentView(ObjectView):
    """The file itself, to users who see the row it belongs to: photos shown inline, documents
    downloaded."""

    model = Attachment

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The file is missing from the storage.")) from None
        response = FileResponse(handle, as_attachment=not attachment.is_image, filename=attachment.name)
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class AttachmentDeleteView(ObjectDeleteView):
    model = Attachment

    def post(self, request, *args, **kwargs):
        attachment = self.get_object()
        parent = parent_of(attachment)
        stored = attachment.file.name
        response = super().post(request, *args, **kwargs)
        if not Attachment.objects.filter(pk=attachment.pk).exists():
            transaction.on_commit(lambda: attachment.file.storage.delete(stored))
            if parent is not None and hasattr(parent, "get_absolute_url"):
                return redirect(parent.get_absolute_url() + "#attachments")
        return response


def panel_context(request, obj) -> dict | None:
    """What ``core/partials/attachments.html`` shows on ``obj``'s page."""
    if not getattr(type(obj), "has_attachments", False):
        return None
    user = request.user
    rows = list(attachments_of(obj).select_related("uploaded_by"))
    for row in rows:
        row.can_remove = accepts_attachments(obj) and can(user, "delete", row)
    return {"attachments": rows, "can_attach": can_attach(user, obj),
            "attach_label": f"{obj._meta.app_label}.{obj._meta.model_name}", "attach_pk": obj.pk,
            "accept": ",".join(f".{suffix}" for suffix in sorted(ALLOWED_SUFFIXES)),
            "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
