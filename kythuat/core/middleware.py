import re
import uuid
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import JsonResponse

from .context import ActionContext, _current

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


class RequestContextMiddleware:
    """Gives each request an id (echoed in X-Request-ID) and makes the acting user known to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming.replace("-", "") if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        token = _current.set(
            ActionContext(
                request=request, request_id=request.id, source=source, address=request.META.get("REMOTE_ADDR")
            )
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request.id
        return response


PUBLIC_PREFIXES = ("/login/", "/static/", "/i18n/", "/healthz", "/api/")


class LoginRequiredMiddleware:
    """Every page needs a login except the few public ones; the API answers 401/403 itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            if request.headers.get("HX-Request"):
                return JsonResponse({"detail": "login required"}, status=401)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class DefaultLanguageMiddleware:
    """Vietnamese unless the user chose another language: the browser's Accept-Language is ignored,
    so a workstation set up in English still shows the Vietnamese UI by default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a view marked ``without_session_save`` does not save the session. Pages
    polled every second (an import's progress) then write nothing: on SQLite a long import holds the
    one write lock, and a session save would wait for it, freezing the very progress bar."""

    def process_response(self, request, response):
        if getattr(request, "_no_session_save", False):
            return response
        return super().process_response(request, response)


def without_session_save(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request._no_session_save = True
        return view(request, *args, **kwargs)
    return wrapped
