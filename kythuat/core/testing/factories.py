"""Factories for tests. ``FACTORIES`` maps each model to the factory the generic route tests use:
a new model gets covered by every generic test by adding its factory here."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from kythuat.core.models import Attachment
from kythuat.core.roles import Role
from kythuat.equipment.choices import TransferStatus
from kythuat.equipment.models import (
    Branch,
    EquipmentType,
    GradeChange,
    GradeDefinition,
    Item,
    StrikeOff,
    Transfer,
)
from kythuat.maintenance.models import Fault, MaintenanceRule, Schedule, TechnicalDay, UsageLog, WorkOrder
from kythuat.org.models import Membership, Person, PersonCategory, Unit, UnitKind
from kythuat.readiness.models import CoefficientRule

PASSWORD = "Mat-khau-thu-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"DV{n:04d}")
    name = factory.Sequence(lambda n: f"Đồn Biên phòng số {n}")
    kind = UnitKind.BORDER_POST


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Đức {n}")
    category = PersonCategory.OFFICER
    position = "Trợ lý kỹ thuật"
    unit = factory.SubFactory(UnitFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.VIEWER


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    code = factory.Sequence(lambda n: f"N{n}")
    name = factory.Sequence(lambda n: f"Ngành thử {n}")


class GradeDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeDefinition

    branch = factory.SubFactory(BranchFactory)
    grade = 3
    name = factory.Sequence(lambda n: f"Cấp 3 — định nghĩa {n}")
    description = "Hư hỏng, phải sửa chữa vừa."


class EquipmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentType

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"LOAI{n}")
    name = factory.Sequence(lambda n: f"Súng tiểu liên thử {n}")
    unit_of_measure = "khẩu"
    has_rounds = True


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    type = factory.SubFactory(EquipmentTypeFactory)
    unit = factory.SubFactory(UnitFactory)
    serial = factory.Sequence(lambda n: f"SN{n:06d}")
    grade = 2
    registered_on = datetime.date(2020, 1, 1)


class GradeChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeChange

    unit = factory.SubFactory(UnitFactory)
    number = factory.Sequence(lambda n: f"BB-{n:04d}/CCCL")
    reason = "Kiểm tra kỹ thuật định kỳ"


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    from_unit = factory.SubFactory(UnitFactory)
    to_unit = factory.SubFactory(UnitFactory)
    number = factory.Sequence(lambda n: f"{n:04d}/LĐC")

    class Params:
        approved = factory.Trait(status=TransferStatus.APPROVED, approved_by=factory.SubFactory(UserFactory),
                                 approved_at=factory.LazyFunction(timezone.now))

    @classmethod
    def in_unit(cls, unit, **kwargs):
        return cls(from_unit=unit, **kwargs)


class StrikeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrikeOff

    unit = factory.SubFactory(UnitFactory)
    year = 2026
    number = factory.Sequence(lambda n: f"{n:03d}/KH-LKBC")


class CoefficientRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoefficientRule

    branch = factory.SubFactory(BranchFactory)
    good_grades = "1,2,3"
    good_conditions = "ready,limited"


class MaintenanceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceRule

    name = factory.Sequence(lambda n: f"Bảo quản thử {n}")
    type = factory.SubFactory(EquipmentTypeFactory)
    level = "monthly"
    interval_days = 30


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    unit = factory.SubFactory(UnitFactory)
    number = factory.Sequence(lambda n: f"SCN-2026-{n:04d}")
    kind = "repair_minor"
    description = "Thay lò xo kim hỏa"


class TechnicalDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnicalDay

    unit = factory.SubFactory(UnitFactory)
    work_order = factory.SubFactory(WorkOrderFactory, unit=factory.SelfAttribute("..unit"), kind="preservation",
                                    level="tech_day", status="done",
                                    finished_on=factory.LazyFunction(timezone.localdate))
    item_count = 0


class UsageLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageLog

    unit = factory.SubFactory(UnitFactory)
    item = factory.SubFactory(ItemFactory, unit=factory.SelfAttribute("..unit"))
    rounds = 30
    rounds_after = 30
    purpose = "Bắn đạn thật huấn luyện"


class FaultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fault

    unit = factory.SubFactory(UnitFactory)
    item = factory.SubFactory(ItemFactory, unit=factory.SelfAttribute("..unit"))
    severity = "limiting"
    description = "Bộ phận ngắm bị lệch"


class ScheduleFactory(factory.django.DjangoModelFactory):
    """A schedule of an item of a unit (the due list's rows)."""

    class Meta:
        model = Schedule

    item = factory.SubFactory(ItemFactory)
    unit = factory.SelfAttribute("item.unit")  # as schedules.sync sets it
    rule = factory.SubFactory(MaintenanceRuleFactory, type=factory.SelfAttribute("..item.type"))
    since = datetime.date(2026, 1, 1)
    next_due_on = datetime.date(2026, 1, 31)

    @classmethod
    def in_unit(cls, unit, **kwargs):
        return cls(item=ItemFactory(unit=unit), **kwargs)


# The smallest real PNG (1×1 pixel), for attachments in tests.
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A photo attached to an open work order of a unit."""

    class Meta:
        model = Attachment

    name = "anh-sua-chua.png"
    size = len(PNG_1PX)
    file = factory.django.FileField(filename="anh-sua-chua.png", data=PNG_1PX)

    @classmethod
    def in_unit(cls, unit, **kwargs):
        from django.contrib.contenttypes.models import ContentType

        order = WorkOrderFactory(unit=unit)
        return cls(content_type=ContentType.objects.get_for_model(order), object_id=order.pk,
                   scope_unit_id=unit.pk, **kwargs)


FACTORIES = {
    Attachment: AttachmentFactory,
    Unit: UnitFactory,
    Person: PersonFactory,
    Membership: MembershipFactory,
    Branch: BranchFactory,
    GradeDefinition: GradeDefinitionFactory,
    EquipmentType: EquipmentTypeFactory,
    Item: ItemFactory,
    GradeChange: GradeChangeFactory,
    Transfer: TransferFactory,
    StrikeOff: StrikeOffFactory,
    CoefficientRule: CoefficientRuleFactory,
    MaintenanceRule: MaintenanceRuleFactory,
    WorkOrder: WorkOrderFactory,
    TechnicalDay: TechnicalDayFactory,
    UsageLog: UsageLogFactory,
    Fault: FaultFactory,
    Schedule: ScheduleFactory,
}
