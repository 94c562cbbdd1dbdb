#!/usr/bin/env python3
"""Generates benchmark manifests and seed data for scripts/bench-*.

  generate.py manifest FORMAT ROWS PATH [TENANTS USERS_PER_TENANT]
      CSV or JSON Lines rows naming users by email across tenants t0000…; each
      tenant also gets one `*` row so the desired-state resolution has work to do.
  generate.py seed TENANTS USERS_PER_TENANT PATH
      SQL that inserts the accounts and users (COPY format, fast).
"""
import sys


def manifest(fmt, rows, path, tenants=100, users=1000):
    with open(path, "w", buffering=1 << 20) as out:
        if fmt == "csv":
            out.write("account,user,totp_enabled,passkey_enabled,comment\n")
        for i in range(rows):
            t = i % tenants
            u = (i // tenants) % users
            account = f"t{t:04d}"
            if i < tenants:
                user, totp, passkey, comment = "*", "true", "", "enforce totp"
            else:
                user, totp, passkey = f"user{u:06d}@t{t:04d}.test", ("false" if u % 50 == 0 else "true"), ("true" if u % 3 == 0 else "")
                comment = f"row {i}, \"quoted\""
            if fmt == "csv":
                out.write(f'{account},{user},{totp},{passkey},"{comment.replace(chr(34), chr(34) * 2)}"\n')
            else:
                fields = [f'"account": "{account}"', f'"user": "{user}"', f'"totp_enabled": {totp}']
                if passkey:
                    fields.append(f'"passkey_enabled": {passkey}')
                fields.append('"comment": "' + comment.replace('"', '\\"') + '"')
                out.write("{" + ", ".join(fields) + "}\n")


def seed(tenants, users, path):
    with open(path, "w", buffering=1 << 20) as out:
        out.write("COPY accounts (id, slug, name, mfa_required) FROM STDIN;\n")
        for t in range(tenants):
            out.write(f"00000000-0000-4000-8000-{t:012d}\tt{t:04d}\tTenant {t}\tf\n")
        out.write("\\.\n")
        out.write("COPY users (account_id, id, email, totp_enabled, passkey_enabled) FROM STDIN;\n")
        for t in range(tenants):
            for u in range(users):
                out.write(f"00000000-0000-4000-8000-{t:012d}\t{t:08d}-{u // 65536:04d}-4000-8000-{u:012d}\tuser{u:06d}@t{t:04d}.test\tf\tf\n")
        out.write("\\.\n")


if __name__ == "__main__":
    if sys.argv[1] == "manifest":
        extra = [int(x) for x in sys.argv[5:7]]
        manifest(sys.argv[2], int(sys.argv[3]), sys.argv[4], *extra)
    elif sys.argv[1] == "seed":
        seed(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)
