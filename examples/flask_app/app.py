"""A small notes service, written the way an AI assistant typically drafts it.

It runs and its happy-path tests pass. It also ships most of the flaws
draftguard exists to catch; `make demo` scans this file.
"""
import hashlib
import os
import sqlite3
import subprocess

import requests
import yaml
from flask import Flask, abort, jsonify, redirect, request, send_file
from flask_login import current_user, login_required

app = Flask(__name__)
app.config["SECRET_KEY"] = "super-secret-key-123"
UPLOAD_DIR = "/srv/notes/uploads"


def get_db():
    conn = sqlite3.connect("notes.db")
    conn.row_factory = sqlite3.Row
    return conn


@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    password = request.form["password"]
    hashed = hashlib.md5(password.encode()).hexdigest()
    db = get_db()
    user = db.execute(
        f"SELECT * FROM users WHERE username = '{username}' AND password = '{hashed}'"
    ).fetchone()
    if user is None:
        abort(401)
    return jsonify({"id": user["id"]})


@app.route("/notes/search")
@login_required
def search_notes():
    term = request.args.get("q", "")
    db = get_db()
    query = "SELECT id, title FROM notes WHERE title LIKE '%" + term + "%'"
    rows = db.execute(query).fetchall()
    return jsonify([dict(r) for r in rows])


@app.route("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    db = get_db()
    note = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    if note is None:
        abort(404)
    return jsonify(dict(note))


@app.route("/notes/<int:note_id>", methods=["DELETE"])
@login_required
def delete_note(note_id):
    db = get_db()
    db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    db.commit()
    return "", 204


@app.route("/attachments/upload", methods=["POST"])
@login_required
def upload_attachment():
    file = request.files["file"]
    file.save(os.path.join(UPLOAD_DIR, file.filename))
    return jsonify({"saved": file.filename})


@app.route("/attachments/<name>")
@login_required
def download_attachment(name):
    return send_file(os.path.join(UPLOAD_DIR, name))


@app.route("/export")
@login_required
def export_notes():
    fmt = request.args.get("format", "zip")
    subprocess.run(f"notes-export --user {current_user.id} --format {fmt}", shell=True, check=True)
    return send_file(f"/tmp/export-{current_user.id}.{fmt}")


@app.route("/import", methods=["POST"])
@login_required
def import_notes():
    data = yaml.load(request.data, Loader=yaml.Loader)
    return jsonify({"imported": len(data)})


@app.route("/preview")
def preview_link():
    url = request.args["url"]
    response = requests.get(url, verify=False)
    return response.text[:500]


@app.route("/continue")
def continue_to():
    return redirect(request.args.get("next", "/"))


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
