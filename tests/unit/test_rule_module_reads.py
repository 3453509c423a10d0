"""Rules that look at other statements do it through module facts, so an edit
there re-analyses the statements that depend on it.

PY-PATH-001 knows `EXPORTS = Path(...)` from another statement
(`(EXPORTS / name).read_text()` is a pathlib sink), and PY-IDOR-001 knows
that a helper such as flaskr's `get_post(id)` checks the owner and refuses.
Both used to read the module's statements directly: the engine could not know
the handler depended on them, and kept its cached findings after an edit of
the helper or the constant.
"""

from __future__ import annotations

from draftguard.analyzers import analyze_detailed, make_parser
from draftguard.server.documents import Document, RangeSpec

_PARSER = make_parser("python")

PATH_SOURCE = '''from pathlib import Path
from flask import Flask

app = Flask(__name__)
EXPORTS = Path("/srv/exports")


@app.route("/exports/<name>")
def export(name):
    return (EXPORTS / name).read_text()
'''

IDOR_SOURCE = '''from flask import Flask, abort, g, jsonify
from flask_login import login_required

from .models import Post

app = Flask(__name__)


def get_post(post_id):
    post = Post.query.get_or_404(post_id)
    if post.author_id != g.user.id:
        abort(403)
    return post


@app.route("/posts/<int:post_id>", methods=["DELETE"])
@login_required
def delete(post_id):
    post = Post.query.get_or_404(post_id)
    get_post(post_id)
    post.delete()
    return "", 204
'''


def _ids(findings, rule_id: str) -> list[int]:
    return [f.start_point[0] for f in findings if f.rule_id == rule_id]


def _scratch(doc: Document) -> list:
    return analyze_detailed(doc.source, _PARSER.parse(doc.source), "python").findings


def _incremental(doc: Document) -> list:
    return analyze_detailed(doc.source, doc.tree, "python", cache=doc.analysis_cache).findings


def _replace_line(doc: Document, version: int, old: str, new: str) -> None:
    row = doc.text.split("\n").index(old)
    doc.apply_changes(version, [(RangeSpec(row, 0, row, len(old)), new)])


def test_a_path_constant_edited_elsewhere_updates_the_handler() -> None:
    doc = Document("file:///exports.py", "python", 1, PATH_SOURCE)
    assert _ids(_incremental(doc), "PY-PATH-001") == [9]
    _replace_line(doc, 2, 'EXPORTS = Path("/srv/exports")', 'EXPORTS = "/srv/exports"')
    assert _ids(_incremental(doc), "PY-PATH-001") == _ids(_scratch(doc), "PY-PATH-001") == []
    _replace_line(doc, 3, 'EXPORTS = "/srv/exports"', 'EXPORTS = Path("/srv/exports")')
    assert _ids(_incremental(doc), "PY-PATH-001") == _ids(_scratch(doc), "PY-PATH-001") == [9]


def test_an_ownership_helper_edited_elsewhere_updates_the_handler() -> None:
    doc = Document("file:///posts.py", "python", 1, IDOR_SOURCE)
    assert _ids(_incremental(doc), "PY-IDOR-001") == []
    _replace_line(doc, 2, "        abort(403)", "        pass")
    assert _ids(_incremental(doc), "PY-IDOR-001") == _ids(_scratch(doc), "PY-IDOR-001") == [18]
    _replace_line(doc, 3, "        pass", "        abort(403)")
    assert _ids(_incremental(doc), "PY-IDOR-001") == _ids(_scratch(doc), "PY-IDOR-001") == []
