"""PY-UPLOAD-001/002 fixes, run for real in Flask: ordinary uploads are saved
exactly as before; `../` names stay in the upload folder, unlisted types get
400 and oversized bodies 413."""

from __future__ import annotations

import io

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

pytest.importorskip("flask")

APP = '''
import os

from flask import Flask, jsonify, request

app = Flask(__name__)
UPLOAD_DIR = os.environ["FIXTURE_UPLOADS"]


@app.route("/upload", methods=["POST"])
def upload():
    file = request.files["file"]
    file.save(os.path.join(UPLOAD_DIR, file.filename))
    return jsonify({"saved": file.filename})
'''


@pytest.fixture
def apps(tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setenv("FIXTURE_UPLOADS", str(uploads))
    assert findings_of(APP, "PY-UPLOAD-001") and findings_of(APP, "PY-UPLOAD-002")
    fixed = fix_once(fix_once(APP, "PY-UPLOAD-001"), "PY-UPLOAD-002")
    assert not findings_of(fixed, "PY-UPLOAD-001") and not findings_of(fixed, "PY-UPLOAD-002")
    before = load_module(APP, tmp_path).app.test_client()
    after = load_module(fixed, tmp_path).app.test_client()
    return before, after, tmp_path, uploads


def _post(client, name: str, data: bytes = b"content"):
    return client.post("/upload", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("name", ["photo.jpg", "report.pdf", "notes.txt"])
def test_ordinary_uploads_are_saved_as_before(apps, name) -> None:
    before, after, _tmp, uploads = apps
    first = _post(before, name, b"v1")
    assert (uploads / name).read_bytes() == b"v1"
    second = _post(after, name, b"v2")
    assert (second.status_code, second.get_json()) == (first.status_code, first.get_json())
    assert (uploads / name).read_bytes() == b"v2"


def test_traversal_names_stay_in_the_upload_folder(apps) -> None:
    before, after, tmp, uploads = apps
    _post(before, "../escaped.txt", b"outside")
    assert (tmp / "escaped.txt").read_bytes() == b"outside", "the original writes outside the upload folder"
    (tmp / "escaped.txt").unlink()
    assert _post(after, "../escaped.txt", b"inside").status_code == 200
    assert not (tmp / "escaped.txt").exists()
    assert (uploads / "escaped.txt").read_bytes() == b"inside"


@pytest.mark.parametrize("name", ["page.html", "shell.php", "noextension"])
def test_unlisted_types_are_refused(apps, name) -> None:
    _before, after, _tmp, uploads = apps
    assert _post(after, name).status_code == 400
    assert not (uploads / name).exists()


def test_oversized_bodies_are_refused(apps) -> None:
    before, after, _tmp, _uploads = apps
    big = b"x" * (17 * 1024 * 1024)
    assert _post(before, "big.txt", big).status_code == 200
    assert _post(after, "big.txt", big).status_code == 413


def test_fastapi_upload_file_gets_basename_and_http_400() -> None:
    source = (
        "from fastapi import FastAPI, UploadFile\n\n"
        "app = FastAPI()\n\n"
        '@app.post("/files")\n'
        "async def create(file: UploadFile):\n"
        '    with open(f"uploads/{file.filename}", "wb") as out:\n'
        "        out.write(await file.read())\n"
    )
    assert len(findings_of(source, "PY-UPLOAD-001")) == 1
    fixed = fix_once(source, "PY-UPLOAD-001")
    assert "    filename = os.path.basename(file.filename)\n" in fixed
    assert '        raise HTTPException(status_code=400, detail="File type not allowed")\n' in fixed
    assert 'with open(f"uploads/{filename}", "wb") as out:' in fixed
    assert "import os\n" in fixed and "from fastapi import HTTPException\n" in fixed
    assert not findings_of(fixed, "PY-UPLOAD-001")
