"""Supporting documents are checked by their content, not their name (ENR-3.d)."""

import pytest

from portal.enrollment import documents

from .conftest import PDF, png


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.test_request_context("/?lang=en"):
        yield


def test_content_decides_the_type():
    assert documents.sniff(PDF) == "application/pdf"
    assert documents.sniff(png()) == "image/png"
    assert documents.sniff(b"\x89PNG\r\n\x1a\n not really") is None
    assert documents.sniff(b"<html><script>alert(1)</script>") is None
    assert documents.sniff(b"%PDF-1.4 but cut off") is None


def test_check_refuses_empty_large_and_other_files():
    assert documents.check(PDF, 1000) == "application/pdf"
    with pytest.raises(documents.DocumentError, match="empty"):
        documents.check(b"", 1000)
    with pytest.raises(documents.DocumentError, match="larger"):
        documents.check(PDF, 10)
    with pytest.raises(documents.DocumentError, match="PDF, JPEG or PNG"):
        documents.check(b"MZ\x90\x00 an executable", 1000)


def test_files_are_stored_outside_static_under_random_names(app):
    name, digest = documents.store(PDF, "application/pdf")
    path = documents.upload_dir() / name
    assert path.read_bytes() == PDF and name.endswith(".pdf") and len(digest) == 64
    assert "static" not in str(path)
    documents.delete_file(name)
    assert not path.exists()
    assert documents.clean_filename("C:\\Users\\me\\passport.pdf") == "passport.pdf"
    assert documents.clean_filename("../../etc/passwd") == "passwd"
