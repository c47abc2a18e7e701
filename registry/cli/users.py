"""govcode users: people who sign in."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, settings

app = typer.Typer(help="People who sign in.", no_args_is_help=True)


@app.command("create-admin")
def create_admin(
    email: str,
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="GOVCODE_ADMIN_PASSWORD",
        help="asked for when not given",
    ),
    dry_run: bool = typer.Option(False, "--dry-run"),
) -> None:
    """Make a confirmed site administrator (or promote the account with that address)."""
    from registry.db import session_scope
    from registry.services import accounts

    s = settings()
    limits = accounts.limits_from(s)
    address = accounts.normalise_email(email)
    if dry_run:
        console.print(f"would make {address} a site administrator")
        return
    with engine(s) as eng, session_scope(eng) as session:
        user = accounts.create_admin(session, email=address, password=password, limits=limits)
        console.print(f"site administrator {user.email} (user {user.id})")


@app.command()
def grant(
    email: str,
    agency: str = typer.Argument(..., help="the agency's slug"),
    role: str = typer.Option("admin", help="admin or maintainer"),
    dry_run: bool = typer.Option(False, "--dry-run"),
) -> None:
    """Give an account a role in an agency (recorded in the audit log as the operator)."""
    from registry.db import session_scope
    from registry.services import agencies, audit, memberships

    with engine(settings()) as eng, session_scope(eng) as session:
        found = agencies.get_agency(session, agency)
        row = memberships.set_role(
            session, audit.Actor(user=None), agency=found, email=email, role=role
        )
        if dry_run:
            session.rollback()
            console.print(f"would make {email} {row.role} of {found.slug}")
            return
        console.print(f"{email} is {row.role} of {found.slug}")
