-- Accounts: people who sign in, their sessions and personal API tokens (shared by every service).
CREATE SCHEMA accounts;

CREATE TABLE accounts.users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'planner', 'member')),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON accounts.users (lower(email));

-- Only a hash of each secret is stored: a database dump does not let anyone sign in.
CREATE TABLE accounts.sessions (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user ON accounts.sessions (user_id);

CREATE TABLE accounts.api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON accounts.api_tokens (user_id);

-- Failed sign-ins, to throttle guessing per email address.
CREATE TABLE accounts.failed_sign_ins (
    email        text NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX failed_sign_ins_email ON accounts.failed_sign_ins (lower(email), attempted_at);
