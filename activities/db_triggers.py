"""Database triggers for the rules that span tables.

A CHECK constraint sees one row only, so these two rules are triggers:

* ``participation_hours_within_activity``: a participation's hours are at most
  its activity's hours (checked when either side changes);
* ``participation_member_in_team``: the participant belongs to the activity's
  team (checked when the participation, the activity's team or the member's
  team changes).

Violations raise an ``IntegrityError`` naming the rule, like a CHECK constraint.
``install`` is idempotent. It runs from the migration and again after every
``migrate`` (``apps.py``), because SQLite drops a table's triggers whenever
Django rebuilds that table in a later migration.
"""

HOURS_RULE = "participation_hours_within_activity"
TEAM_RULE = "participation_member_in_team"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION activities_participation_check() RETURNS trigger AS $$
    DECLARE
        activity_hours numeric;
        activity_team bigint;
        member_team bigint;
    BEGIN
        SELECT hours, team_id INTO activity_hours, activity_team
          FROM activities_activity WHERE id = NEW.activity_id;
        SELECT team_id INTO member_team FROM members_member WHERE id = NEW.member_id;
        IF NEW.hours > activity_hours THEN
            RAISE EXCEPTION '{HOURS_RULE}: % hours exceed the activity''s % hours',
                NEW.hours, activity_hours
                USING ERRCODE = 'check_violation', CONSTRAINT = '{HOURS_RULE}';
        END IF;
        IF member_team IS DISTINCT FROM activity_team THEN
            RAISE EXCEPTION '{TEAM_RULE}: member % is not in the activity''s team', NEW.member_id
                USING ERRCODE = 'check_violation', CONSTRAINT = '{TEAM_RULE}';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS participation_check ON activities_participation",
    """
    CREATE TRIGGER participation_check
        BEFORE INSERT OR UPDATE ON activities_participation
        FOR EACH ROW EXECUTE FUNCTION activities_participation_check()
    """,
    f"""
    CREATE OR REPLACE FUNCTION activities_activity_check() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM activities_participation
                    WHERE activity_id = NEW.id AND hours > NEW.hours) THEN
            RAISE EXCEPTION '{HOURS_RULE}: a participant has more hours than the activity''s %',
                NEW.hours
                USING ERRCODE = 'check_violation', CONSTRAINT = '{HOURS_RULE}';
        END IF;
        IF NEW.team_id <> OLD.team_id AND EXISTS (
            SELECT 1 FROM activities_participation p
              JOIN members_member m ON m.id = p.member_id
             WHERE p.activity_id = NEW.id AND m.team_id <> NEW.team_id) THEN
            RAISE EXCEPTION '{TEAM_RULE}: the activity''s participants belong to another team'
                USING ERRCODE = 'check_violation', CONSTRAINT = '{TEAM_RULE}';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS activity_check ON activities_activity",
    """
    CREATE TRIGGER activity_check
        AFTER UPDATE OF hours, team_id ON activities_activity
        FOR EACH ROW EXECUTE FUNCTION activities_activity_check()
    """,
    f"""
    CREATE OR REPLACE FUNCTION members_member_team_check() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM activities_participation p
                     JOIN activities_activity a ON a.id = p.activity_id
                    WHERE p.member_id = NEW.id AND a.team_id <> NEW.team_id) THEN
            RAISE EXCEPTION '{TEAM_RULE}: member % has service records in another team', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = '{TEAM_RULE}';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS member_team_check ON members_member",
    """
    CREATE TRIGGER member_team_check
        AFTER UPDATE OF team_id ON members_member
        FOR EACH ROW EXECUTE FUNCTION members_member_team_check()
    """,
]

_SQLITE_PARTICIPATION_BODY = f"""
    SELECT RAISE(ABORT, 'CHECK constraint failed: {HOURS_RULE}')
     WHERE NEW.hours > (SELECT hours FROM activities_activity WHERE id = NEW.activity_id);
    SELECT RAISE(ABORT, 'CHECK constraint failed: {TEAM_RULE}')
     WHERE (SELECT team_id FROM members_member WHERE id = NEW.member_id)
           IS NOT (SELECT team_id FROM activities_activity WHERE id = NEW.activity_id);
"""

SQLITE = [
    "DROP TRIGGER IF EXISTS participation_check_insert",
    f"""CREATE TRIGGER participation_check_insert BEFORE INSERT ON activities_participation
    BEGIN {_SQLITE_PARTICIPATION_BODY} END""",
    "DROP TRIGGER IF EXISTS participation_check_update",
    f"""CREATE TRIGGER participation_check_update BEFORE UPDATE ON activities_participation
    BEGIN {_SQLITE_PARTICIPATION_BODY} END""",
    "DROP TRIGGER IF EXISTS activity_check_hours",
    f"""CREATE TRIGGER activity_check_hours AFTER UPDATE OF hours ON activities_activity
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {HOURS_RULE}')
         WHERE EXISTS (SELECT 1 FROM activities_participation
                        WHERE activity_id = NEW.id AND hours > NEW.hours);
    END""",
    "DROP TRIGGER IF EXISTS activity_check_team",
    f"""CREATE TRIGGER activity_check_team AFTER UPDATE OF team_id ON activities_activity
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {TEAM_RULE}')
         WHERE EXISTS (SELECT 1 FROM activities_participation p
                         JOIN members_member m ON m.id = p.member_id
                        WHERE p.activity_id = NEW.id AND m.team_id <> NEW.team_id);
    END""",
    "DROP TRIGGER IF EXISTS member_team_check",
    f"""CREATE TRIGGER member_team_check AFTER UPDATE OF team_id ON members_member
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {TEAM_RULE}')
         WHERE EXISTS (SELECT 1 FROM activities_participation p
                         JOIN activities_activity a ON a.id = p.activity_id
                        WHERE p.member_id = NEW.id AND a.team_id <> NEW.team_id);
    END""",
]


def install(connection) -> None:
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No triggers written for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_from_migration(apps, schema_editor) -> None:
    install(schema_editor.connection)


def install_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if {"activities_activity", "activities_participation", "members_member"} <= set(tables):
        install(connection)
