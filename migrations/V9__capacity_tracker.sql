-- The capacity tracker: a versioned framework of dimensions, append-only assessments, action plans, people
-- with consent, mentoring, programmes with cohorts, and casework counts. Staff are admins; an organisation's
-- editors (directory.editors) act on their own organisation only.

-- Anything recorded as history refuses updates, deletes and truncation: a correction is a new version.
CREATE FUNCTION capacity.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'capacity history is append-only: record a new version instead'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- The framework: each version is a whole set of dimensions, never edited; admins add a new version.
CREATE TABLE capacity.frameworks (
    version    integer PRIMARY KEY CHECK (version >= 1),
    note       text NOT NULL DEFAULT '',
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE capacity.dimensions (
    framework_version integer NOT NULL REFERENCES capacity.frameworks,
    key               text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    position          integer NOT NULL,
    name              text NOT NULL,
    description       text NOT NULL DEFAULT '',
    -- What each level from 1 to 5 means for this dimension.
    levels            text[] NOT NULL CHECK (cardinality(levels) = 5),
    PRIMARY KEY (framework_version, key),
    UNIQUE (framework_version, position)
);

INSERT INTO capacity.frameworks (version, note) VALUES (1, 'The network''s default framework');
INSERT INTO capacity.dimensions (framework_version, key, position, name, description, levels)
SELECT 1, key, position, name, description,
       ARRAY['not in place', 'emerging', 'developing', 'established', 'embedded and leading']
FROM (VALUES
    ('governance_leadership', 1, 'Governance & leadership', 'A board or committee that holds the organisation to its purpose, and leaders who share power.'),
    ('strategy_adaptability', 2, 'Strategy & adaptability', 'A plan the members shaped, and the habit of changing it when the situation changes.'),
    ('finance_sustainability', 3, 'Finance & sustainability', 'Sound books, more than one source of income, and reserves for a hard year.'),
    ('people_volunteers_safeguarding', 4, 'People, volunteers & safeguarding', 'Staff and volunteers supported and safe, with safeguarding that people know and use.'),
    ('service_advice_quality', 5, 'Service and advice quality', 'Advice and services that are accurate, within the law on regulated advice, and checked.'),
    ('learning_evaluation_data_protection', 6, 'Learning, evaluation & data protection', 'Learning from what works, evidence gathered with consent, personal data kept lawfully.'),
    ('community_voice_partnerships_influence', 7, 'Community voice, partnerships & influence', 'Members speak for themselves, the organisation builds alliances and changes decisions.'),
    ('operations_systems', 8, 'Operations & systems', 'Premises, tools and routines that work and do not depend on one person.')
) AS defaults (key, position, name, description);

-- An assessment's identity: which organisation, which framework version. Its content lives in versions.
CREATE TABLE capacity.assessments (
    id                uuid PRIMARY KEY,
    organisation_id   uuid NOT NULL REFERENCES directory.organisations,
    framework_version integer NOT NULL REFERENCES capacity.frameworks,
    created_by        uuid,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_organisation ON capacity.assessments (organisation_id);

-- Every version of an assessment: the newest is the current one; older ones are the history.
CREATE TABLE capacity.assessment_versions (
    assessment_id uuid NOT NULL REFERENCES capacity.assessments,
    version       integer NOT NULL CHECK (version >= 1),
    assessed_on   date NOT NULL,
    method        text NOT NULL CHECK (method IN ('self', 'facilitated', 'consensus')),
    status        text NOT NULL CHECK (status IN ('draft', 'final')),
    -- Why this version was made (required for a correction of a final assessment).
    reason        text NOT NULL DEFAULT '',
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assessment_id, version)
);

CREATE TABLE capacity.ratings (
    assessment_id uuid NOT NULL,
    version       integer NOT NULL,
    dimension_key text NOT NULL,
    -- A role or initials ("chair", "facilitator"), not a person's record.
    rater         text NOT NULL,
    score         smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    evidence      text NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, version, dimension_key, rater),
    FOREIGN KEY (assessment_id, version) REFERENCES capacity.assessment_versions
);

CREATE TRIGGER frameworks_append_only BEFORE UPDATE OR DELETE ON capacity.frameworks
    FOR EACH ROW EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER dimensions_append_only BEFORE UPDATE OR DELETE ON capacity.dimensions
    FOR EACH ROW EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER assessments_append_only BEFORE UPDATE OR DELETE ON capacity.assessments
    FOR EACH ROW EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER assessment_versions_append_only BEFORE UPDATE OR DELETE ON capacity.assessment_versions
    FOR EACH ROW EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER ratings_append_only BEFORE UPDATE OR DELETE ON capacity.ratings
    FOR EACH ROW EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER frameworks_no_truncate BEFORE TRUNCATE ON capacity.frameworks
    FOR EACH STATEMENT EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER dimensions_no_truncate BEFORE TRUNCATE ON capacity.dimensions
    FOR EACH STATEMENT EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER assessments_no_truncate BEFORE TRUNCATE ON capacity.assessments
    FOR EACH STATEMENT EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER assessment_versions_no_truncate BEFORE TRUNCATE ON capacity.assessment_versions
    FOR EACH STATEMENT EXECUTE FUNCTION capacity.refuse_change();
CREATE TRIGGER ratings_no_truncate BEFORE TRUNCATE ON capacity.ratings
    FOR EACH STATEMENT EXECUTE FUNCTION capacity.refuse_change();

-- A projection for reports, rebuilt from the current version whenever a version is added: each
-- dimension's mean score. The history stays in the append-only tables above.
CREATE TABLE capacity.assessment_scores (
    assessment_id   uuid NOT NULL REFERENCES capacity.assessments,
    dimension_key   text NOT NULL,
    organisation_id uuid NOT NULL,
    assessed_on     date NOT NULL,
    final           boolean NOT NULL,
    score           double precision NOT NULL,
    PRIMARY KEY (assessment_id, dimension_key)
);
CREATE INDEX assessment_scores_final ON capacity.assessment_scores (organisation_id, dimension_key, assessed_on, assessment_id)
    INCLUDE (score) WHERE final;

-- Action plans: goals tied to a dimension, and their milestones.
CREATE TABLE capacity.goals (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES directory.organisations,
    dimension_key   text NOT NULL,
    title           text NOT NULL,
    owner           text NOT NULL DEFAULT '',
    due_on          date,
    status          text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX goals_organisation ON capacity.goals (organisation_id);

CREATE TABLE capacity.milestones (
    id         uuid PRIMARY KEY,
    goal_id    uuid NOT NULL REFERENCES capacity.goals ON DELETE CASCADE,
    title      text NOT NULL,
    owner      text NOT NULL DEFAULT '',
    due_on     date,
    status     text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX milestones_goal ON capacity.milestones (goal_id);

-- People the network supports (mentors, mentees, learners), with what they consented to.
CREATE TABLE capacity.people (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    email           text,
    phone           text,
    organisation_id uuid REFERENCES directory.organisations,
    created_at      timestamptz NOT NULL DEFAULT now(),
    erased_at       timestamptz
);

CREATE TABLE capacity.consents (
    id           uuid PRIMARY KEY,
    person_id    uuid NOT NULL REFERENCES capacity.people ON DELETE CASCADE,
    purpose      text NOT NULL CHECK (purpose IN ('contact', 'mentoring', 'programmes', 'reporting', 'stories')),
    given_at     timestamptz NOT NULL,
    withdrawn_at timestamptz,
    recorded_by  uuid,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_person ON capacity.consents (person_id);

-- Mentoring: one profile per person and role; matches keep their figures when a profile is purged.
CREATE TABLE capacity.mentoring_profiles (
    id                      uuid PRIMARY KEY,
    person_id               uuid NOT NULL REFERENCES capacity.people ON DELETE CASCADE,
    role                    text NOT NULL CHECK (role IN ('mentor', 'mentee')),
    languages               text[] NOT NULL,
    latitude                double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude               double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    skills                  text[] NOT NULL DEFAULT '{}',
    lived_experience        text[] NOT NULL DEFAULT '{}',
    availability            text[] NOT NULL,
    safeguarding_checked_on date,
    -- How many mentees a mentor can take at once (1 for a mentee).
    capacity                integer NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 20),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, role)
);

CREATE TABLE capacity.matches (
    id          uuid PRIMARY KEY,
    mentor_id   uuid REFERENCES capacity.mentoring_profiles ON DELETE SET NULL,
    mentee_id   uuid REFERENCES capacity.mentoring_profiles ON DELETE SET NULL,
    status      text NOT NULL CHECK (status IN ('proposed', 'active', 'rejected', 'ended')),
    origin      text NOT NULL CHECK (origin IN ('matcher', 'override')),
    score       double precision,
    reason      text NOT NULL DEFAULT '',
    proposed_at timestamptz NOT NULL DEFAULT now(),
    decided_by  uuid,
    decided_at  timestamptz,
    started_on  date,
    ended_on    date
);
CREATE UNIQUE INDEX matches_one_live_per_mentee ON capacity.matches (mentee_id)
    WHERE status IN ('proposed', 'active');
CREATE INDEX matches_mentor ON capacity.matches (mentor_id);

CREATE TABLE capacity.meetings (
    id          uuid PRIMARY KEY,
    match_id    uuid NOT NULL REFERENCES capacity.matches ON DELETE CASCADE,
    met_on      date NOT NULL,
    minutes     integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    notes       text NOT NULL DEFAULT '',
    recorded_by uuid,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_match ON capacity.meetings (match_id);

-- Programmes (created in V5) with cohorts, sessions tagged with the network's four actions, enrolments of
-- people or organisations, and attendance.
ALTER TABLE capacity.programmes
    ADD COLUMN kind text NOT NULL DEFAULT 'training_series'
        CHECK (kind IN ('academy', 'training_series', 'capacity_support', 'other')),
    ADD COLUMN description text NOT NULL DEFAULT '';

CREATE TABLE capacity.cohorts (
    id           uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES capacity.programmes ON DELETE CASCADE,
    name         text NOT NULL,
    starts_on    date NOT NULL,
    ends_on      date NOT NULL CHECK (ends_on >= starts_on)
);
CREATE INDEX cohorts_programme ON capacity.cohorts (programme_id);

CREATE TABLE capacity.sessions (
    id                     uuid PRIMARY KEY,
    cohort_id              uuid NOT NULL REFERENCES capacity.cohorts ON DELETE CASCADE,
    title                  text NOT NULL,
    held_on                date NOT NULL,
    led_by_organisation_id uuid REFERENCES directory.organisations,
    actions                text[] NOT NULL DEFAULT '{}'
        CHECK (actions <@ ARRAY['speak_out', 'connect', 'grow_power', 'build_common_ground'])
);
CREATE INDEX sessions_held_on ON capacity.sessions (held_on);

-- A purged or erased person's enrolments and attendance keep their figures with `person_id` emptied.
CREATE TABLE capacity.enrolments (
    id              uuid PRIMARY KEY,
    cohort_id       uuid NOT NULL REFERENCES capacity.cohorts ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('person', 'organisation')),
    -- For a person: their organisation when they enrolled, so figures per organisation survive erasure.
    person_id       uuid REFERENCES capacity.people ON DELETE SET NULL,
    organisation_id uuid REFERENCES directory.organisations,
    status          text NOT NULL CHECK (status IN ('enrolled', 'completed', 'withdrawn')),
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    completed_on    date,
    CHECK (kind = 'person' OR (organisation_id IS NOT NULL AND person_id IS NULL))
);
CREATE UNIQUE INDEX enrolments_person ON capacity.enrolments (cohort_id, person_id) WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX enrolments_organisation ON capacity.enrolments (cohort_id, organisation_id)
    WHERE kind = 'organisation';

CREATE TABLE capacity.attendance (
    id         uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES capacity.sessions ON DELETE CASCADE,
    person_id  uuid REFERENCES capacity.people ON DELETE SET NULL,
    -- The person's organisation when they registered, so figures per organisation survive erasure.
    organisation_id uuid,
    status     text NOT NULL CHECK (status IN ('registered', 'attended', 'cancelled')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX attendance_person ON capacity.attendance (session_id, person_id) WHERE person_id IS NOT NULL;

-- Casework: numbers per organisation, quarter and category; never a client's details.
CREATE TABLE capacity.casework (
    organisation_id uuid NOT NULL REFERENCES directory.organisations,
    quarter         date NOT NULL
        CHECK (extract(day FROM quarter) = 1 AND extract(month FROM quarter) IN (1, 4, 7, 10)),
    category        text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_]{0,63}$'),
    cases           integer NOT NULL CHECK (cases >= 0),
    updated_by      uuid,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, quarter, category)
);
