"""API errors are 4xx with JSON that names the field, never a 500 for bad input."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from kythuat.core.models import StaleObjectError


def exception_handler(exc, context):
    if isinstance(exc, StaleObjectError):
        return Response({"detail": str(exc), "version": [str(exc)]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError | RestrictedError):
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        names = sorted({str(obj) for obj in list(objects)[:10]})
        detail = _("This record cannot be deleted while other records refer to it: %(list)s.") % {
            "list": ", ".join(names)}
        return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, IntegrityError):
        return Response({"detail": _("The data conflicts with existing records.")}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
