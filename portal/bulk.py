"""Writing many rows of one table at once, inside the session's transaction.

PostgreSQL takes them through COPY (psycopg's `cursor.copy`: one stream, escaped by the driver,
several times faster than an INSERT per row for the server and the client alike); other
databases through one executemany of the plain driver statement. Either way the values go
through the columns' own SQLAlchemy bind processing (enums to their stored value, dates on
SQLite), so the rows read back exactly as an ORM or Core insert would have written them."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from psycopg import sql
from sqlalchemy import Table

from portal.extensions import db

CHUNK = 5000  # rows per executemany: bounds the driver's parameter lists


def insert_rows(table: Table, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Insert `rows` (dicts holding at least `columns`) into `table`; returns how many."""
    connection = db.session.connection()
    dialect = connection.dialect
    processors = [(index, processor) for index, name in enumerate(columns)
                  if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None]

    def prepared(row: dict) -> list:
        values = [row[name] for name in columns]
        for index, processor in processors:
            values[index] = processor(values[index])
        return values

    count = 0
    if dialect.name == "postgresql":
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in columns))
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(prepared(row))
                count += 1
        return count
    statement = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                 f"VALUES ({', '.join('?' if dialect.paramstyle == 'qmark' else '%s' for _ in columns)})")
    batch = []
    for row in rows:
        batch.append(tuple(prepared(row)))
        if len(batch) == CHUNK:
            connection.exec_driver_sql(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.exec_driver_sql(statement, batch)
        count += len(batch)
    return count
