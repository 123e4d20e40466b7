-- Summits: filled in by the summit scheduler issue.
CREATE SCHEMA summits;

CREATE TABLE summits.summits (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    starts_on  date NOT NULL,
    ends_on    date NOT NULL CHECK (ends_on >= starts_on),
    timezone   text NOT NULL DEFAULT 'Europe/London',
    created_at timestamptz NOT NULL DEFAULT now()
);
