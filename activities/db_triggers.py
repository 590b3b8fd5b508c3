"""Database triggers for the rules that span tables.

A CHECK constraint sees one row only, so these three rules are triggers:

* ``participation_hours_within_activity``: a participation's hours are at most
  its activity's hours (checked when either side changes);
* ``participation_member_in_team``: the participant belongs to the activity's
  team (checked when the participation, the activity's team or the member's
  team changes);
* ``participation_member_registered``: the participant is registered on the
  activity's start date, that is registered on or before it and not left before
  it (checked when the participation is written, the activity's start date or
  the member's dates change; only a change, so that rows stored before the
  rule do not stop unrelated edits).

Violations raise an ``IntegrityError`` naming the rule, like a CHECK constraint.
``install`` is idempotent. It runs from the migration and again after every
``migrate`` (``apps.py``), because SQLite drops a table's triggers whenever
Django rebuilds that table in a later migration.
"""

HOURS_RULE = "participation_hours_within_activity"
TEAM_RULE = "participation_member_in_team"
REGISTERED_RULE = "participation_member_registered"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION activities_participation_check() RETURNS trigger AS $$
    DECLARE
        activity_hours numeric;
        activity_team bigint;
        activity_start date;
        member_team bigint;
        member_registered date;
        member_left date;
    BEGIN
        SELECT hours, team_id, start_date INTO activity_hours, activity_team, activity_start
          FROM activities_activity WHERE id = NEW.activity_id;
        SELECT team_id, registered_on, left_on INTO member_team, member_registered, member_left
          FROM members_member WHERE id = NEW.member_id;
        IF NEW.hours > activity_hours THEN
            RAISE EXCEPTION '{HOURS_RULE}: % hours exceed the activity''s % hours',
                NEW.hours, activity_hours
                USING ERRCODE = 'check_violation', CONSTRAINT = '{HOURS_RULE}';
        END IF;
        IF member_team IS DISTINCT FROM activity_team THEN
            RAISE EXCEPTION '{TEAM_RULE}: member % is not in the activity''s team', NEW.member_id
                USING ERRCODE = 'check_violation', CONSTRAINT = '{TEAM_RULE}';
        END IF;
        IF member_registered > activity_start OR member_left < activity_start THEN
            RAISE EXCEPTION '{REGISTERED_RULE}: member % not registered on %',
                NEW.member_id, activity_start
                USING ERRCODE = 'check_violation', CONSTRAINT = '{REGISTERED_RULE}';
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
        IF NEW.start_date IS DISTINCT FROM OLD.start_date AND EXISTS (
            SELECT 1 FROM activities_participation p
              JOIN members_member m ON m.id = p.member_id
             WHERE p.activity_id = NEW.id
               AND (m.registered_on > NEW.start_date OR m.left_on < NEW.start_date)) THEN
            RAISE EXCEPTION '{REGISTERED_RULE}: a participant is not registered on %',
                NEW.start_date
                USING ERRCODE = 'check_violation', CONSTRAINT = '{REGISTERED_RULE}';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS activity_check ON activities_activity",
    """
    CREATE TRIGGER activity_check
        AFTER UPDATE OF hours, team_id, start_date ON activities_activity
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
    f"""
    CREATE OR REPLACE FUNCTION members_member_registration_check() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM activities_participation p
                     JOIN activities_activity a ON a.id = p.activity_id
                    WHERE p.member_id = NEW.id
                      AND (a.start_date < NEW.registered_on OR a.start_date > NEW.left_on)) THEN
            RAISE EXCEPTION '{REGISTERED_RULE}: member % has service records outside it',
                NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = '{REGISTERED_RULE}';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS member_registration_check ON members_member",
    """
    CREATE TRIGGER member_registration_check
        AFTER UPDATE OF registered_on, left_on ON members_member
        FOR EACH ROW
        WHEN (OLD.registered_on IS DISTINCT FROM NEW.registered_on
              OR OLD.left_on IS DISTINCT FROM NEW.left_on)
        EXECUTE FUNCTION members_member_registration_check()
    """,
]

_SQLITE_PARTICIPATION_BODY = f"""
    SELECT RAISE(ABORT, 'CHECK constraint failed: {HOURS_RULE}')
     WHERE NEW.hours > (SELECT hours FROM activities_activity WHERE id = NEW.activity_id);
    SELECT RAISE(ABORT, 'CHECK constraint failed: {TEAM_RULE}')
     WHERE (SELECT team_id FROM members_member WHERE id = NEW.member_id)
           IS NOT (SELECT team_id FROM activities_activity WHERE id = NEW.activity_id);
    SELECT RAISE(ABORT, 'CHECK constraint failed: {REGISTERED_RULE}')
     WHERE EXISTS (SELECT 1 FROM members_member m, activities_activity a
                    WHERE m.id = NEW.member_id AND a.id = NEW.activity_id
                      AND (m.registered_on > a.start_date OR m.left_on < a.start_date));
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
    "DROP TRIGGER IF EXISTS activity_check_start",
    f"""CREATE TRIGGER activity_check_start AFTER UPDATE OF start_date ON activities_activity
    WHEN NEW.start_date IS NOT OLD.start_date
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {REGISTERED_RULE}')
         WHERE EXISTS (SELECT 1 FROM activities_participation p
                         JOIN members_member m ON m.id = p.member_id
                        WHERE p.activity_id = NEW.id
                          AND (m.registered_on > NEW.start_date OR m.left_on < NEW.start_date));
    END""",
    "DROP TRIGGER IF EXISTS member_registration_check",
    f"""CREATE TRIGGER member_registration_check
    AFTER UPDATE OF registered_on, left_on ON members_member
    WHEN NEW.registered_on IS NOT OLD.registered_on OR NEW.left_on IS NOT OLD.left_on
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: {REGISTERED_RULE}')
         WHERE EXISTS (SELECT 1 FROM activities_participation p
                         JOIN activities_activity a ON a.id = p.activity_id
                        WHERE p.member_id = NEW.id
                          AND (a.start_date < NEW.registered_on OR a.start_date > NEW.left_on));
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
