from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import attachments, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", pages.audit_log, name="audit_log"),
    path("roles/", pages.roles_page, name="roles"),
    path("api-tokens/", pages.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", pages.api_token_revoke, name="api_token_revoke"),
    path("imports/<int:pk>/", pages.import_run, name="import_run"),
    path("imports/<int:pk>/progress/", pages.import_run_progress, name="import_run_progress"),
    path("imports/<int:pk>/apply/", pages.import_run_apply, name="import_run_apply"),
    path("attachments/<str:label>/<int:pk>/add/", attachments.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", attachments.AttachmentView.as_view(), name="attachment"),
    path("attachments/<int:pk>/delete/", attachments.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("healthz", pages.healthz, name="healthz"),
]
