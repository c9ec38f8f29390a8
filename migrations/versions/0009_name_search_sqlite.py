"""name search: a trigram full-text index of the folded names on SQLite

The roster search matches a typed text anywhere in the folded name (LIKE '%text%'). PostgreSQL
answers that from its trigram index (0007); SQLite walked the roster's index, the whole of it
for a rare name (some 10 ms for 50,000 people, on every keystroke). An FTS5 table with the
trigram tokenizer (SQLite 3.34+) finds the people whose folded name holds a text of three
letters or more in a millisecond or two; the search asks it first (portal/rosters/services.py).
It is an external-content table over person (no second copy of the names), kept in step by
triggers. A later migration that rebuilds the person table in batch mode (copy and rename)
drops these triggers: it must create them again (person_name_triggers below).

PostgreSQL: nothing changes.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

person_name_triggers = (
    """CREATE TRIGGER person_name_insert AFTER INSERT ON person BEGIN
         INSERT INTO person_name (rowid, name_folded) VALUES (new.id, new.name_folded);
       END""",
    """CREATE TRIGGER person_name_delete AFTER DELETE ON person BEGIN
         INSERT INTO person_name (person_name, rowid, name_folded) VALUES ('delete', old.id, old.name_folded);
       END""",
    """CREATE TRIGGER person_name_update AFTER UPDATE OF id, name_folded ON person BEGIN
         INSERT INTO person_name (person_name, rowid, name_folded) VALUES ('delete', old.id, old.name_folded);
         INSERT INTO person_name (rowid, name_folded) VALUES (new.id, new.name_folded);
       END""",
)


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute("CREATE VIRTUAL TABLE person_name USING fts5(name_folded, content='person', content_rowid='id', "
               "tokenize='trigram')")
    for trigger in person_name_triggers:
        op.execute(trigger)
    op.execute("INSERT INTO person_name (person_name) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in ('person_name_update', 'person_name_delete', 'person_name_insert'):
        op.execute(f'DROP TRIGGER {name}')
    op.execute('DROP TABLE person_name')
