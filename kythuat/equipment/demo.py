"""Demo register: items spread over the province's units the way a border command holds them.

Lines are made per unit from a holding plan (what a border post, a station, a squadron … holds),
scaled to the number of lines asked for, seeded by unit so the result is the same for a seed.
Written in bulk (``core.bulk.bulk_insert``, with the audit log in bulk too), so a million lines take
minutes, not hours (docs/performance.md).
"""

import datetime
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kythuat.core.audit import AuditAction, record_bulk
from kythuat.core.text import fold
from kythuat.org.models import Unit, UnitKind

from . import history
from .choices import (
    Completeness,
    Condition,
    DocumentStatus,
    LocationClass,
    StrikeOffReason,
    StrikeOffStatus,
    TrackedBy,
    TransferStatus,
    UsageState,
)
from .models import (
    EquipmentType,
    GradeChange,
    GradeChangeLine,
    Item,
    StrikeOff,
    StrikeOffLine,
    Transfer,
    TransferLine,
)

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


HISTORY_START = 2011  # fifteen years of history up to this year


def _item(rng, unit, kind: EquipmentType, serial: str, first_part: str | None, type_text: str) -> Item:
    """A line as it stands today; ``_history_plan`` then decides how it got there."""
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


def _history_plan(rng, item: Item, posts: list[int], today: datetime.date) -> list[tuple]:
    """Turn a line as it stands today into where it started and the documents that brought it here:
    yearly grade assessments (worse by one grade each), a transfer between border posts, a strike-off.
    Returns the events (date, kind, new value); the item is set to its state at registration."""
    first_year = max(item.year_in_service or HISTORY_START, HISTORY_START)
    item.registered_on = min(datetime.date(first_year, rng.randint(1, 12), rng.randint(1, 28)),
                             today - datetime.timedelta(days=60))
    years = list(range(item.registered_on.year + 1, today.year + 1))
    events = []
    steps = min(item.grade - 1, _pick(rng, [(0, 45), (1, 40), (2, 15)]), len(years))
    if steps:
        final_grade, final_condition = item.grade, item.condition
        for offset, year in enumerate(sorted(rng.sample(years, steps)), start=1):
            last = offset == steps
            events.append((min(datetime.date(year, 11, 20), today - datetime.timedelta(days=1)), "grade",
                           (item.grade - steps + offset, final_condition if last else Condition.READY)))
        item.grade, item.condition = final_grade - steps, Condition.READY
    if item.quantity == 1 and item.unit_id in posts and len(posts) > 1 and years and rng.random() < 0.04:
        year = rng.choice(years)
        events.append((min(datetime.date(year, 4, 10), today - datetime.timedelta(days=1)), "transfer",
                       item.unit_id))
        item.unit_id = rng.choice([post for post in posts if post != item.unit_id])
    if item.grade + steps == 5 and years and item.registered_on.year < today.year - 3 and rng.random() < 0.35:
        year = rng.choice([y for y in years if y < today.year] or years)
        day = min(datetime.date(year, 12, 10), today - datetime.timedelta(days=1))
        events = [event for event in events if event[0] < day] + [(day, "strike", UsageState.STRUCK_OFF)]
    events.sort(key=lambda event: event[0])
    return events


def build_items(*, seed: int = 2026, lines: int = 20000, batch: int = 5000) -> int:
    """Bring the demo register to ``lines`` lines with fifteen years of documents behind them; existing
    demo lines are kept (idempotent). Apps that follow the register's changes (the maintenance
    schedules) hear of them once, at the end, not after every batch of fifteen years of documents."""
    with history.gathered():
        return _build_items(seed=seed, lines=lines, batch=batch)


def _build_items(*, seed: int, lines: int, batch: int) -> int:
    existing = Item.objects.filter(serial__startswith="DM-").count()
    if existing >= lines:
        return existing
    units = list(Unit.objects.active_on().exclude(kind=UnitKind.OTHER).order_by("path"))
    posts = [unit.pk for unit in units if unit.kind == UnitKind.BORDER_POST]
    plan = _plan(units)
    types = {t.code: t for t in EquipmentType.objects.prefetch_related("kit")}
    first_parts = {code: next((part.name for part in t.kit.all()), None) for code, t in types.items()}
    type_texts = {code: fold(f"{t.code} {t.name}") for code, t in types.items()}
    rng = random.Random(f"{seed}:items:{existing}")
    today = timezone.localdate()
    pending, made, events = [], existing, []
    number = existing  # serials DM-<type>-<n>: n continues after the lines already made

    def flush():
        planned = [(item, item_events) for item, item_events in pending]
        Item.objects.bulk_create([item for item, _e in planned])
        record_bulk([item for item, _e in planned])
        for item, item_events in planned:
            for day, kind, value in item_events:
                events.append((day, kind, value, _compact(item)))
        pending.clear()

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
                item = _item(rng, unit, kind, f"DM-{kind.code}-{number:07d}", first_parts[code], type_texts[code])
                pending.append((item, _history_plan(rng, item, posts, today)))
                made += 1
                if len(pending) >= batch:
                    flush()
            if made >= lines:
                break
    if pending:
        flush()
    _replay(events, {t.pk: t for t in types.values()})
    return made


def _compact(item: Item) -> list:
    """What the replay needs of a line, without keeping a million model instances in memory."""
    return [item.pk, item.type_id, item.unit_id, item.grade, item.quantity, item.condition, item.usage_state,
            item.serial]


def _instance(state: list, types: dict) -> Item:
    pk, type_id, unit_id, grade, quantity, condition, usage, serial = state
    item = Item(pk=pk, type=types[type_id], unit_id=unit_id, grade=grade, quantity=quantity, condition=condition,
                usage_state=usage, serial=serial)
    item._state.adding = False
    item._audit_snapshot = item.audit_values()
    return item


def _replay(events: list, types: dict) -> None:
    """Write the documents of the planned history in date order, through the bulk writes that keep the
    history periods, and audit them: approved grade changes, handed-over transfers, strike-offs done."""
    User = get_user_model()
    approver = User.objects.filter(username="chunhiem").first() or User.objects.filter(is_superuser=True).first()
    if approver is None or not events:
        return
    by_day = defaultdict(list)
    for event in events:
        by_day[(event[0], event[1])].append(event)
    numbers = defaultdict(int)
    for (day, kind), day_events in sorted(by_day.items(), key=lambda entry: entry[0]):
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))
        groups = defaultdict(list)
        for _day, _kind, value, state in day_events:
            key = (state[2], value) if kind == "transfer" else state[2]
            groups[key].append((value, state))
        with transaction.atomic(), history.effective_on(day):
            changed, docs, lines = [], [], []
            for key, members in groups.items():
                issuer = key[0] if kind == "transfer" else key
                numbers[(kind, issuer, day.year)] += 1
                serial = numbers[(kind, issuer, day.year)]
                if kind == "grade":
                    doc = GradeChange(unit_id=key, number=f"{serial:02d}/BB-CCCL-{day.year}-{day:%m%d}", date=day,
                                      reason="Đánh giá, phân cấp chất lượng cuối năm", status=DocumentStatus.APPROVED,
                                      approved_by=approver, approved_at=moment,
                                      assessors="Tổ kiểm tra kỹ thuật của đơn vị")
                elif kind == "transfer":
                    doc = Transfer(from_unit_id=key[0], to_unit_id=key[1], number=f"{serial:02d}/LĐC-{day:%Y%m%d}",
                                   date=day, reason="Điều chỉnh trang bị giữa các đồn",
                                   status=TransferStatus.COMPLETED, approved_by=approver, approved_at=moment,
                                   completed_at=moment)
                else:
                    doc = StrikeOff(unit_id=key, year=day.year, number=f"{serial:02d}/KH-LKBC-{day.year}", date=day,
                                    status=StrikeOffStatus.DONE, approved_by=approver, approved_at=moment,
                                    consolidated_by=approver, consolidated_at=moment, done_on=day, done_by=approver)
                doc.search_text = doc.build_search_text()
                docs.append((doc, members))
            model = type(docs[0][0])
            model.objects.bulk_create([doc for doc, _m in docs])
            record_bulk([doc for doc, _m in docs])
            for doc, members in docs:
                for value, state in members:
                    item = _instance(state, types)
                    if kind == "grade":
                        lines.append(GradeChangeLine(grade_change=doc, item=item, grade_before=state[3],
                                                     grade_after=value[0]))
                        state[3], state[5] = value
                    elif kind == "transfer":
                        lines.append(TransferLine(transfer=doc, item=item, quantity=state[4], moved_item=item))
                        state[2] = value
                    else:
                        lines.append(StrikeOffLine(strike_off=doc, item=item, quantity=state[4],
                                                   reason=StrikeOffReason.GRADE_5, struck_item=item))
                        state[6] = value
                    item.grade, item.unit_id, item.condition, item.usage_state = state[3], state[2], state[5], state[6]
                    changed.append(item)
            type(lines[0]).objects.bulk_create(lines)
            record_bulk(lines)
            fields = {"grade": ["grade", "condition"], "transfer": ["unit"], "strike": ["usage_state"]}[kind]
            Item.objects.bulk_update(changed, fields, batch_size=1000)
            record_bulk(changed, AuditAction.UPDATE)


def run(options: dict) -> list[str]:
    total = build_items(seed=options["seed"], lines=options["items"])
    return [f"Sổ đăng ký VKTBKT / equipment register: {total} dòng / lines."]
