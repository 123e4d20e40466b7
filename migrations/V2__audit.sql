-- The append-only audit log: who changed what, when, from what to what.
CREATE SCHEMA audit;

CREATE TABLE audit.events (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  uuid,
    entity    text NOT NULL,
    entity_id uuid NOT NULL,
    action    text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    -- [{"field": "...", "old": ..., "new": ...}]
    changes   jsonb NOT NULL
);
CREATE INDEX events_entity ON audit.events (entity, entity_id, id);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
