"""The technical coefficient (hệ số kỹ thuật) formula as data (DESIGN.md §3.6, DOMAIN.md §1.3): which
grades and conditions count as "good", per branch or in general. The default: grade 1–2 and ready,
over every line not struck off, in units of quantity."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kythuat.core.models import DomainModel
from kythuat.core.roles import Perm
from kythuat.core.text import fold
from kythuat.equipment.choices import Condition


def _numbers(text: str) -> set[int]:
    return {int(part) for part in text.replace(" ", "").split(",") if part}


class CoefficientRule(DomainModel):
    branch = models.OneToOneField("equipment.Branch", verbose_name=_("branch"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="coefficient_rule",
                                  help_text=_("Empty: the rule for every branch without its own."))
    good_grades = models.CharField(_("grades that count as good"), max_length=20, default="1,2",
                                   help_text=_("Comma-separated, e.g. “1,2”."))
    good_conditions = models.CharField(_("conditions that count as good"), max_length=40, default="ready",
                                       help_text=_("Comma-separated: ready, limited."))
    notes = models.TextField(_("notes"), blank=True)

    scope_field = None
    action_perms = {"view": Perm.VIEW, "add": Perm.MANAGE_CATALOGUES, "change": Perm.MANAGE_CATALOGUES,
                    "delete": Perm.MANAGE_CATALOGUES}

    class Meta:
        verbose_name = _("coefficient rule")
        verbose_name_plural = _("coefficient rules")
        ordering = [F("branch__sort_order").asc(nulls_first=True), "id"]
        constraints = [models.UniqueConstraint(fields=["branch"], condition=Q(branch__isnull=True),
                                               name="coefficient_rule_one_general")]

    def __str__(self):
        return str(self.branch) if self.branch_id else str(_("General rule"))

    def get_absolute_url(self):
        return reverse("readiness:coefficientrule", args=[self.pk])

    def build_search_text(self) -> str:
        return fold(f"{self} {self.good_grades} {self.good_conditions} {self.notes}")

    @property
    def grades(self) -> set[int]:
        return _numbers(self.good_grades)

    @property
    def conditions(self) -> set[str]:
        return {part for part in self.good_conditions.replace(" ", "").split(",") if part}

    def clean(self):
        super().clean()
        try:
            grades = _numbers(self.good_grades)
        except ValueError:
            grades = set()
        if not grades or not grades <= {1, 2, 3, 4, 5}:
            raise ValidationError({"good_grades": _("Give grades 1 to 5 separated by commas.")})
        if not self.conditions or not self.conditions <= set(Condition.values):
            raise ValidationError({"good_conditions": _("Give conditions among: %(list)s.")
                                   % {"list": ", ".join(Condition.values)}})


class Snapshot(models.Model):
    """The register as it stood at 0h on ``day``, grouped, so trends over years read a few thousand rows
    instead of the history (DESIGN.md §5). Made from ``ItemHistory`` when first asked for (or by
    ``kythuat readiness-snapshot``); dropped when a document dated before ``day`` changes the register."""

    day = models.DateField(_("date"), unique=True)
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("readiness snapshot")
        verbose_name_plural = _("readiness snapshots")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)


class SnapshotRow(models.Model):
    """Quantity of one unit × type × grade × condition × usage state in a snapshot; the same field names
    as the register, so one grouping function reads both."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey("equipment.EquipmentType", on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField()
    condition = models.CharField(max_length=10)
    usage_state = models.CharField(max_length=20)
    quantity = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "unit"], name="snapshot_row_unit_idx")]

    def __str__(self):
        return f"{self.snapshot_id}/{self.unit_id}/{self.type_id}: {self.quantity}"
