"""Portal users and their access (shared by enrollment, registration, sign-in, back office).

A user is created when staff approve an add-user application: they get a contact ID and a
registration link, and stay ``pending`` until they finish first-login registration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow

# program_role: the person's standing in the company's card program.
PROGRAM_ROLES = ("pa", "contact", "user")
# status: pending = created, first-login registration not finished.
STATUSES = ("pending", "active", "disabled")


class User(Base):
    __tablename__ = "portal_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(9), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    language: Mapped[str] = mapped_column(String(5), default="ja")
    birth_day: Mapped[int] = mapped_column(Integer)
    birth_month: Mapped[int] = mapped_column(Integer)
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    auth_pin_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    auth_word_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    program_role: Mapped[str] = mapped_column(String(10), default="user")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Chosen at first login. Stored as typed; uniqueness is on the case-folded form.
    user_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    user_id_folded: Mapped[str | None] = mapped_column(String(20), nullable=True, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    secret_question_code: Mapped[str | None] = mapped_column(
        ForeignKey("secret_question.code"), nullable=True
    )
    secret_answer_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    access: Mapped[list[UserAccess]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserAccess.id"
    )

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"


class UserAccess(Base):
    """One permission: a function in a country for one control group number."""

    __tablename__ = "user_access"
    __table_args__ = (
        UniqueConstraint("user_id", "country_code", "function_code", "control_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id", ondelete="CASCADE"))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    function_code: Mapped[str] = mapped_column(ForeignKey("function.code"))
    role_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    control_group: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="access")


class RegistrationToken(Base):
    """A first-login registration link (REG-1). Only the SHA-256 of the token is stored.

    Single use (``used_at``), expiring (``expires_at``), replaced by a newer link
    (``revoked_at``), and locked for a while after too many failed identity checks (REG-2).
    """

    __tablename__ = "registration_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("portal_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class AuthSession(Base):
    """A signed-in session, recorded on the server (AUTH-1).

    The browser's cookie carries a random token; only its SHA-256 is stored. Signing out
    ends the record, so a copy of the cookie no longer signs anybody in.
    """

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("portal_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class RateLimit(Base):
    """A fixed-window counter shared by every worker (sign-in, identity checks, ID checks)."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(Integer, default=0)
