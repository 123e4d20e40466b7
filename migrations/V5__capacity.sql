-- Capacity building: filled in by the capacity tracker issue.
CREATE SCHEMA capacity;

CREATE TABLE capacity.programmes (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
