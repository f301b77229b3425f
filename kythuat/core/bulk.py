"""Fast inserts for bulk loads (demo data, imports, the audit entries of bulk writes).

``QuerySet.bulk_create`` compiles the SQL of every row of every batch, and on PostgreSQL the driver
then parses a statement with tens of thousands of placeholders; for a million rows that is most of
the time. ``bulk_insert`` writes the same values, prepared field by field exactly as Django prepares
them, with one statement text per batch size: on SQLite a multi-row ``INSERT … VALUES``, on
PostgreSQL ``INSERT … SELECT * FROM unnest(<one array per column>)``. Other databases, and rows that
need more than plain values, go through ``bulk_create``.
"""

from django.db import connections, router, transaction
from django.db.models import NOT_PROVIDED

POSTGRESQL_BATCH = 5000


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
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    tail = f" RETURNING {quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        statement, batch = f"{head}SELECT * FROM unnest({arrays}){tail}", POSTGRESQL_BATCH
    else:
        row = f"({', '.join(['%s'] * len(fields))})"
        statement, batch = None, max(1, connection.ops.bulk_batch_size(fields, objs))
    texts: dict[int, str] = {}
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            values = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in chunk]
            if statement:  # one array per column
                cursor.execute(statement, [list(column) for column in zip(*values, strict=True)])
            else:
                if len(chunk) not in texts:
                    texts[len(chunk)] = f"{head}VALUES {', '.join([row] * len(chunk))}{tail}"
                cursor.execute(texts[len(chunk)], [value for row_values in values for value in row_values])
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = alias
    return objs
