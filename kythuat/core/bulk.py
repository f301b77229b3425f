"""Fast inserts for bulk loads (demo data, imports, the audit entries of bulk writes).

``QuerySet.bulk_create`` compiles the SQL of every row of every batch, and on PostgreSQL the driver
then parses a statement with tens of thousands of placeholders; for a million rows that is most of
the time. ``bulk_insert`` writes the same values, prepared field by field exactly as Django prepares
them, with one statement text per batch size: on SQLite a multi-row ``INSERT … VALUES``, on
PostgreSQL ``COPY`` with the primary keys taken from the table's sequence first (or, for a table
without one, ``INSERT … SELECT * FROM unnest(<one array per column>)``). Other databases, and rows that
need more than plain values, go through ``bulk_create``. ``bulk_update`` does the same for updates:
``UPDATE … FROM`` the same list of rows, where Django writes a ``CASE`` for every field of every row.
"""

import sqlite3
import time

from django.db import connections, router, transaction
from django.db.models import NOT_PROVIDED, Field
from django.utils import timezone

POSTGRESQL_BATCH = 5000
# Fields whose values repeat (dates, amounts, foreign keys, flags) and are hashable: each distinct
# value is prepared once per call. Text is not: its values are mostly distinct and cheap to prepare.
_MEMO_TYPES = {"DateField", "DateTimeField", "DecimalField", "ForeignKey", "OneToOneField", "BooleanField",
               "IntegerField", "SmallIntegerField", "BigIntegerField", "PositiveIntegerField",
               "PositiveSmallIntegerField", "PositiveBigIntegerField", "TimeField", "FloatField", "UUIDField"}
_MEMO_SIZE = 4096
_MISSING = object()
CLOCKS = (timezone.now, timezone.localdate)  # defaults that read the clock


def _plain_fields(model, objs) -> list | None:
    """The columns to write, or None when a row or a field needs what only ``bulk_create`` does."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    if any(getattr(obj, pk.attname) is not None for obj in objs):
        return None
    if any(getattr(f, "generated", False) or f.db_default is not NOT_PROVIDED or hasattr(f, "get_placeholder")
           for f in fields):
        return None
    return fields


def bulk_insert(objs: list, *, using: str | None = None) -> list:
    """Insert new rows of one model as ``bulk_create(objs)`` does — in batches, without signals, the
    primary keys set on the objects — but without compiling each row's SQL."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    fields = _plain_fields(model, objs)
    if fields is None or connection.vendor not in ("sqlite", "postgresql") or (
            not connection.features.can_return_rows_from_bulk_insert):
        return model._base_manager.using(alias).bulk_create(objs)
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        sequence = _sequence(connection, model)
        if sequence:
            return _copy_insert(connection, alias, model, fields, objs, sequence)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    tail = f" RETURNING {quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        statement, batch = f"{head}SELECT * FROM unnest({arrays}){tail}", POSTGRESQL_BATCH
    else:
        row = f"({', '.join(['%s'] * len(fields))})"
        statement, batch = None, _sqlite_batch(connection, len(fields))
    texts: dict[int, str] = {}
    prepare = _Columns(fields, objs, connection)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            columns = prepare(chunk)
            if statement:  # one array per column
                cursor.execute(statement, columns)
            else:
                if len(chunk) not in texts:
                    texts[len(chunk)] = f"{head}VALUES {', '.join([row] * len(chunk))}{tail}"
                cursor.execute(texts[len(chunk)], [value for values in zip(*columns, strict=True) for value in values])
            _saved(chunk, [pk for (pk,) in cursor.fetchall()], alias)
    return objs


def _saved(chunk, ids, alias) -> None:
    """The objects of a written batch get their primary keys and count as saved."""
    for obj, pk in zip(chunk, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _sequence(connection, model) -> str | None:
    """The sequence of the model's automatic primary key on PostgreSQL, None if it has none."""
    from django.db.models.fields import AutoFieldMixin

    pk = model._meta.pk
    if not isinstance(pk, AutoFieldMixin):
        return None
    cache = connection.__dict__.setdefault("_kythuat_sequences", {})
    if model not in cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
            cache[model] = cursor.fetchone()[0]
    return cache[model]


def _copy_insert(connection, alias, model, fields, objs, sequence: str) -> list:
    """PostgreSQL: the primary keys of a batch from the table's sequence, then the rows by ``COPY``,
    which formats each value in C (psycopg's) where an ``INSERT`` with client-side binding (Django's
    default) quotes each in Python."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    copy_sql = (f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in [pk, *fields])}) "
                "FROM STDIN")
    prepare = _Columns(fields, objs, connection)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), POSTGRESQL_BATCH):
            chunk = objs[start:start + POSTGRESQL_BATCH]
            columns = prepare(chunk)
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(chunk)])
            ids = [row[0] for row in cursor.fetchall()]
            with cursor.cursor.copy(copy_sql) as copy:
                for row in zip(ids, *columns, strict=True):
                    copy.write_row(row)
            _saved(chunk, ids, alias)
    return objs


def bulk_update(objs, fields, *, using: str | None = None) -> int:
    """Set ``fields`` of saved rows of one model as ``QuerySet.bulk_update(objs, fields)`` does —
    the values of the objects as they are, no signals — with one ``UPDATE … FROM`` a list of rows per
    batch instead of Django's ``CASE WHEN id = … THEN …`` for every field of every row. Returns the
    number of rows updated."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    fields = [meta.get_field(name) for name in fields]
    pk = meta.pk
    if connection.vendor not in ("sqlite", "postgresql") or sqlite3.sqlite_version_info < (3, 33) or any(
            not f.concrete or f.many_to_many or f.primary_key or getattr(f, "generated", False)
            or hasattr(f, "get_placeholder") for f in fields) or any(
            getattr(obj, pk.attname) is None or any(hasattr(getattr(obj, f.attname), "resolve_expression")
                                                    for f in fields) for obj in objs):
        return model._base_manager.using(alias).bulk_update(objs, [f.name for f in fields])
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        names = [f"c{index}" for index in range(len(fields) + 1)]
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *fields])
        source, batch = f"unnest({arrays}) AS v({', '.join(names)})", POSTGRESQL_BATCH
    else:
        names = [f"column{index}" for index in range(1, len(fields) + 2)]  # SQLite's names for VALUES columns
        source, batch = None, _sqlite_batch(connection, len(fields) + 1)
    assignments = ", ".join(f"{quote(f.column)} = v.{name}" for f, name in zip(fields, names[1:], strict=True))
    head = f"UPDATE {table} SET {assignments} FROM "
    tail = f" WHERE {table}.{quote(pk.column)} = v.{names[0]}"
    row = f"({', '.join(['%s'] * (len(fields) + 1))})"
    texts: dict[int, str] = {}
    prepare = _Columns([pk, *fields], objs, connection, adding=False)
    updated = 0
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            columns = prepare(chunk)
            if source:
                cursor.execute(f"{head}{source}{tail}", columns)
            else:
                if len(chunk) not in texts:
                    texts[len(chunk)] = f"{head}(VALUES {', '.join([row] * len(chunk))}) AS v{tail}"
                cursor.execute(texts[len(chunk)], [value for values in zip(*columns, strict=True) for value in values])
            updated += cursor.rowcount
    return updated


def _sqlite_batch(connection, columns: int) -> int:
    """Rows per statement: as many as SQLite takes parameters (32,766 since 3.32; Django assumes 999)."""
    connection.ensure_connection()
    try:
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python before 3.11
        limit = connection.features.max_query_params
    return max(1, min(limit // columns, 2000))


class _Columns:
    """The values of a chunk of rows, column by column, prepared as ``bulk_create`` prepares them
    (``pre_save`` then ``get_db_prep_save``) but with the clock read once per call (``auto_now`` and
    ``auto_now_add``: every row of one insert gets the same time) and each distinct value of a
    repeating field prepared once."""

    def __init__(self, fields, objs, connection, *, adding: bool = True):
        self.connection = connection
        self.plan = []
        for field in fields:
            if not adding:  # an update writes the values as they are, as bulk_update does
                self.plan.append((field, "memo" if field.get_internal_type() in _MEMO_TYPES else "plain", {}))
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = field.pre_save(objs[0], True)
                for obj in objs:
                    setattr(obj, field.attname, value)
                self.plan.append((field, "same", field.get_db_prep_save(value, connection)))
            elif type(field).pre_save is not Field.pre_save:
                self.plan.append((field, "pre_save", None))
            elif field.get_internal_type() in _MEMO_TYPES:
                self.plan.append((field, "memo", {}))
            else:
                self.plan.append((field, "plain", None))

    def __call__(self, chunk) -> list[list]:
        connection = self.connection
        columns = []
        for field, how, extra in self.plan:
            if how == "same":
                columns.append([extra] * len(chunk))
                continue
            prepare = field.get_db_prep_save
            if how == "pre_save":
                columns.append([prepare(field.pre_save(obj, True), connection) for obj in chunk])
                continue
            attname = field.attname
            if how == "plain":
                columns.append([prepare(getattr(obj, attname), connection) for obj in chunk])
                continue
            memo, column = extra, []
            for obj in chunk:
                value = getattr(obj, attname)
                key = (value.__class__, value)
                prepared = memo.get(key, _MISSING)
                if prepared is _MISSING:
                    prepared = memo[key] = prepare(value, connection)
                column.append(prepared)
            if len(memo) > _MEMO_SIZE:  # mostly distinct values (ids of other rows): start afresh
                memo.clear()
            columns.append(column)
        return columns


class Maker:
    """New instances of a model from field values, fast: ``Model(*values)`` is the positional path
    Django itself uses when loading rows, without the per-keyword work of ``Model(**kwargs)``
    that would dominate a dry run. Related fields take the object (kept as the cached value)."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.position = {}
        self.relations = {}
        for index, model_field in enumerate(fields):
            self.position[model_field.attname] = index
            self.position.setdefault(model_field.name, index)
            if model_field.is_relation:
                self.relations[model_field.name] = model_field
        dynamic = [not f.primary_key and f.has_default() and callable(f.default) for f in fields]
        self.defaults = [None if f.primary_key or dynamic[i] else f.get_default() for i, f in enumerate(fields)]
        self.callables = [(i, f.default) for i, f in enumerate(fields) if dynamic[i] and f.default not in CLOCKS]
        # Defaults that read the clock are read at most once a second (reading the local date costs
        # more than making the rest of an instance).
        self.clocks = [(i, f.default) for i, f in enumerate(fields) if dynamic[i] and f.default in CLOCKS]
        self.read_at = None

    def __call__(self, **values):
        if self.clocks:
            moment = time.monotonic()
            if self.read_at is None or moment - self.read_at >= 1:
                self.read_at = moment
                for index, default in self.clocks:
                    self.defaults[index] = default()
        row = self.defaults.copy()
        for index, default in self.callables:
            row[index] = default()
        related = []
        position = self.position
        for name, value in values.items():
            if name in self.relations and value is not None and not isinstance(value, int):
                related.append((self.relations[name], value))
                value = value.pk
            row[position[name]] = value
        obj = self.model(*row)
        for model_field, value in related:
            model_field.set_cached_value(obj, value)
        return obj
