"""PY-AUTHN-001 beyond the Flask-Login fixture: FastAPI dependencies, decorators
that pass the user in, app-wide checks and all-public files."""

from __future__ import annotations

import pytest

from draftguard.analyzers import parse
from tests.rules.fixrun import findings_of, fix_once, load_module

RULE = "PY-AUTHN-001"


def _fixed(source: str) -> str:
    assert findings_of(source, RULE)
    fixed = fix_once(source, RULE)
    assert not parse(fixed.encode(), "python").root_node.has_error
    assert not findings_of(fixed, RULE)
    return fixed


FASTAPI = '''
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from .deps import get_current_user, get_db

router = APIRouter()


@router.get("/items")
def list_items(db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):
    return db.query(Item).filter(Item.owner_id == current_user.id).all()


@router.delete("/items/{item_id}")
def delete_item(item_id: int, db: Session = Depends(get_db)):
    db.query(Item).filter(Item.id == item_id).delete()
    db.commit()
'''


def test_fastapi_route_gets_the_siblings_user_dependency() -> None:
    fixed = _fixed(FASTAPI)
    assert "def delete_item(item_id: int, db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):" in fixed


def test_decorator_that_passes_the_user_adds_the_parameter() -> None:
    source = (
        "from flask import Flask, jsonify\n"
        "from .auth import token_required\n\n"
        "app = Flask(__name__)\n\n"
        '@app.route("/orders")\n'
        "@token_required\n"
        "def orders(current_user):\n"
        "    return jsonify(current_user.orders)\n\n"
        '@app.route("/orders/<int:order_id>", methods=["DELETE"])\n'
        "def cancel(order_id):\n"
        "    return jsonify(cancelled=order_id)\n"
    )
    fixed = _fixed(source)
    assert "@token_required\ndef cancel(current_user, order_id):" in fixed


def test_app_wide_checks_and_all_public_files_are_quiet() -> None:
    hooked = (
        "from flask import Flask, session, abort\n"
        "from flask_login import login_required\n\n"
        "app = Flask(__name__)\n\n"
        "@app.before_request\n"
        "def require_login():\n"
        "    if 'user_id' not in session:\n"
        "        abort(401)\n\n"
        '@app.route("/a")\n'
        "@login_required\n"
        "def a():\n"
        "    return 'a'\n\n"
        '@app.route("/b", methods=["POST"])\n'
        "def b():\n"
        "    return 'b'\n"
    )
    public = (
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n"
        '@app.route("/guestbook", methods=["POST"])\n'
        "def sign():\n"
        "    return request.form['name']\n"
    )
    assert findings_of(hooked, RULE) == [] and findings_of(public, RULE) == []


def test_django_views() -> None:
    source = (
        "from django.contrib.auth.decorators import login_required\n"
        "from django.http import JsonResponse\n"
        "from django.views.decorators.http import require_POST\n\n"
        "@login_required\n"
        "def dashboard(request):\n"
        "    return JsonResponse({'user': request.user.username})\n\n"
        "@require_POST\n"
        "def delete_account(request, account_id):\n"
        "    Account.objects.filter(pk=account_id).delete()\n"
        "    return JsonResponse({})\n"
    )
    fixed = _fixed(source)
    assert "@require_POST\n@login_required\ndef delete_account(request, account_id):" in fixed


FLASK_APP = '''
from flask import Flask, jsonify
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user

app = Flask(__name__)
app.config.update(SECRET_KEY="test", TESTING=True)
login_manager = LoginManager(app)
PROJECTS = {1: "alpha", 2: "beta"}


class Account(UserMixin):
    def __init__(self, uid):
        self.id = uid


@login_manager.user_loader
def load(uid):
    return Account(uid)


@app.route("/login/<int:uid>", methods=["POST"])
def do_login(uid):
    login_user(Account(uid))
    return "ok"


@app.route("/projects")
@login_required
def projects():
    return jsonify(sorted(PROJECTS.values()))


@app.route("/projects/<int:pid>", methods=["DELETE"])
def delete(pid):
    PROJECTS.pop(pid, None)
    return "", 204
'''


def test_flask_fix_keeps_logged_in_users_working_and_stops_anonymous_calls(tmp_path) -> None:
    pytest.importorskip("flask_login")
    fixed = _fixed(FLASK_APP)
    original, protected = load_module(FLASK_APP, tmp_path), load_module(fixed, tmp_path)
    assert original.app.test_client().delete("/projects/1").status_code == 204, "anyone can delete in the original"
    assert protected.app.test_client().delete("/projects/2").status_code == 401
    assert 2 in protected.PROJECTS
    client = protected.app.test_client()
    client.post("/login/7")
    assert client.delete("/projects/2").status_code == 204 and 2 not in protected.PROJECTS


def test_session_state_is_not_authentication() -> None:
    source = (
        "from flask import Flask, g, request, session\n\n"
        "app = Flask(__name__)\n\n"
        '@app.route("/cart")\n'
        "def cart():\n"
        "    g.user_agent = request.user_agent.string\n"
        "    return {'items': session.get('cart', [])}\n\n"
        '@app.route("/cart", methods=["POST"])\n'
        "def add():\n"
        "    session['cart'] = session.get('cart', []) + [request.form['sku']]\n"
        "    return '', 204\n"
    )
    assert findings_of(source, RULE) == []
