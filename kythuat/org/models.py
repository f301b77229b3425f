"""Organisation: the unit tree (with validity dates for merges and renames), people, memberships."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.models import DomainModel, ScopedQuerySet
from kythuat.core.roles import Perm, Role


class UnitKind(models.TextChoices):
    COMMAND = "command", _("Command")
    DEPARTMENT = "department", _("Department")
    BORDER_POST = "border_post", _("Border post")
    SQUADRON = "squadron", _("Boat squadron")
    BATTALION = "battalion", _("Battalion")
    STATION = "station", _("Station")
    TEAM = "team", _("Team")
    DEPOT = "depot", _("Depot")
    WORKSHOP = "workshop", _("Repair workshop")
    OTHER = "other", _("Other")


class UnitQuerySet(ScopedQuerySet):
    def subtree(self, unit):
        return self.filter(path__startswith=unit.path)

    def active_on(self, day=None):
        """Units that existed on ``day`` (today by default): history keeps ended units."""
        day = day or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class Unit(DomainModel):
    """A node of the unit tree. ``path`` is "/<root id>/…/<own id>/": a subtree is one prefix query."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices, default=UnitKind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("The day the unit ended (merged, dissolved).")
    )
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="predecessors", help_text=_("The unit that took over after this one ended."),
    )
    notes = models.TextField(_("notes"), blank=True)

    scope_field = "id"
    search_fields = ("code", "name", "short_name")
    action_perms = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_UNITS,
        "change": Perm.MANAGE_UNITS,
        "delete": Perm.MANAGE_UNITS,
    }
    audit_exclude = DomainModel.audit_exclude + ("path", "depth")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="unit_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "sort_order", "name"], name="unit_children_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_valid_range",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="unit_not_own_parent"),
            models.CheckConstraint(condition=~Q(successor=F("id")), name="unit_not_own_successor"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit", args=[self.pk])

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (self.valid_to is None or self.valid_to > today) and (
            self.valid_from is None or self.valid_from <= today
        )

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
        return [units[i] for i in ids if i in units]

    def clean(self):
        super().clean()
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or its own sub-unit.")})
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("A unit cannot be its own successor.")})
        if self.successor_id and not self.valid_to:
            raise ValidationError({"valid_to": _("Give the end date when you name a successor.")})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = self.path
            super().save(*args, **kwargs)
            parent_path = Unit.objects.values_list("path", flat=True).get(pk=self.parent_id) if self.parent_id else "/"
            new_path = f"{parent_path}{self.pk}/"
            if new_path != old_path:
                self._move(old_path, new_path)

    def _move(self, old_path: str, new_path: str) -> None:
        """Write this unit's path and rewrite its descendants' in one UPDATE each."""
        new_depth = new_path.count("/") - 2
        Unit.objects.filter(pk=self.pk).update(path=new_path, depth=new_depth)
        if old_path:
            delta = new_depth - (old_path.count("/") - 2)
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + delta,
            )
        self.path, self.depth = new_path, new_depth


class PersonCategory(models.TextChoices):
    OFFICER = "officer", _("Officer")
    PROFESSIONAL = "professional", _("Professional soldier (QNCN)")
    DEFENCE_WORKER = "defence_worker", _("Defence worker (CNQP)")
    ENLISTED = "enlisted", _("NCO and enlisted")


class Rank(models.TextChoices):
    PRIVATE_2 = "binh_nhi", "Binh nhì"
    PRIVATE_1 = "binh_nhat", "Binh nhất"
    CORPORAL = "ha_si", "Hạ sĩ"
    SERGEANT = "trung_si", "Trung sĩ"
    SENIOR_SERGEANT = "thuong_si", "Thượng sĩ"
    SECOND_LT = "thieu_uy", "Thiếu úy"
    FIRST_LT = "trung_uy", "Trung úy"
    SENIOR_LT = "thuong_uy", "Thượng úy"
    CAPTAIN = "dai_uy", "Đại úy"
    MAJOR = "thieu_ta", "Thiếu tá"
    LT_COLONEL = "trung_ta", "Trung tá"
    SENIOR_COLONEL = "thuong_ta", "Thượng tá"
    COLONEL = "dai_ta", "Đại tá"
    MAJOR_GENERAL = "thieu_tuong", "Thiếu tướng"


class Person(DomainModel):
    full_name = models.CharField(_("full name"), max_length=150)
    rank = models.CharField(_("rank"), max_length=16, choices=Rank.choices, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=PersonCategory.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    service_number = models.CharField(_("service number"), max_length=32, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="person",
    )
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("full_name", "position", "service_number")
    action_perms = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_PEOPLE,
        "change": Perm.MANAGE_PEOPLE,
        "delete": Perm.MANAGE_PEOPLE,
    }

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "full_name"]
        indexes = [models.Index(fields=["unit", "full_name"], name="person_unit_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["service_number"], condition=~Q(service_number=""), name="person_service_number_unique",
                violation_error_message=_("Another person already has this service number."),
            ),
            models.CheckConstraint(
                condition=Q(rank="") | ~Q(category="defence_worker"), name="person_cnqp_no_rank",
                violation_error_message=_("Defence workers (CNQP) hold no military rank."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("org:person", args=[self.pk])


class Membership(DomainModel):
    """A role on a unit subtree: what the user may see and do there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    action_perms = {
        "view": Perm.MANAGE_USERS,
        "add": Perm.MANAGE_USERS,
        "change": Perm.MANAGE_USERS,
        "delete": Perm.MANAGE_USERS,
    }

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit"], name="membership_user_unit_unique",
                violation_error_message=_("This user already has a role on this unit."),
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    def get_absolute_url(self):
        return reverse("users:user", args=[self.user_id])
