"""Drafts on the server and the ENR-1 time limit (unit tests of portal.enrollment.drafts)."""

from datetime import timedelta

import pytest

from portal.db import utcnow
from portal.enrollment import drafts
from portal.enrollment.models import ApplicationDocument, Draft

LIMITS = drafts.Limits(seconds=1200, warning=300, max_extensions=2)


def test_a_draft_lives_until_its_deadline_and_is_deleted_after(db_session):
    now = utcnow()
    draft = drafts.create(db_session, "new", "ja", LIMITS, now=now)
    db_session.commit()
    assert len(draft.id) >= 40  # opaque, unguessable
    assert draft.deadline == now + timedelta(seconds=1200)
    assert drafts.load(db_session, draft.id, "new", now=now + timedelta(seconds=1199)) is draft
    with pytest.raises(drafts.DraftExpired):
        drafts.load(db_session, draft.id, "new", now=now + timedelta(seconds=1200))
    assert db_session.get(Draft, draft.id) is None
    with pytest.raises(drafts.DraftMissing):
        drafts.load(db_session, draft.id, "new", now=now)


def test_a_draft_of_another_kind_or_an_unknown_id_is_missing(db_session):
    draft = drafts.create(db_session, "new", "ja", LIMITS)
    with pytest.raises(drafts.DraftMissing):
        drafts.load(db_session, draft.id, "change")
    with pytest.raises(drafts.DraftMissing):
        drafts.load(db_session, "nope", "new")
    with pytest.raises(drafts.DraftMissing):
        drafts.load(db_session, None, "new")


def test_extend_moves_the_deadline_a_limited_number_of_times(db_session):
    now = utcnow()
    draft = drafts.create(db_session, "new", "ja", LIMITS, now=now)
    later = now + timedelta(seconds=1000)
    assert drafts.extend(db_session, draft, LIMITS, now=later)
    assert draft.deadline == later + timedelta(seconds=1200)
    assert drafts.extend(db_session, draft, LIMITS, now=later)
    assert not drafts.extend(db_session, draft, LIMITS, now=later)
    assert draft.extensions == 2


def test_purge_deletes_stale_drafts_and_their_files(app, db_session):
    from portal.enrollment import documents

    with app.app_context():
        old = drafts.create(db_session, "new", "ja", LIMITS, now=utcnow() - timedelta(hours=1))
        live = drafts.create(db_session, "new", "ja", LIMITS)
        name, digest = documents.store(b"%PDF-1.4\n%%EOF", "application/pdf")
        db_session.add(ApplicationDocument(draft_id=old.id, filename="a.pdf",
                                           content_type="application/pdf", size=14,
                                           sha256=digest, storage_name=name))
        db_session.commit()
        assert (documents.upload_dir() / name).exists()
        assert drafts.purge_expired(db_session) == 1
        assert not (documents.upload_dir() / name).exists()
    assert db_session.get(Draft, live.id) is not None
    assert db_session.get(Draft, old.id) is None


def test_save_writes_a_new_json_object(db_session):
    draft = drafts.create(db_session, "new", "ja", LIMITS, data={"users": [{}]})
    data = drafts.data_of(draft)
    data["users"][0]["email"] = "a@example.co.jp"
    assert draft.data == {"users": [{}]}  # a copy: nothing changes until saved
    drafts.save(db_session, draft, data, step="access")
    db_session.commit()
    db_session.expire_all()
    again = db_session.get(Draft, draft.id)
    assert again.data["users"][0]["email"] == "a@example.co.jp"
    assert again.step == "access"
