"""A realistic, fictional province for demonstrations and benchmarks (``kythuat demo``).

Deterministic for a seed, and idempotent: rows are matched by their natural keys (unit code,
service number, user name), and a row is saved only when something differs, so a second run
writes nothing, not even an audit entry. Place names are invented.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from kythuat.core.audit import record_bulk
from kythuat.core.context import acting
from kythuat.core.demo import DEFAULT_PASSWORD
from kythuat.core.roles import Role
from kythuat.core.text import fold

from .models import Membership, Person, PersonCategory, Rank, Unit, UnitKind

PROVINCE = "Biên Hải"
OLD_PROVINCE = "Hải Đông"
REFORM_END = datetime.date(2025, 6, 28)  # 44 provincial commands dissolved (DOMAIN.md §0)
REFORM_START = datetime.date(2025, 7, 1)

# (code suffix, name, coastal)
POSTS = [
    ("01", "Cửa khẩu Bắc Phong", False), ("02", "Nà Sơn", False), ("03", "Pò Hèn", False),
    ("04", "Lũng Cú Hạ", False), ("05", "Cửa khẩu Quốc tế Tân Thanh", False), ("06", "Bản Giốc Thượng", False),
    ("07", "Khe Lạn", False), ("08", "Hoành Sơn", False), ("09", "Cửa khẩu cảng Vạn Ninh", True),
    ("10", "Đảo Cô Tiên", True), ("11", "Mũi Ngọc Đông", True), ("12", "Trà Cổ Nam", True),
]
STATIONS = ["Khe Vàng", "Bản Chắt", "Nà Pàn", "Cốc Lùng", "Pác Bó", "Thác Mơ", "Bãi Dài", "Vụng Đục",
            "Hòn Dấu", "Cái Chiên", "Ba Mùn", "Vĩnh Thực", "Nà Lạn", "Pắc Ngà", "Tà Lùng", "Bình Ngọc"]
TEAMS = ["Đội Vũ trang", "Đội Vận động quần chúng", "Đội Trinh sát", "Đội Tham mưu – Hành chính"]

SURNAMES = ["Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Lương", "Nông", "Hà", "Triệu"]
MIDDLE_MEN = ["Văn", "Văn", "Đức", "Quốc", "Minh", "Thanh", "Xuân", "Hữu", "Đình", "Công", "Mạnh", "Tiến"]
GIVEN_MEN = ["Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Hải", "Nam", "Long", "Sơn", "Phong", "Quân", "Trung",
             "Khoa", "Huy", "Tùng", "Thành", "Bình", "Đạt", "Hiếu", "Lâm", "Vinh", "Tài", "Kiên", "Toàn"]
MIDDLE_WOMEN = ["Thị", "Thị", "Thu", "Ngọc", "Thanh"]
GIVEN_WOMEN = ["Hằng", "Lan", "Hương", "Mai", "Hoa", "Thảo", "Nga", "Huyền", "Trang", "Yến"]

OFFICER_RANKS = [Rank.SECOND_LT, Rank.FIRST_LT, Rank.SENIOR_LT, Rank.CAPTAIN, Rank.MAJOR, Rank.LT_COLONEL]
SENIOR_RANKS = [Rank.MAJOR, Rank.LT_COLONEL, Rank.SENIOR_COLONEL]
QNCN_RANKS = [Rank.SECOND_LT, Rank.FIRST_LT, Rank.SENIOR_LT, Rank.CAPTAIN, Rank.MAJOR]
ENLISTED_RANKS = [Rank.PRIVATE_2, Rank.PRIVATE_1, Rank.PRIVATE_1, Rank.CORPORAL, Rank.SERGEANT]
NCO_RANKS = [Rank.SERGEANT, Rank.SENIOR_SERGEANT]

OFF, QNCN, CNQP, ENL = (PersonCategory.OFFICER, PersonCategory.PROFESSIONAL, PersonCategory.DEFENCE_WORKER,
                        PersonCategory.ENLISTED)

# Positions (position, category, senior) by kind of unit.
STAFF = {
    "post": [("Đồn trưởng", OFF, True), ("Chính trị viên", OFF, True), ("Phó Đồn trưởng", OFF, False),
             ("Phó Đồn trưởng", OFF, False), ("Trợ lý kỹ thuật", OFF, False), ("Nhân viên kỹ thuật", QNCN, False),
             ("Thủ kho quân khí", QNCN, False), ("Lái xe", QNCN, False)],
    "coastal_post": [("Thuyền trưởng", QNCN, False), ("Máy trưởng", QNCN, False)],
    "team": [("Đội trưởng", OFF, False), ("Tiểu đội trưởng", ENL, False), ("Chiến sĩ", ENL, False),
             ("Chiến sĩ", ENL, False)],
    "boat_team": [("Thuyền trưởng", QNCN, False), ("Máy trưởng", QNCN, False), ("Thợ máy tàu", QNCN, False),
                  ("Thủy thủ", ENL, False)],
    "station": [("Trạm trưởng", OFF, False), ("Nhân viên thông tin", QNCN, False), ("Chiến sĩ", ENL, False)],
    "command": [("Chỉ huy trưởng", OFF, True), ("Chính ủy", OFF, True), ("Phó Chỉ huy trưởng", OFF, True)],
    "staff_dept": [("Trưởng ban", OFF, True), ("Phó Trưởng ban", OFF, True), ("Trợ lý", OFF, False),
                   ("Trợ lý", OFF, False)],
    "hckt": [("Chủ nhiệm Hậu cần – Kỹ thuật", OFF, True), ("Phó Chủ nhiệm Kỹ thuật", OFF, True),
             ("Trợ lý quân khí", OFF, False), ("Trợ lý xe – máy", OFF, False), ("Trợ lý tàu thuyền", OFF, False),
             ("Trợ lý thông tin", OFF, False), ("Trợ lý công binh – hóa học", QNCN, False)],
    "workshop": [("Trạm trưởng", OFF, False), ("Thợ sửa chữa vũ khí", CNQP, False),
                 ("Thợ sửa chữa xe máy", CNQP, False), ("Thợ sửa chữa máy tàu", CNQP, False),
                 ("Thợ điện – thông tin", CNQP, False), ("Thợ hàn", CNQP, False)],
    "depot": [("Chủ nhiệm kho", QNCN, False), ("Thủ kho", QNCN, False), ("Nhân viên bảo quản", CNQP, False)],
    "squadron": [("Hải đội trưởng", OFF, True), ("Chính trị viên", OFF, True), ("Phó Hải đội trưởng", OFF, False),
                 ("Trợ lý kỹ thuật", OFF, False)],
    "battalion": [("Tiểu đoàn trưởng", OFF, True), ("Chính trị viên", OFF, True), ("Trợ lý kỹ thuật", OFF, False)],
    "company": [("Đại đội trưởng", OFF, False), ("Trung đội trưởng", OFF, False), ("Chiến sĩ", ENL, False),
                ("Chiến sĩ", ENL, False), ("Chiến sĩ", ENL, False)],
}


@dataclass
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    sort_order: int = 0
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    successor: str | None = None
    staff: str | None = None


def province_specs() -> list[UnitSpec]:
    """The units of the province, parents before children."""
    specs = [
        UnitSpec("BCH", f"Ban Chỉ huy Bộ đội Biên phòng tỉnh {PROVINCE}", UnitKind.COMMAND, None,
                 "BCH BĐBP tỉnh", 0, REFORM_START, staff="command"),
        UnitSpec("BCH-TM", "Ban Tham mưu", UnitKind.DEPARTMENT, "BCH", "Ban Tham mưu", 1, REFORM_START,
                 staff="staff_dept"),
        UnitSpec("BCH-CT", "Ban Chính trị", UnitKind.DEPARTMENT, "BCH", "Ban Chính trị", 2, REFORM_START,
                 staff="staff_dept"),
        UnitSpec("HCKT", "Ban Hậu cần – Kỹ thuật", UnitKind.DEPARTMENT, "BCH", "Ban HC-KT", 3, REFORM_START,
                 staff="hckt"),
        UnitSpec("HCKT-TSC", "Trạm Sửa chữa tổng hợp", UnitKind.WORKSHOP, "HCKT", "Trạm SCTH", 1, REFORM_START,
                 staff="workshop"),
        UnitSpec("HCKT-KHO", "Kho Kỹ thuật", UnitKind.DEPOT, "HCKT", "Kho KT", 2, REFORM_START, staff="depot"),
    ]
    station_names = iter(STATIONS)
    for index, (number, place, coastal) in enumerate(POSTS, start=1):
        code = f"DBP{number}"
        specs.append(UnitSpec(code, f"Đồn Biên phòng {place}", UnitKind.BORDER_POST, "BCH", f"Đồn {place}",
                              10 + index, staff="post"))
        for t, team in enumerate(TEAMS, start=1):
            specs.append(UnitSpec(f"{code}-D{t}", team, UnitKind.TEAM, code, sort_order=t, staff="team"))
        if coastal:
            specs.append(UnitSpec(f"{code}-TT", "Tổ Tàu thuyền", UnitKind.TEAM, code, sort_order=5,
                                  staff="boat_team"))
        for s in range(1 if index % 3 else 2):
            station = next(station_names)
            specs.append(UnitSpec(f"{code}-TR{s + 1}", f"Trạm Biên phòng {station}", UnitKind.STATION, code,
                                  f"Trạm {station}", 10 + s, staff="station"))
    for number in (1, 2):
        code = f"HD{number}"
        specs.append(UnitSpec(code, f"Hải đội Biên phòng {number}", UnitKind.SQUADRON, "BCH", f"Hải đội {number}",
                              30 + number, staff="squadron"))
        for boat in (1, 2, 3):
            specs.append(UnitSpec(f"{code}-T{boat}", f"Tổ tàu BP-{number}{boat:02d}", UnitKind.TEAM, code,
                                  sort_order=boat, staff="boat_team"))
    specs.append(UnitSpec("TDHL", "Tiểu đoàn Huấn luyện – Cơ động", UnitKind.BATTALION, "BCH", "Tiểu đoàn HL-CĐ",
                          40, REFORM_START, staff="battalion"))
    for company in (1, 2, 3):
        specs.append(UnitSpec(f"TDHL-C{company}", f"Đại đội {company}", UnitKind.TEAM, "TDHL",
                              sort_order=company, staff="company"))
    # Before 28/6/2025: the old provincial command and two posts merged into today's posts.
    specs += [
        UnitSpec("BCH-CU", f"Bộ Chỉ huy Bộ đội Biên phòng tỉnh {OLD_PROVINCE}", UnitKind.COMMAND, None,
                 "BĐBP tỉnh (cũ)", 90, datetime.date(2004, 1, 1), REFORM_END, "BCH"),
        UnitSpec("BCH-CU-KT", "Phòng Kỹ thuật", UnitKind.DEPARTMENT, "BCH-CU", "Phòng KT (cũ)", 1,
                 datetime.date(2004, 1, 1), datetime.date(2024, 1, 31), "HCKT"),
        UnitSpec("DBP-CL", "Đồn Biên phòng Cát Lở", UnitKind.BORDER_POST, "BCH-CU", "Đồn Cát Lở (cũ)", 2,
                 datetime.date(1998, 3, 1), REFORM_END, "DBP11"),
        UnitSpec("DBP-HM", "Đồn Biên phòng Hòn Mê", UnitKind.BORDER_POST, "BCH-CU", "Đồn Hòn Mê (cũ)", 3,
                 datetime.date(2001, 5, 1), REFORM_END, "DBP10"),
    ]
    return specs


def extra_specs(count: int, start: int) -> list[UnitSpec]:
    """More border posts (each with teams and a station) for benchmarks, until ``count`` units."""
    specs: list[UnitSpec] = []
    number = start
    while len(specs) < count:
        code = f"DBP{number:03d}"
        place = f"{STATIONS[number % len(STATIONS)]} {number}"
        specs.append(UnitSpec(code, f"Đồn Biên phòng {place}", UnitKind.BORDER_POST, "BCH", f"Đồn {place}",
                              100 + number, staff="post"))
        for t, team in enumerate(TEAMS, start=1):
            specs.append(UnitSpec(f"{code}-D{t}", team, UnitKind.TEAM, code, sort_order=t, staff="team"))
        specs.append(UnitSpec(f"{code}-TR1", f"Trạm Biên phòng {place}", UnitKind.STATION, code, sort_order=10,
                              staff="station"))
        number += 1
    return specs[:count]


def _person_name(rng: random.Random, woman: bool) -> str:
    if woman:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_WOMEN)} {rng.choice(GIVEN_WOMEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_MEN)} {rng.choice(GIVEN_MEN)}"


def people_for(spec: UnitSpec, seed: int) -> list[dict]:
    """The staff of one unit; seeded by the unit's code so other units never shift it."""
    if not spec.staff or spec.valid_to:
        return []
    rng = random.Random(f"{seed}:{spec.code}")
    rows = []
    for index, (position, category, senior) in enumerate(STAFF[spec.staff], start=1):
        woman = category in (PersonCategory.PROFESSIONAL, PersonCategory.DEFENCE_WORKER) and rng.random() < 0.3
        if category == PersonCategory.OFFICER:
            rank = rng.choice(SENIOR_RANKS if senior else OFFICER_RANKS)
        elif category == PersonCategory.PROFESSIONAL:
            rank = rng.choice(QNCN_RANKS)
        elif category == PersonCategory.ENLISTED:
            rank = rng.choice(NCO_RANKS if "trưởng" in position else ENLISTED_RANKS)
        else:
            rank = ""  # CNQP hold no military rank
        age = rng.randint(19, 23) if category == PersonCategory.ENLISTED else rng.randint(24, 52)
        birth = datetime.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
        rows.append({
            "service_number": f"BH-{spec.code}-{index:02d}",
            "full_name": _person_name(rng, woman),
            "rank": rank,
            "position": position,
            "category": category,
            "birth_date": birth,
            "phone": f"09{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        })
    return rows


def _sync(obj, values: dict) -> bool:
    """Set ``values`` on ``obj``; save only when something differs. Returns whether it saved."""
    if obj.pk is None:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        return True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        return True
    return False


def _upsert_units(specs: list[UnitSpec]) -> dict[str, Unit]:
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in specs])}
    for spec in specs:  # first without successors: a successor may come later in the list
        unit = units.get(spec.code) or Unit(code=spec.code)
        _sync(unit, {"name": spec.name, "kind": spec.kind, "short_name": spec.short_name,
                     "parent": units[spec.parent] if spec.parent else None, "sort_order": spec.sort_order,
                     "valid_from": spec.valid_from, "valid_to": spec.valid_to})
        units[spec.code] = unit
    for spec in specs:
        if spec.successor:
            _sync(units[spec.code], {"successor": units[spec.successor]})
    return units


def _bulk_units(specs: list[UnitSpec], units: dict[str, Unit]) -> None:
    """Insert many new units fast: posts, then their sub-units (two levels), paths computed from the
    returned ids, audited in batches."""
    units.update({u.code: u for u in Unit.objects.filter(code__in=[s.code for s in specs])})
    new = [s for s in specs if s.code not in units]
    for level in ([s for s in new if s.parent in units], [s for s in new if s.parent not in units]):
        rows = [Unit(code=s.code, name=s.name, kind=s.kind, short_name=s.short_name, sort_order=s.sort_order,
                     parent=units[s.parent], search_text=fold(f"{s.code} {s.name} {s.short_name}"))
                for s in level]
        created = Unit.objects.bulk_create(rows, batch_size=1000) if rows else []
        for row in created:
            units[row.code] = row
        for row in created:
            row.path = f"{row.parent.path}{row.pk}/"
            row.depth = row.path.count("/") - 2
        Unit.objects.bulk_update(created, ["path", "depth"], batch_size=1000)
        record_bulk(created)


def _upsert_people(specs: list[UnitSpec], units: dict[str, Unit], seed: int, bulk: bool = False) -> int:
    wanted = []
    for spec in specs:
        for row in people_for(spec, seed):
            wanted.append((units[spec.code], row))
    existing = {p.service_number: p for p in Person.objects.filter(
        service_number__in=[row["service_number"] for _u, row in wanted])}
    fresh = []
    for unit, row in wanted:
        person = existing.get(row["service_number"])
        if person is None and bulk:
            person = Person(unit=unit, **row)
            person.search_text = person.build_search_text()
            fresh.append(person)
            continue
        _sync(person or Person(service_number=row["service_number"]), {**row, "unit": unit})
    if fresh:
        Person.objects.bulk_create(fresh, batch_size=2000)
        record_bulk(fresh)
    return len(wanted)


ACCOUNTS = [
    # username, role, unit code, (family + middle name, given name), linked position or None
    ("admin", Role.ADMIN, "BCH", ("Quản trị", "Hệ thống"), None),
    ("chunhiem", Role.HEAD, "BCH", None, ("HCKT", "Chủ nhiệm Hậu cần – Kỹ thuật")),
    ("don1", Role.OFFICER, "DBP01", None, ("DBP01", "Trợ lý kỹ thuật")),
    ("don2", Role.OFFICER, "DBP02", None, ("DBP02", "Trợ lý kỹ thuật")),
    ("tho1", Role.TECHNICIAN, "DBP01", None, ("DBP01", "Nhân viên kỹ thuật")),
    ("chihuy1", Role.COMMANDER, "DBP01", None, ("DBP01", "Đồn trưởng")),
    ("xem", Role.VIEWER, "BCH", ("Cán bộ", "Theo dõi"), None),
]
WHOLE_HISTORY = {"admin", "chunhiem", "xem"}  # also see the ended old command


def _upsert_accounts(units: dict[str, Unit], password: str) -> list[tuple[str, str, str]]:
    User = get_user_model()
    rows = []
    for username, role, unit_code, names, linked in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_staff=(role == Role.ADMIN))
            user.set_password(password)
        person = None
        if linked:
            person = Person.objects.filter(unit=units[linked[0]], position=linked[1]).order_by("id").first()
            family, _, given = person.full_name.rpartition(" ")
            names = (family, given)
        if user.pk is None or (user.last_name, user.first_name) != names:
            user.last_name, user.first_name = names
            user.save()
        if person is not None:
            _sync(person, {"user": user})
        for code in [unit_code] + (["BCH-CU"] if username in WHOLE_HISTORY else []):
            membership = Membership.objects.filter(user=user, unit=units[code]).first() or Membership(
                user=user, unit=units[code])
            _sync(membership, {"role": role})
        rows.append((username, Role(role).label, units[unit_code].name))
    return rows


def run(options: dict) -> list[str]:
    """The org part of `kythuat demo`: what it prints."""
    summary = build_demo(seed=options["seed"], units=options["units"], password=options["password"])
    lines = [f"Dữ liệu mẫu / demo data: {summary['units']} đơn vị / units, {summary['people']} cán bộ / people.",
             "Tài khoản mẫu / Demo accounts:"]
    lines += [f"  {username:<10} {role:<32} {unit}" for username, role, unit in summary["accounts"]]
    lines += [f"Mật khẩu / password: {summary['password']}",
              "(Mật khẩu chỉ đặt khi tạo tài khoản lần đầu. / The password is set when an account is first made.)"]
    return lines


def build_demo(*, seed: int = 2026, units: int | None = None, password: str = DEFAULT_PASSWORD) -> dict:
    """Build (or bring up to date) the demo province; returns a summary for printing."""
    specs = province_specs()
    with acting(source="command"), transaction.atomic():
        by_code = _upsert_units(specs)
        people = _upsert_people(specs, by_code, seed)
        extra = extra_specs(units - len(specs), start=13) if units and units > len(specs) else []
        if extra:
            _bulk_units(extra, by_code)
            people += _upsert_people(extra, by_code, seed, bulk=True)
        accounts = _upsert_accounts(by_code, password)
    return {"units": Unit.objects.count(), "people": Person.objects.count(), "accounts": accounts,
            "password": password}
