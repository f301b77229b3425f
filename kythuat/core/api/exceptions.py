"""API errors are 4xx with JSON that names the field, never a 500 for bad input."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from kythuat.core.models import StaleObjectError


def field_errors(error: DjangoValidationError) -> dict:
    """A model's or a service's ValidationError as the API answers it: ``{field: [messages]}``, with the
    errors of no one field under ``non_field_errors`` (Django names them ``__all__``)."""
    errors = as_serializer_error(error)
    if NON_FIELD_ERRORS in errors:
        errors.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(errors.pop(NON_FIELD_ERRORS))
    return errors


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
        exc = ValidationError(detail=field_errors(exc))
    if isinstance(exc, IntegrityError):
        return Response({"detail": _("The data conflicts with existing records.")}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
