"""Factories for tests. ``FACTORIES`` maps each model to the factory the generic route tests use:
a new model gets covered by every generic test by adding its factory here."""

import factory
from django.contrib.auth import get_user_model

from kythuat.core.roles import Role
from kythuat.org.models import Membership, Person, PersonCategory, Unit, UnitKind

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


FACTORIES = {
    Unit: UnitFactory,
    Person: PersonFactory,
    Membership: MembershipFactory,
}
