"""Shared fixtures: a small province with two border posts and a user for every role."""

from types import SimpleNamespace

import pytest

from kythuat.core.roles import Role
from kythuat.core.testing.browser import browser  # noqa: F401  (the Chromium fixture of every browser test)
from kythuat.core.testing.factories import MembershipFactory, PersonFactory, UnitFactory, UserFactory
from kythuat.org.models import UnitKind


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests of hashing read the production setting directly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Attached files of a test run go to a folder of their own, not to the data folder."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture
def org(db):
    root = UnitFactory(code="BCH", name="Ban Chỉ huy Bộ đội Biên phòng tỉnh", kind=UnitKind.COMMAND)
    dept = UnitFactory(code="HCKT", name="Phòng Hậu cần – Kỹ thuật", kind=UnitKind.DEPARTMENT, parent=root)
    post1 = UnitFactory(code="DBP1", name="Đồn Biên phòng Bắc Phong", parent=root)
    team1 = UnitFactory(code="DBP1-VT", name="Đội Vũ trang", kind=UnitKind.TEAM, parent=post1)
    post2 = UnitFactory(code="DBP2", name="Đồn Biên phòng Nam Sơn", parent=root)
    team2 = UnitFactory(code="DBP2-VT", name="Đội Vũ trang", kind=UnitKind.TEAM, parent=post2)
    person1 = PersonFactory(full_name="Trần Quốc Tuấn", unit=team1)
    person2 = PersonFactory(full_name="Lê Thị Hằng", unit=team2)

    def user(name, role, unit):
        account = UserFactory(username=name)
        MembershipFactory(user=account, unit=unit, role=role)
        return account

    ns = SimpleNamespace(
        root=root, dept=dept, post1=post1, team1=team1, post2=post2, team2=team2,
        person1=person1, person2=person2,
        admin=user("admin", Role.ADMIN, root),
        head=user("chunhiem", Role.HEAD, root),
        viewer=user("xem", Role.VIEWER, root),
        officer1=user("don1", Role.OFFICER, post1),
        officer2=user("don2", Role.OFFICER, post2),
        technician1=user("thokt1", Role.TECHNICIAN, post1),
        commander1=user("chihuy1", Role.COMMANDER, post1),
    )
    ns.users = {
        "admin": ns.admin, "head": ns.head, "viewer": ns.viewer, "officer1": ns.officer1,
        "officer2": ns.officer2, "technician1": ns.technician1, "commander1": ns.commander1,
    }
    return ns
