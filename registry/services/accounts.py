"""People: sign-up, e-mail confirmation, sign-in (throttled), password reset, administrators.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second profile).
Answers never tell a stranger whether an address has an account: sign-in failures and
reset requests look the same for a known and an unknown address.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from registry.errors import BadRequest, Conflict, NotFound
from registry.i18n import N_
from registry.models import User, UserPublic
from registry.models._types import utcnow
from registry.services import account_links, throttle
from registry.settings import Settings

MAX_PASSWORD = 1024  # longer ones are refused before hashing: hashing is the costly part
_hasher = PasswordHasher()
# Verified against when the address is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class Limits:
    """What the account flows read from settings."""

    secret: str
    password_min_length: int = 10
    confirm_max_age: int = 3 * 24 * 3600
    reset_max_age: int = 3600
    max_failures: int = 5
    max_failures_per_address: int = 20
    window: int = 900


def limits_from(settings: Settings) -> Limits:
    return Limits(
        secret=settings.secret_key.get_secret_value(),
        password_min_length=settings.password_min_length,
        confirm_max_age=settings.confirm_link_max_age,
        reset_max_age=settings.reset_link_max_age,
        max_failures=settings.signin_max_failures,
        max_failures_per_address=settings.signin_max_failures_per_address,
        window=settings.signin_window_seconds,
    )


def normalise_email(address: str) -> str:
    address = (address or "").strip()
    if len(address) > 320:
        raise BadRequest(N_("that e-mail address is too long"))
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadRequest(N_("that e-mail address is not valid: %(exc)s"), exc=exc) from None
    return valid.normalized.lower()


def check_password(password: str, limits: Limits) -> None:
    if len(password) < limits.password_min_length:
        raise BadRequest(
            N_("the password needs at least %(limit)s characters"), limit=limits.password_min_length
        )
    if len(password) > MAX_PASSWORD:
        raise BadRequest(
            N_("the password may have at most %(limit)s characters"), limit=MAX_PASSWORD
        )


def public(user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_site_admin=user.is_site_admin,
        confirmed=user.email_confirmed_at is not None,
    )


def by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("no user %(user_id)s"), user_id=user_id)
    return user


def sign_up(
    session: Session, *, email: str, password: str, display_name: str = "", limits: Limits
) -> User:
    """A new, unconfirmed account. ``Conflict`` when the address already has one."""
    email = normalise_email(email)
    check_password(password, limits)
    display_name = " ".join(display_name.split())[:200]
    if by_email(session, email) is not None:
        raise Conflict(N_("an account with that address exists already; sign in or reset it"))
    user = User(email=email, display_name=display_name, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def confirm_link_token(user: User, limits: Limits) -> str:
    return account_links.make(
        limits.secret, account_links.CONFIRM, {"uid": user.id, "email": user.email}
    )


def confirm_email(session: Session, *, token: str, limits: Limits) -> User:
    payload = account_links.read(
        limits.secret, account_links.CONFIRM, token, max_age=limits.confirm_max_age
    )
    user = session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise BadRequest(N_("this link is not valid"))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        session.add(user)
        session.flush()
    return user


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": f"account:{email}", "address": f"address:{address}"}


def authenticate(
    session: Session, *, email: str, password: str, address: str, limits: Limits
) -> User | None:
    """The user when the password is right; ``None`` (and a failure counted against the
    account and the address) when not. ``TooManyRequests`` once either is throttled, whether
    or not the password is right. The caller commits, so failures count even when it refuses.
    """
    try:
        email = normalise_email(email)
    except BadRequest:
        email = (email or "").strip().lower()[:320]
    keys = _keys(email, address)
    throttle.check(
        session,
        {keys["account"]: limits.max_failures, keys["address"]: limits.max_failures_per_address},
        window=limits.window,
    )
    user = by_email(session, email)
    ok = False
    if len(password) <= MAX_PASSWORD:
        try:
            ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
    if user is None or not ok:
        throttle.record_failure(session, list(keys.values()), window=limits.window)
        return None
    throttle.clear(session, keys["account"])
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_sign_in_at = utcnow()
    session.add(user)
    session.flush()
    return user


def sign_out_everywhere(session: Session, user: User) -> None:
    """Every cookie issued to this user so far stops working."""
    user.session_epoch += 1
    session.add(user)
    session.flush()


def reset_link_token(user: User, limits: Limits) -> str:
    fingerprint = account_links.password_fingerprint(user.password_hash)
    return account_links.make(
        limits.secret, account_links.RESET, {"uid": user.id, "pw": fingerprint}
    )


def user_for_reset(session: Session, *, token: str, limits: Limits) -> User:
    payload = account_links.read(
        limits.secret, account_links.RESET, token, max_age=limits.reset_max_age
    )
    user = session.get(User, payload.get("uid"))
    if user is None or account_links.password_fingerprint(user.password_hash) != payload.get("pw"):
        raise BadRequest(N_("this link is not valid any more; ask for a new one"))
    return user


def reset_password(session: Session, *, token: str, password: str, limits: Limits) -> User:
    """Set a new password from a reset link; the link then stops working, every session is
    signed out, the address counts as confirmed (the link reached it) and the throttle on
    the account is lifted."""
    user = user_for_reset(session, token=token, limits=limits)
    check_password(password, limits)
    user.password_hash = _hasher.hash(password)
    user.session_epoch += 1
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    session.add(user)
    throttle.clear(session, f"account:{user.email}")
    session.flush()
    return user


def create_admin(session: Session, *, email: str, password: str, limits: Limits) -> User:
    """A confirmed site administrator; an existing account with that address is promoted
    (its password is left alone)."""
    email = normalise_email(email)
    user = by_email(session, email)
    if user is None:
        check_password(password, limits)
        user = User(email=email, password_hash=_hasher.hash(password))
    user.is_site_admin = True
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    session.add(user)
    session.flush()
    return user
