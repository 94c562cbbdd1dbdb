-- Demo tenants for scripts/quickstart: two accounts with a handful of users each.
-- Idempotent: re-running resets the demo users to their starting settings.
INSERT INTO accounts (id, slug, name, mfa_required) VALUES
    ('0b7c3f0e-5d1a-4c43-9a57-0d3f2b6a1c01', 'acme', 'Acme Corp', false),
    ('5e2d9a44-8f4b-4d7e-b0c1-6a9e2f3d4b02', 'globex', 'Globex Inc', true)
ON CONFLICT (id) DO NOTHING;

INSERT INTO users (account_id, id, email, totp_enabled, passkey_enabled) VALUES
    ('0b7c3f0e-5d1a-4c43-9a57-0d3f2b6a1c01', 'a1000000-0000-4000-8000-000000000001', 'alice@acme.test', false, false),
    ('0b7c3f0e-5d1a-4c43-9a57-0d3f2b6a1c01', 'a1000000-0000-4000-8000-000000000002', 'bob@acme.test', true, false),
    ('0b7c3f0e-5d1a-4c43-9a57-0d3f2b6a1c01', 'a1000000-0000-4000-8000-000000000003', 'carol@acme.test', false, true),
    ('0b7c3f0e-5d1a-4c43-9a57-0d3f2b6a1c01', 'a1000000-0000-4000-8000-000000000004', 'build-bot@acme.test', false, false),
    ('5e2d9a44-8f4b-4d7e-b0c1-6a9e2f3d4b02', 'b2000000-0000-4000-8000-000000000001', 'dana@globex.test', true, false),
    ('5e2d9a44-8f4b-4d7e-b0c1-6a9e2f3d4b02', 'b2000000-0000-4000-8000-000000000002', 'erin@globex.test', true, false),
    ('5e2d9a44-8f4b-4d7e-b0c1-6a9e2f3d4b02', 'b2000000-0000-4000-8000-000000000003', 'frank@globex.test', true, true)
ON CONFLICT (account_id, id) DO UPDATE
    SET email = EXCLUDED.email, totp_enabled = EXCLUDED.totp_enabled,
        passkey_enabled = EXCLUDED.passkey_enabled, deleted_at = NULL;

INSERT INTO jwt_keys (account_id, kid, secret) VALUES
    ('0b7c3f0e-5d1a-4c43-9a57-0d3f2b6a1c01', 'acme-2026', convert_to('demo-only-acme-hmac-secret', 'UTF8'))
ON CONFLICT (account_id, kid) DO NOTHING;
