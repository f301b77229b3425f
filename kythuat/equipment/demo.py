"""Demo register: items spread over the province's units the way a border command holds them.

Lines are made per unit from a holding plan (what a border post, a station, a squadron … holds),
scaled to the number of lines asked for, seeded by unit so the result is the same for a seed.
Written in bulk (``core.bulk.bulk_insert``, with the audit log in bulk too), so a million lines take
minutes, not hours (docs/performance.md).
"""

import random

from kythuat.core.audit import record_bulk
from kythuat.core.bulk import bulk_insert
from kythuat.core.text import fold
from kythuat.org.models import Unit, UnitKind

from .choices import Completeness, Condition, LocationClass, TrackedBy, UsageState
from .models import EquipmentType, Item

# What one unit of a kind holds: (type code, lines) — serialised types: items; quantity types: lots.
HOLDINGS = {
    UnitKind.BORDER_POST: [("AK", 30), ("AKM", 12), ("STV380", 8), ("K54", 6), ("K59", 3), ("CKC", 4), ("RPD", 2),
                           ("PKM", 1), ("B40", 2), ("B41", 1), ("M79", 1), ("SVD", 1), ("D762X39", 4),
                           ("D762X54", 2), ("D762X25", 2), ("LDC", 2), ("DB40", 1), ("RANGER", 1), ("UAZ469", 1),
                           ("WAVE", 3), ("SIRIUS", 2), ("XR150", 2), ("MPD5", 1), ("MPD25", 1), ("VRH811", 1),
                           ("VRU812", 2), ("BODAM", 8), ("DTDC", 2), ("TONGDAI", 1), ("ONQS", 4), ("KNDEM", 2),
                           ("ONDANHIET", 1), ("CAMERA", 2), ("GPS", 2), ("FLYCAM", 1), ("MATUY", 1), ("DOMIN", 1),
                           ("DCCB", 1), ("MATNA", 1), ("QAPH", 1), ("PC", 4), ("LAPTOP", 2), ("MAYIN", 2),
                           ("SWITCH", 1)],
    UnitKind.TEAM: [("AK", 6), ("K54", 1), ("BODAM", 2), ("ONQS", 1)],
    UnitKind.STATION: [("AK", 4), ("BODAM", 2), ("VRU812", 1), ("CAMERA", 1), ("ONQS", 1), ("MPD25", 1)],
    UnitKind.SQUADRON: [("TT400", 1), ("TT200", 2), ("CUMMINS", 4), ("YANMAR", 2), ("RADAR", 3), ("INMARSAT", 2),
                        ("AK", 20), ("PKM", 2), ("D762X39", 3), ("VRH811", 2), ("BODAM", 6), ("PC", 2)],
    UnitKind.BATTALION: [("AK", 40), ("AKM", 20), ("RPD", 4), ("PKM", 2), ("B40", 4), ("C60", 2), ("D762X39", 6),
                         ("DC60", 2), ("KAMAZ", 2), ("UAZ469", 1), ("CUUTHUONG", 1), ("VRU812", 4), ("BODAM", 10),
                         ("MPD10", 1)],
    UnitKind.DEPOT: [("AK", 60), ("K54", 10), ("D762X39", 10), ("D762X54", 5), ("LDC", 5), ("DB40", 3),
                     ("MATNA", 4), ("QAPH", 3), ("DP5V", 2), ("MPD10", 1)],
    UnitKind.WORKSHOP: [("MPD10", 1), ("CUAXICH", 2), ("PC", 2), ("KAMAZ", 1)],
    UnitKind.DEPARTMENT: [("PC", 6), ("LAPTOP", 4), ("MAYIN", 3), ("SERVER", 1), ("SWITCH", 2), ("FORTUNER", 1)],
    UnitKind.COMMAND: [("FORTUNER", 2), ("CUUTHUONG", 1), ("XQUANG", 1)],
}
COASTAL = [("XCT", 1), ("CANO", 1), ("XCS", 2), ("YAM40", 2)]  # posts with a boat team

GRADES = [(1, 8), (2, 62), (3, 18), (4, 8), (5, 4)]
USAGE = [(UsageState.IN_USE, 72), (UsageState.RESERVE, 14), (UsageState.SEALED, 8),
         (UsageState.IN_REPAIR, 3), (UsageState.AWAITING_DISPOSAL, 3)]


def _pick(rng, weighted):
    return rng.choices([value for value, _w in weighted], weights=[w for _v, w in weighted])[0]


def _plan(units) -> list[tuple[Unit, str, int]]:
    plan = []
    with_boats = set(Unit.objects.filter(name="Tổ Tàu thuyền").values_list("parent_id", flat=True))
    for unit in units:
        holdings = list(HOLDINGS.get(unit.kind, []))
        if unit.kind == UnitKind.BORDER_POST and unit.pk in with_boats:
            holdings += COASTAL
        plan += [(unit, code, lines) for code, lines in holdings]
    return plan


def _item(rng, unit, kind: EquipmentType, serial: str, first_part: str | None, type_text: str) -> Item:
    grade = _pick(rng, GRADES)
    usage = UsageState.AWAITING_DISPOSAL if grade == 5 and rng.random() < 0.7 else _pick(rng, USAGE)
    if grade >= 3 and rng.random() < 0.3:
        usage = UsageState.IN_REPAIR
    condition = (Condition.UNUSABLE if grade >= 4 or usage == UsageState.IN_REPAIR
                 else Condition.LIMITED if grade == 3 else
                 _pick(rng, [(Condition.READY, 95), (Condition.LIMITED, 5)]))
    location = {UsageState.RESERVE: LocationClass.UNIT_DEPOT, UsageState.SEALED: LocationClass.UNIT_DEPOT}.get(
        usage, LocationClass.IN_USE)
    if unit.kind == UnitKind.DEPOT:
        location = LocationClass.HIGHER_DEPOT
    life = kind.service_life_years or 20
    year_made = rng.randint(2026 - life - 8, 2025)
    quantity = 1 if kind.tracked_by == TrackedBy.SERIAL else rng.choice([50, 100, 200, 500, 1000, 2000, 5000])
    missing = kind.tracked_by == TrackedBy.SERIAL and first_part is not None and rng.random() < 0.06
    age = 2026 - year_made
    item = Item(
        type=kind, unit=unit, serial=serial, quantity=quantity, year_made=year_made,
        year_in_service=min(year_made + rng.randint(0, 1), 2026), grade=grade, condition=condition,
        usage_state=usage, location_class=location,
        completeness=Completeness.MISSING if missing else Completeness.COMPLETE,
        missing_parts=first_part if missing else "",
        km=round(rng.uniform(2000, 12000) * age, 1) if kind.has_km else None,
        engine_hours=round(rng.uniform(80, 600) * age, 1) if kind.has_engine_hours else None,
        rounds=rng.randint(50, 400) * age if kind.has_rounds else None,
    )
    item.search_text = f"{fold(serial)} {type_text}"  # as Item.build_search_text, the type's part folded once
    return item


def build_items(*, seed: int = 2026, lines: int = 20000, batch: int = 5000) -> int:
    """Bring the demo register to ``lines`` lines; existing demo lines are kept (idempotent)."""
    existing = Item.objects.filter(serial__startswith="DM-").count()
    if existing >= lines:
        return existing
    units = list(Unit.objects.active_on().exclude(kind=UnitKind.OTHER).order_by("path"))
    plan = _plan(units)
    types = {t.code: t for t in EquipmentType.objects.prefetch_related("kit")}
    first_parts = {code: next((part.name for part in t.kit.all()), None) for code, t in types.items()}
    type_texts = {code: fold(f"{t.code} {t.name}") for code, t in types.items()}
    rng = random.Random(f"{seed}:items:{existing}")
    pending, made = [], existing
    number = existing  # serials DM-<type>-<n>: n continues after the lines already made
    while made < lines and plan:
        # Round after round over the holding plan, in a shuffled order, so any number of lines keeps
        # its proportions and reaches every kind of unit.
        rng.shuffle(plan)
        for unit, code, count in plan:
            kind = types.get(code)
            if kind is None:
                continue
            for _ in range(count):
                if made >= lines:
                    break
                number += 1
                pending.append(_item(rng, unit, kind, f"DM-{kind.code}-{number:07d}", first_parts[code],
                                     type_texts[code]))
                made += 1
                if len(pending) >= batch:
                    record_bulk(bulk_insert(pending))
                    pending = []
            if made >= lines:
                break
    if pending:
        record_bulk(bulk_insert(pending))
    return made


def run(options: dict) -> list[str]:
    total = build_items(seed=options["seed"], lines=options["items"])
    return [f"Sổ đăng ký VKTBKT / equipment register: {total} dòng / lines."]
