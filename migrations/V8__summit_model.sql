-- Summits, normalised: rooms, slots, sessions, people (facilitators) with their unavailability,
-- registrations and pins, each keyed within its summit by the planner's own short id ("hall", "sat-1",
-- "w01"). The plan document of V7 is now derived from these tables; `summits.plans` keeps only the plan's
-- version, which every change bumps (the ETag). References between keys (a wish, a pin, a facilitator) are
-- checked by the service against the whole plan, so one change can never leave a plan the solver refuses.

CREATE TABLE summits.rooms (
    summit_id uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    key       text NOT NULL,
    capacity  integer NOT NULL CHECK (capacity >= 0),
    features  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (summit_id, key)
);

-- A slot of kind `break` or `meal` holds no session.
CREATE TABLE summits.slots (
    summit_id uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    key       text NOT NULL,
    day       date NOT NULL,
    starts_at time NOT NULL,
    ends_at   time NOT NULL CHECK (ends_at > starts_at),
    kind      text NOT NULL DEFAULT 'session' CHECK (kind IN ('session', 'break', 'meal')),
    PRIMARY KEY (summit_id, key)
);

-- People who facilitate, each perhaps from an organisation (a directory organisation's id).
CREATE TABLE summits.people (
    summit_id    uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    key          text NOT NULL,
    name         text NOT NULL DEFAULT '',
    organisation text,
    unavailable  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (summit_id, key)
);

CREATE TABLE summits.sessions (
    summit_id      uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    key            text NOT NULL,
    kind           text NOT NULL DEFAULT 'workshop' CHECK (kind IN ('workshop', 'plenary', 'walk', 'one_to_one')),
    title          text NOT NULL DEFAULT '',
    description    text NOT NULL DEFAULT '',
    theme          text,
    facilitators   text[] NOT NULL DEFAULT '{}',
    length         integer NOT NULL DEFAULT 1 CHECK (length >= 1),
    language       text,
    interpretation text[] NOT NULL DEFAULT '{}',
    requires       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (summit_id, key)
);

-- An attendee's registration. A member registers themselves (`user_id`, and their key is their user id);
-- attendees imported with a plan document have a key and no account.
CREATE TABLE summits.registrations (
    summit_id      uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    key            text NOT NULL,
    user_id        uuid REFERENCES accounts.users ON DELETE CASCADE,
    wishes         text[] NOT NULL DEFAULT '{}',
    needs          text[] NOT NULL DEFAULT '{}',
    languages      text[] NOT NULL DEFAULT '{}',
    themes         text[] NOT NULL DEFAULT '{}',
    unavailable    text[] NOT NULL DEFAULT '{}',
    organisation   text,
    travel_support boolean NOT NULL DEFAULT false,
    lunch          boolean NOT NULL DEFAULT false,
    registered_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (summit_id, key),
    UNIQUE (summit_id, user_id)
);

CREATE TABLE summits.pins (
    summit_id uuid NOT NULL REFERENCES summits.summits ON DELETE CASCADE,
    session   text NOT NULL,
    slot      text NOT NULL,
    room      text NOT NULL,
    PRIMARY KEY (summit_id, session)
);

-- The plan documents saved so far become rows.
INSERT INTO summits.rooms (summit_id, key, capacity, features)
SELECT p.summit_id, r->>'id', (r->>'capacity')::integer,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(r->'features', '[]')))
FROM summits.plans p, jsonb_array_elements(p.instance->'rooms') r;

INSERT INTO summits.slots (summit_id, key, day, starts_at, ends_at, kind)
SELECT p.summit_id, s->>'id', (s->>'day')::date, (s->>'start')::time, (s->>'end')::time,
       CASE WHEN coalesce((s->>'break')::boolean, false) THEN 'break' ELSE 'session' END
FROM summits.plans p, jsonb_array_elements(p.instance->'slots') s;

INSERT INTO summits.people (summit_id, key, organisation, unavailable)
SELECT p.summit_id, x->>'id', x->>'organisation', ARRAY(SELECT jsonb_array_elements_text(coalesce(x->'unavailable', '[]')))
FROM summits.plans p, jsonb_array_elements(coalesce(p.instance->'people', '[]')) x;

INSERT INTO summits.sessions (summit_id, key, kind, title, theme, facilitators, length, language, requires)
SELECT p.summit_id, s->>'id',
       coalesce(s->>'kind', CASE WHEN coalesce((s->>'plenary')::boolean, false) THEN 'plenary' ELSE 'workshop' END),
       coalesce(s->>'title', ''), s->>'theme',
       ARRAY(SELECT jsonb_array_elements_text(coalesce(s->'facilitators', '[]'))),
       (s->>'length')::integer, s->>'language',
       ARRAY(SELECT jsonb_array_elements_text(coalesce(s->'requires', '[]')))
FROM summits.plans p, jsonb_array_elements(p.instance->'sessions') s;

INSERT INTO summits.registrations (summit_id, key, wishes, needs, languages, themes, unavailable, organisation)
SELECT p.summit_id, a->>'id',
       ARRAY(SELECT jsonb_array_elements_text(coalesce(a->'wishes', '[]'))),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(a->'needs', '[]'))),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(a->'languages', '[]'))),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(a->'themes', '[]'))),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(a->'unavailable', '[]'))),
       a->>'organisation'
FROM summits.plans p, jsonb_array_elements(coalesce(p.instance->'attendees', '[]')) a;

INSERT INTO summits.pins (summit_id, session, slot, room)
SELECT p.summit_id, x->>'session', x->>'slot', x->>'room'
FROM summits.plans p, jsonb_array_elements(coalesce(p.instance->'pinned', '[]')) x;

ALTER TABLE summits.plans DROP COLUMN instance;

-- Each agenda keeps the plan it was solved from (for its exports and changelog), every attendee's
-- allocated sessions, and the pairs of its one-to-one blocks.
ALTER TABLE summits.agendas
    ADD COLUMN instance      jsonb,
    ADD COLUMN allocation    jsonb,
    ADD COLUMN conversations jsonb;
