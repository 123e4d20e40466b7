-- A summit's plan (rooms, slots, sessions, people, attendees' wishes and pins, in the scheduler's instance
-- format) and the numbered agendas solved from it; an agenda is published by stamping it.
CREATE TABLE summits.plans (
    summit_id  uuid PRIMARY KEY REFERENCES summits.summits ON DELETE CASCADE,
    instance   jsonb NOT NULL,
    version    bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE summits.agendas (
    id           uuid PRIMARY KEY,
    summit_id    uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    number       integer NOT NULL,
    plan_version bigint NOT NULL,
    solution     jsonb NOT NULL,
    report       jsonb NOT NULL,
    created_by   uuid REFERENCES accounts.users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    UNIQUE (summit_id, number)
);
