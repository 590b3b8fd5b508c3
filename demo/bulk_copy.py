"""Writing rows in bulk into PostgreSQL for seed_bulk (demo/bulk.py): COPY buffers, ids
reserved ahead of their sequences, and a table's secondary indexes and constraints
dropped for the load and re-created after it (each foreign key then checked by one
join). Table and constraint names come from the code and the catalogue, never from input.
"""

from __future__ import annotations

import io
from dataclasses import dataclass


class Copier:
    """Rows buffered as COPY text per table, sent when a buffer grows large."""

    def __init__(self, cursor, flush_bytes: int = 32 << 20):
        self.cursor = cursor
        self.flush_bytes = flush_bytes
        self.buffers: dict[str, tuple[list[str], list[str]]] = {}
        self.sizes: dict[str, int] = {}

    def add(self, table: str, columns: list[str], lines: list[str]) -> None:
        parts = self.buffers.setdefault(table, (columns, []))[1]
        parts.extend(lines)
        self.sizes[table] = self.sizes.get(table, 0) + len(lines)
        if len(parts) > self.flush_bytes // 64:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            columns, parts = self.buffers[name]
            if not parts:
                continue
            data = io.StringIO("".join(parts))
            parts.clear()
            self.cursor.copy_expert(f"COPY {name} ({', '.join(columns)}) FROM STDIN", data, 1 << 20)


def reserve_ids(cursor, table: str) -> int:
    """The last id in use; the caller writes ids after it and moves the sequence on."""
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
    (max_id,) = cursor.fetchone()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
    last_value, is_called = cursor.fetchone()
    return max(max_id, last_value if is_called else last_value - 1)


def move_sequence(cursor, table: str, last_id: int) -> None:
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, 1), %s)",
        [table, last_id, last_id > 0],
    )


@dataclass
class Deferred:
    """A table's secondary indexes and non-check constraints, dropped for the load."""

    table: str
    constraints: list[tuple[str, str]]  # (name, definition)
    indexes: list[str]  # CREATE INDEX statements


def drop_secondary(cursor, table: str) -> Deferred:
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = %s::regclass AND contype IN ('f', 'u')
         ORDER BY contype DESC, conname
        """,
        [table],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
         WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [table],
    )
    indexes = list(cursor.fetchall())
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return Deferred(table, constraints, [definition for _name, definition in indexes])


def restore_secondary(cursor, deferred: Deferred) -> None:
    # Unique constraints first (u before f above), then indexes, then foreign keys:
    # each foreign key's check is one join that the new indexes do not slow down.
    for name, definition in deferred.constraints:
        if definition.startswith("UNIQUE"):
            cursor.execute(f'ALTER TABLE {deferred.table} ADD CONSTRAINT "{name}" {definition}')
    for statement in deferred.indexes:
        cursor.execute(statement)
    for name, definition in deferred.constraints:
        if not definition.startswith("UNIQUE"):
            cursor.execute(f'ALTER TABLE {deferred.table} ADD CONSTRAINT "{name}" {definition}')


def drop_foreign_keys(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
    dropped = []
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            dropped.append((table, name, definition))
    return dropped
