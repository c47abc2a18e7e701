"""Create or drop a scratch PostgreSQL database for the test run (exit 1 if unreachable)."""

from __future__ import annotations

import sys

import psycopg


def main(action: str, admin_url: str, name: str) -> int:
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
        return 1
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
