"""Database functions the same on SQLite and PostgreSQL (DESIGN.md §2: nothing may depend on one
backend's quirks)."""

from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """Whole days from the date ``start`` to the date ``end`` (``end`` − ``start``) as an integer, so it
    can be multiplied and summed in the database (Django's date subtraction gives a duration, which
    SQLite cannot multiply)."""

    arity = 2
    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL: date − date is an integer number of days.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
                              arg_joiner=") - julianday(", **extra)
