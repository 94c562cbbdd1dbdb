-- 0001: the tables operators and fixtures write directly (PRODUCT.md section 4).
-- Forward-only; the runner wraps each file in its own transaction.

CREATE TABLE accounts (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    mfa_required boolean NOT NULL DEFAULT false
);

CREATE TABLE users (
    account_id      uuid NOT NULL REFERENCES accounts (id),
    id              uuid NOT NULL,
    email           text NOT NULL,
    totp_enabled    boolean NOT NULL DEFAULT false,
    passkey_enabled boolean NOT NULL DEFAULT false,
    deleted_at      timestamptz,
    PRIMARY KEY (account_id, id)
);

-- Emails are unique per account, case-insensitively; this index also serves the
-- lookups of rows that name a user by email.
CREATE UNIQUE INDEX users_account_id_email_key ON users (account_id, lower(email));

CREATE TABLE jwt_keys (
    account_id uuid NOT NULL REFERENCES accounts (id),
    kid        text NOT NULL,
    secret     bytea NOT NULL,
    revoked_at timestamptz,
    PRIMARY KEY (account_id, kid)
);
