-- What directory search needs beyond organisations: stored regions, the links between organisations that
-- organisers map in power-mapping workshops, and a strict order of outbox positions.

-- Named areas to search within (a GeoJSON Polygon or MultiPolygon in WGS 84).
CREATE TABLE directory.regions (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    geometry   jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX regions_name_key ON directory.regions (lower(name));

-- Relationships between organisations: who works with whom. Sensitive: shown only to those allowed.
CREATE TABLE directory.links (
    id           uuid PRIMARY KEY,
    from_id      uuid NOT NULL REFERENCES directory.organisations ON DELETE CASCADE,
    to_id        uuid NOT NULL REFERENCES directory.organisations ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('partner', 'coalition', 'mentoring')),
    note         text NOT NULL DEFAULT '',
    visibility   text NOT NULL CHECK (visibility IN ('network', 'private')),
    created_by   uuid REFERENCES accounts.users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (from_id <> to_id),
    UNIQUE (from_id, to_id, kind)
);
CREATE INDEX links_to ON directory.links (to_id);
