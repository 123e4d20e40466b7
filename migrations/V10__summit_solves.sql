-- Solves a planner starts and watches ("solve" with progress): one row per request. The server running it
-- writes its step, how far it has gone and the best lost wishes so far a few times a second (`updated_at` is
-- its heartbeat, so a solve whose server died shows as interrupted), then the agenda it made or the reasons
-- no agenda could be made.

CREATE TABLE summits.solves (
    id            uuid PRIMARY KEY,
    summit_id     uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    state         text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    step          text NOT NULL DEFAULT 'starting' CHECK (step IN ('starting', 'placing', 'allocating', 'saving')),
    done          double precision NOT NULL DEFAULT 0 CHECK (done BETWEEN 0 AND 1),
    lost_wishes   integer,
    agenda_number integer,
    problems      jsonb,
    requested_by  uuid REFERENCES accounts.users ON DELETE SET NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CHECK ((state = 'done') = (agenda_number IS NOT NULL))
);

CREATE INDEX solves_by_summit ON summits.solves (summit_id, started_at DESC);

-- One running solve per summit: a second request while one runs is told to watch the first.
CREATE UNIQUE INDEX one_running_solve ON summits.solves (summit_id) WHERE state = 'running';
