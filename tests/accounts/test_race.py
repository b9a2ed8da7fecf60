"""REG-3: two people racing for one user ID end with exactly one winner (SQLite and
PostgreSQL). The registrations run in two threads with their own connections and commit for
real, so this test cleans up after itself instead of relying on the rolled-back transaction."""

import threading

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.accounts import services
from portal.accounts.models import User
from portal.extensions import db


def _race(app, links, wanted):
    barrier = threading.Barrier(len(links))
    results: list[str] = []
    errors: list[BaseException] = []

    def register(link_id, typed):
        try:
            with app.app_context(), Session(db.engine, expire_on_commit=False) as session:
                barrier.wait(timeout=10)
                try:
                    services.complete_registration(
                        session, link_id, user_id=typed, password="Racing#123",
                        question_code="FIRST_PET", answer="pochi",
                    )
                    results.append("won")
                except services.UserIdTaken as exc:
                    assert exc.suggestions and all(s.casefold() != wanted.casefold()
                                                   for s in exc.suggestions)
                    results.append("taken")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(link_id, typed))
               for link_id, typed in zip(links, (wanted, wanted.upper()), strict=False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_registrations_racing_for_one_user_id_have_exactly_one_winner(app, round_):
    wanted = f"racer{round_}x"
    ids: list[int] = []
    try:
        with app.test_request_context(), Session(db.engine, expire_on_commit=False) as session:
            links = []
            for n in range(2):
                user, token = services.create_user(
                    session, family_name="Race", given_name=str(n),
                    email=f"race{round_}{n}@example.invalid", country_code="JP",
                    birth_day=1, birth_month=1,
                )
                session.commit()
                ids.append(user.id)
                links.append(services.registration_link(session, token)[1].id)

        results = _race(app, links, wanted)
        assert sorted(results) == ["taken", "won"]
        with Session(db.engine) as session:
            holders = session.scalar(
                select(func.count()).select_from(User).where(User.user_id_folded == wanted)
            )
            pending = session.scalar(
                select(func.count()).select_from(User)
                .where(User.id.in_(ids), User.status == "pending")
            )
        assert holders == 1 and pending == 1
    finally:
        with Session(db.engine) as session:
            session.execute(delete(User).where(User.id.in_(ids)))
            session.commit()
