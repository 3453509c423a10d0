"""PY-IDOR-001 on Django and FastAPI code: what fires, what stays quiet, and
what the fix writes (each fixed text must parse and clear the finding)."""

from __future__ import annotations

from draftguard.analyzers import parse
from tests.rules.fixrun import findings_of, fix_once

RULE = "PY-IDOR-001"


def _fixed(source: str) -> str:
    assert findings_of(source, RULE), "the snippet must be flagged"
    fixed = fix_once(source, RULE)
    assert fixed != source, "a fix must be offered"
    assert not parse(fixed.encode(), "python").root_node.has_error
    assert not findings_of(fixed, RULE)
    return fixed


DJANGO_MODELS = '''
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import JsonResponse
from django.shortcuts import get_object_or_404


class Invoice(models.Model):
    number = models.CharField(max_length=20)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

'''


def test_django_get_object_or_404_is_filtered_by_owner() -> None:
    source = DJANGO_MODELS + (
        "@login_required\n"
        "def invoice_detail(request, pk):\n"
        "    invoice = get_object_or_404(Invoice, pk=pk)\n"
        "    return JsonResponse({'number': invoice.number})\n"
    )
    assert "get_object_or_404(Invoice, pk=pk, owner=request.user)" in _fixed(source)


def test_django_objects_get_in_class_based_view() -> None:
    source = DJANGO_MODELS.replace(
        "from django.db import models", "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.db import models\nfrom django.views import View"
    ) + (
        "class InvoiceView(LoginRequiredMixin, View):\n"
        "    def delete(self, request, pk):\n"
        "        Invoice.objects.get(pk=pk).delete()\n"
        "        return JsonResponse({}, status=204)\n"
    )
    assert "Invoice.objects.get(pk=pk, owner=request.user).delete()" in _fixed(source)


def test_django_scoped_and_checked_lookups_are_quiet() -> None:
    source = DJANGO_MODELS + (
        "@login_required\n"
        "def mine(request, pk):\n"
        "    return JsonResponse({'n': get_object_or_404(Invoice, pk=pk, owner=request.user).number})\n\n"
        "@login_required\n"
        "def related(request, pk):\n"
        "    invoice = request.user.invoice_set.get(pk=pk)\n"
        "    return JsonResponse({'n': invoice.number})\n\n"
        "@login_required\n"
        "def compared(request, pk):\n"
        "    invoice = Invoice.objects.get(pk=pk)\n"
        "    if invoice.owner != request.user:\n"
        "        raise PermissionDenied\n"
        "    return JsonResponse({'n': invoice.number})\n\n"
        "def public(request, pk):\n"
        "    invoice = Invoice.objects.get(pk=pk)\n"
        "    return JsonResponse({'n': invoice.number})\n"
    )
    assert findings_of(source, RULE) == []


FASTAPI = '''
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, get_db
from .security import get_current_user, get_current_active_superuser

router = APIRouter()


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

'''


def test_fastapi_dependency_user_gets_http_403() -> None:
    source = FASTAPI + (
        '@router.get("/items/{item_id}")\n'
        "def read_item(item_id: int, db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):\n"
        "    item = db.get(Item, item_id)\n"
        "    if item is None:\n"
        '        raise HTTPException(status_code=404, detail="Item not found")\n'
        "    return item\n"
    )
    fixed = _fixed(source)
    assert (
        '        raise HTTPException(status_code=404, detail="Item not found")\n'
        "    if item.owner_id != current_user.id:\n"
        '        raise HTTPException(status_code=403, detail="Not allowed")\n'
    ) in fixed


def test_fastapi_query_filter_and_superuser_routes() -> None:
    source = FASTAPI + (
        '@router.delete("/items/{item_id}")\n'
        "async def delete_item(item_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):\n"
        "    item = db.query(Item).filter(Item.id == item_id).first()\n"
        "    db.delete(item)\n"
        "    db.commit()\n\n"
        '@router.delete("/admin/items/{item_id}")\n'
        "async def admin_delete(item_id: int, db: Session = Depends(get_db), admin=Depends(get_current_active_superuser)):\n"
        "    item = db.query(Item).filter(Item.id == item_id).first()\n"
        "    db.delete(item)\n"
        "    db.commit()\n\n"
        '@router.get("/mine/{item_id}")\n'
        "async def mine(item_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):\n"
        "    return db.query(Item).filter(Item.id == item_id, Item.owner_id == user.id).first()\n"
    )
    findings = findings_of(source, RULE)
    assert [f.start_point[0] for f in findings] == [source[: source.index("item = db.query")].count("\n")]
    assert "    if item is not None and item.owner_id != user.id:\n" in _fixed(source)


def test_url_user_is_not_the_authenticated_user() -> None:
    source = FASTAPI + (
        '@router.get("/users/{user_id}/items/{item_id}")\n'
        "def user_item(user_id: int, item_id: int, db: Session = Depends(get_db), me=Depends(get_current_user)):\n"
        "    item = db.query(Item).filter(Item.id == item_id, Item.owner_id == user_id).first()\n"
        "    return item\n"
    )
    assert len(findings_of(source, RULE)) == 1


def test_token_required_decorator_passes_the_user() -> None:
    source = (
        "from flask import Flask, abort, jsonify\n"
        "from .auth import token_required\n"
        "from .models import Order\n\n"
        "app = Flask(__name__)\n\n"
        '@app.route("/orders/<order_id>")\n'
        "@token_required\n"
        "def get_order(current_user, order_id):\n"
        "    order = Order.query.filter_by(id=order_id).first()\n"
        "    return jsonify(order.to_dict())\n"
    )
    findings = findings_of(source, RULE)
    assert len(findings) == 1 and findings[0].confidence.label == "medium"
    assert "Order.query.filter_by(id=order_id, user_id=current_user.id).first()" in _fixed(source)
