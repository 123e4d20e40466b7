-- The directory of grassroots organisations, their locations and editors, and the outbox the search
-- index follows.
CREATE SCHEMA directory;

CREATE TABLE directory.organisations (
    id                    uuid PRIMARY KEY,
    name                  text NOT NULL,
    description           text NOT NULL DEFAULT '',
    themes                text[] NOT NULL DEFAULT '{}',
    communities           text[] NOT NULL DEFAULT '{}',
    languages             text[] NOT NULL DEFAULT '{}',
    website               text,
    contact_name          text,
    contact_email         text,
    contact_phone         text,
    membership            text NOT NULL CHECK (membership IN ('member', 'associate', 'applicant', 'former')),
    profile_visibility    text NOT NULL CHECK (profile_visibility IN ('public', 'network', 'private')),
    contact_visibility    text NOT NULL CHECK (contact_visibility IN ('public', 'network', 'private')),
    locations_visibility  text NOT NULL CHECK (locations_visibility IN ('public', 'network', 'private')),
    membership_visibility text NOT NULL CHECK (membership_visibility IN ('public', 'network', 'private')),
    version               bigint NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    deleted_at            timestamptz
);
CREATE INDEX organisations_live ON directory.organisations (id) WHERE deleted_at IS NULL;

CREATE TABLE directory.locations (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES directory.organisations ON DELETE CASCADE,
    position        integer NOT NULL,
    label           text NOT NULL DEFAULT '',
    address         text,
    postcode        text,
    town            text,
    latitude        double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude       double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    precision       text NOT NULL CHECK (precision IN ('exact', 'area', 'hidden')),
    UNIQUE (organisation_id, position)
);

CREATE TABLE directory.editors (
    organisation_id uuid NOT NULL REFERENCES directory.organisations ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX editors_user ON directory.editors (user_id);

-- Every write to an organisation adds a row here in the same transaction; search indexes apply it in order.
CREATE TABLE directory.outbox (
    position        bigserial PRIMARY KEY,
    organisation_id uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
