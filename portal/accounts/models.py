"""Portal users and their access (shared by enrollment, registration, sign-in, back office).

A user is created when staff approve an add-user application: they get a contact ID and a
registration link, and stay ``pending`` until they finish first-login registration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow

# program_role: the person's standing in the company's card programme.
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
