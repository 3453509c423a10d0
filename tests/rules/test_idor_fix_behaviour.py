"""PY-IDOR-001's fix, run for real: a Flask + Flask-Login + Flask-SQLAlchemy app
before and after "Add ownership check". The owner keeps every answer; another
logged-in user can no longer read, change or delete the record."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

pytest.importorskip("flask_login")
pytest.importorskip("flask_sqlalchemy")
pytestmark = pytest.mark.filterwarnings("ignore:The Query.get")

APP = '''
import sqlite3

from flask import Flask, jsonify, request, abort
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config.update(SECRET_KEY="test", SQLALCHEMY_DATABASE_URI="sqlite://", TESTING=True)
db = SQLAlchemy(app)
login_manager = LoginManager(app)
raw = sqlite3.connect(":memory:", check_same_thread=False)
raw.row_factory = sqlite3.Row


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)


@login_manager.user_loader
def load_user(uid):
    return db.session.get(User, int(uid))


def seed():
    with app.app_context():
        db.create_all()
        db.session.add_all([User(id=1, name="alice"), User(id=2, name="bob")])
        db.session.add_all([Note(id=1, title="alice's", user_id=1), Note(id=2, title="bob's", user_id=2)])
        db.session.commit()
    raw.executescript(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, user_id INTEGER);"
        "INSERT INTO notes VALUES (1, 'alice raw', 1), (2, 'bob raw', 2);"
    )


@app.route("/login/<int:uid>", methods=["POST"])
def do_login(uid):
    login_user(db.session.get(User, uid))
    return "ok"


@app.route("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    note = Note.query.get_or_404(note_id)
    return jsonify({"title": note.title})


@app.route("/notes/<int:note_id>", methods=["PUT"])
@login_required
def rename_note(note_id):
    note = Note.query.get(note_id)
    if note is None:
        abort(404)
    note.title = request.json["title"]
    db.session.commit()
    return jsonify({"title": note.title})


@app.route("/notes/<int:note_id>", methods=["DELETE"])
@login_required
def delete_note(note_id):
    note = db.session.get(Note, note_id)
    db.session.delete(note)
    db.session.commit()
    return "", 204


@app.route("/by-title")
@login_required
def by_title():
    note = Note.query.filter_by(title=request.args["title"]).first_or_404()
    return jsonify({"id": note.id})


@app.route("/inline/<int:note_id>")
@login_required
def inline(note_id):
    return jsonify({"title": Note.query.get_or_404(note_id).title})


@app.route("/raw/<int:note_id>")
@login_required
def raw_note(note_id):
    row = raw.execute("SELECT title FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        abort(404)
    return jsonify({"title": row["title"]})
'''


@pytest.fixture(scope="module")
def fixed_source() -> str:
    assert len(findings_of(APP, "PY-IDOR-001")) == 6
    fixed = fix_once(APP, "PY-IDOR-001")
    assert not findings_of(fixed, "PY-IDOR-001"), "every finding must be cleared by its fix"
    return fixed


def _client(source: str, tmp_path, as_user: int = 1):
    module = load_module(source, tmp_path)
    module.seed()
    client = module.app.test_client()
    assert client.post(f"/login/{as_user}").status_code == 200
    return module, client


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/notes/1", None),
        ("put", "/notes/1", {"title": "renamed"}),
        ("get", "/by-title?title=alice's", None),
        ("get", "/inline/1", None),
        ("get", "/raw/1", None),
        ("get", "/notes/99", None),
        ("delete", "/notes/1", None),
    ],
)
def test_owner_gets_the_same_answers(method, path, body, fixed_source, tmp_path) -> None:
    answers = []
    for source in (APP, fixed_source):
        _module, client = _client(source, tmp_path)
        response = getattr(client, method)(path, json=body)
        answers.append((response.status_code, response.get_data()))
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/notes/2", None),
        ("put", "/notes/2", {"title": "pwned"}),
        ("get", "/by-title?title=bob's", None),
        ("get", "/inline/2", None),
        ("get", "/raw/2", None),
    ],
)
def test_other_users_records_are_refused(method, path, body, fixed_source, tmp_path) -> None:
    _module, before = _client(APP, tmp_path)
    assert getattr(before, method)(path, json=body).status_code == 200, "the original leaks bob's note to alice"
    _module, after = _client(fixed_source, tmp_path)
    assert getattr(after, method)(path, json=body).status_code in (403, 404)


def test_delete_of_another_users_record_is_refused(fixed_source, tmp_path) -> None:
    module, client = _client(fixed_source, tmp_path)
    assert client.delete("/notes/2").status_code == 403
    with module.app.app_context():
        assert module.db.session.get(module.Note, 2) is not None
