"""User management for administrators: accounts, memberships (roles on units), passwords.

An administrator manages the accounts that hold a role inside their units, plus accounts with no
role yet; everyone else does not exist for them (404). Every change is audited.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kythuat.core import audit
from kythuat.core.forms import UnitChoiceField
from kythuat.core.models import AuditAction, AuditEntry
from kythuat.core.roles import Perm, Role
from kythuat.core.scoping import scope_for
from kythuat.core.text import fold, search_terms

from .models import Membership, Unit

User = get_user_model()


def manageable_users(user):
    """Accounts the administrator may manage: a role inside their units, or no role at all."""
    ids = scope_for(user).unit_ids(Perm.MANAGE_USERS)
    users = User.objects.all()
    if not scope_for(user).is_everything:
        users = users.filter(is_superuser=False)
    if ids is None:
        return users
    in_scope = Membership.objects.filter(user=OuterRef("pk"), unit_id__in=ids)
    any_role = Membership.objects.filter(user=OuterRef("pk"))
    return users.filter(Q(Exists(in_scope)) | ~Q(Exists(any_role)))


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["unit", "role"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(manager, Perm.MANAGE_USERS)


class UserCreateForm(forms.ModelForm):
    password1 = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput, strip=False,
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=gettext_lazy("Password again"), widget=forms.PasswordInput, strip=False)
    unit = UnitChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "email"]

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(manager, Perm.MANAGE_USERS)
        self.fields["last_name"].label = gettext_lazy("Family and middle name")
        self.fields["first_name"].label = gettext_lazy("Given name")

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two passwords differ."))
        return p2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password2", error)


def _user_values(account) -> dict:
    return {
        "username": account.username, "first_name": account.first_name, "last_name": account.last_name,
        "email": account.email, "is_active": account.is_active,
    }


class UserAdminView(View):
    """Base: only holders of MANAGE_USERS; the target account must be manageable (else 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not scope_for(request.user).has_perm(Perm.MANAGE_USERS):
            raise PermissionDenied(_("Only administrators manage users."))
        return super().dispatch(request, *args, **kwargs)

    def target(self):
        account = manageable_users(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if account is None:
            raise Http404
        return account


class UserListView(UserAdminView):
    def get(self, request):
        users = manageable_users(request.user).order_by("username").prefetch_related("memberships__unit")
        query = request.GET.get("q", "")
        status = request.GET.get("status", "")
        if status in ("active", "inactive"):
            users = users.filter(is_active=(status == "active"))
        terms = search_terms(query)
        if terms:
            # Accounts are few (hundreds): fold names in Python so search ignores diacritics.
            users = [u for u in users if all(t in fold(f"{u.username} {u.last_name} {u.first_name}") for t in terms)]
        page = Paginator(users, 50).get_page(request.GET.get("page"))
        return render(request, "org/users/user_list.html", {"page_obj": page, "q": query, "status": status})


class UserCreateView(UserAdminView):
    def get(self, request):
        return render(request, "org/users/user_form.html", {"form": UserCreateForm(manager=request.user)})

    def post(self, request):
        form = UserCreateForm(request.POST, manager=request.user)
        if not form.is_valid():
            return render(request, "org/users/user_form.html", {"form": form}, status=400)
        with transaction.atomic():
            account = form.save(commit=False)
            account.set_password(form.cleaned_data["password1"])
            account.save()
            audit.record(account, AuditAction.CREATE, {k: [None, v] for k, v in _user_values(account).items() if v})
            Membership.objects.create(user=account, unit=form.cleaned_data["unit"], role=form.cleaned_data["role"])
        messages.success(request, _("Account “%(name)s” created.") % {"name": account.username})
        return redirect("users:user", pk=account.pk)


class UserDetailView(UserAdminView):
    def get(self, request, pk):
        return self.show(self.target())

    def show(self, account, *, membership_form=None, password_form=None, status=200):
        manager = request_user = self.request.user
        scope_ids = scope_for(request_user).unit_ids(Perm.MANAGE_USERS)
        memberships = [
            (m, scope_ids is None or m.unit_id in scope_ids)
            for m in account.memberships.select_related("unit").order_by("unit__path")
        ]
        history = AuditEntry.objects.for_object(account).select_related("content_type")[:50]
        context = {
            "account": account,
            "memberships": memberships,
            "membership_form": membership_form or MembershipForm(manager=manager),
            "password_form": password_form or SetPasswordForm(account),
            "history": history,
            "is_self": account.pk == request_user.pk,
        }
        return render(self.request, "org/users/user_detail.html", context, status=status)


class MembershipAddView(UserDetailView):
    def post(self, request, pk):
        account = self.target()
        form = MembershipForm(request.POST, manager=request.user, instance=Membership(user=account))
        if not form.is_valid():
            return self.show(account, membership_form=form, status=400)
        with transaction.atomic():
            membership = form.save()
        messages.success(request, _("Role given: %(m)s.") % {"m": membership})
        return redirect("users:user", pk=account.pk)


class MembershipDeleteView(UserDetailView):
    def post(self, request, pk, membership_pk):
        account = self.target()
        membership = (Membership.objects.visible_to(request.user, Perm.MANAGE_USERS)
                      .filter(pk=membership_pk, user=account).first())
        if membership is None:
            raise Http404
        if account.pk == request.user.pk:
            messages.error(request, _("You cannot remove your own role; ask another administrator."))
            return redirect("users:user", pk=account.pk)
        with transaction.atomic():
            membership.delete()
        messages.success(request, _("Role removed: %(m)s.") % {"m": membership})
        return redirect("users:user", pk=account.pk)


class PasswordResetView(UserDetailView):
    def post(self, request, pk):
        account = self.target()
        form = SetPasswordForm(account, request.POST)
        if not form.is_valid():
            return self.show(account, password_form=form, status=400)
        with transaction.atomic():
            form.save()
            audit.record(account, AuditAction.UPDATE, {"password": ["••••", "••••"]})
        messages.success(request, _("Password of “%(name)s” set. Tell the user to change it after signing in.")
                         % {"name": account.username})
        return redirect("users:user", pk=account.pk)


class UserActiveView(UserDetailView):
    def post(self, request, pk):
        account = self.target()
        if account.pk == request.user.pk:
            messages.error(request, _("You cannot deactivate your own account."))
            return redirect("users:user", pk=account.pk)
        active = request.POST.get("active") == "1"
        if account.is_active != active:
            with transaction.atomic():
                account.is_active = active
                account.save(update_fields=["is_active"])
                audit.record(account, AuditAction.UPDATE, {"is_active": [not active, active]})
        messages.success(request, (_("Account “%(name)s” activated.") if active
                                   else _("Account “%(name)s” deactivated: it can no longer sign in."))
                         % {"name": account.username})
        return redirect("users:user", pk=account.pk)


app_name = "users"
urlpatterns = [
    path("", UserListView.as_view(), name="user_list"),
    path("add/", UserCreateView.as_view(), name="user_add"),
    path("<int:pk>/", UserDetailView.as_view(), name="user"),
    path("<int:pk>/memberships/add/", MembershipAddView.as_view(), name="membership_add"),
    path("<int:pk>/memberships/<int:membership_pk>/delete/", MembershipDeleteView.as_view(), name="membership_delete"),
    path("<int:pk>/password/", PasswordResetView.as_view(), name="password_reset"),
    path("<int:pk>/active/", UserActiveView.as_view(), name="user_active"),
]
