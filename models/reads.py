"""Reads on the driver's own connection, for the few statements every page view runs (Database.read).

SQLAlchemy's execution and result layers cost a page view more than the driver's round trip itself: a statement here is
compiled once for the database, runs on the DBAPI cursor, and has the values that need it converted by its columns' own
types, so a row holds what the models' attributes would hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select


@dataclass(frozen=True)
class DriverStatement:
    """A SELECT compiled once for one database, to run on the driver's connection without SQLAlchemy's execution and
    result layers: its SQL, its parameters' order, and the columns whose values the driver does not give as the models
    hold them (SQLite's dates are text, a UTCDateTime is tagged UTC), each with its type's own conversion."""

    sql: str
    parameter_order: tuple[str, ...] | None  # for positional parameters (SQLite's ?): their names in order
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column's index, its type's result processor)

    @classmethod
    def compile(cls, statement: Select, dialect: Dialect) -> DriverStatement:
        """The statement as `dialect`'s driver runs it; its parameters must need no conversion (strings, ints)."""
        compiled = statement.compile(dialect=dialect)
        if any(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in compiled.binds.values()):
            raise ValueError("a driver statement's parameters must need no conversion")
        conversions = []
        for index, column in enumerate(statement.selected_columns):
            convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if convert is not None:
                conversions.append((index, convert))
        return cls(compiled.string, tuple(compiled.positiontup) if compiled.positional else None, tuple(conversions))

    def rows(self, dbapi_connection, parameters: dict[str, Any]) -> list[Sequence]:
        """The statement's rows, each a sequence of values in the order of its columns."""
        cursor = dbapi_connection.cursor()
        try:
            if self.parameter_order is None:
                cursor.execute(self.sql, parameters)
            else:
                cursor.execute(self.sql, [parameters[name] for name in self.parameter_order])
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if not self.conversions:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in self.conversions:
                values[index] = convert(values[index])
            converted.append(values)
        return converted


class PlainReads:
    """What Database.read gives a reading: its statements run on the driver's connection, each compiled once."""

    def __init__(self, dbapi_connection, compiled: Callable[[Select], DriverStatement]) -> None:
        self._dbapi_connection = dbapi_connection
        self._compiled = compiled

    def all(self, statement: Select, **parameters: Any) -> list[Sequence]:
        """Every row of `statement`, as the sequence of its columns' values."""
        return self._compiled(statement).rows(self._dbapi_connection, parameters)

    def first(self, statement: Select, **parameters: Any) -> Sequence | None:
        """The first row of `statement` (one the statement selects by a unique key), or None."""
        rows = self.all(statement, **parameters)
        return rows[0] if rows else None
