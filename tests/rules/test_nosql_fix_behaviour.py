"""PY-NOSQL-001's fix: the filter sent to MongoDB is unchanged for the JSON a
client normally sends, and an operator object arrives as inert text.

The collection is a stand-in that records the filter and matches it the way
MongoDB matches equality and `$ne` on a tiny data set, so no server is needed.
"""

from __future__ import annotations

from tests.rules.fixrun import STAND_IN_APP as APP
from tests.rules.fixrun import original_and_fixed

SOURCE = (
    "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:  # the stand-in collection needs no driver\n    import pymongo\n\n" + APP
    + "@app.post(\"/login\")\ndef run(users, data: dict):\n"
    "    return users.find_one({\"username\": data[\"username\"], \"password\": data[\"password\"]})\n"
)
USERS = [{"username": "admin", "password": "s3cret"}, {"username": "ann", "password": "pw"}]


class Users:
    def __init__(self) -> None:
        self.filters: list[dict] = []

    def find_one(self, query: dict):
        self.filters.append(query)
        for doc in USERS:
            if all(_matches(doc.get(field), condition) for field, condition in query.items()):
                return doc["username"]
        return None


def _matches(value, condition) -> bool:
    if isinstance(condition, dict):
        return all(op == "$ne" and value != operand for op, operand in condition.items())
    return value == condition


def test_fix_keeps_string_logins_and_neutralises_operators(tmp_path) -> None:
    before, after, _fixed = original_and_fixed(SOURCE, "PY-NOSQL-001", tmp_path)
    benign = {"username": "ann", "password": "pw"}
    old, new = Users(), Users()
    assert after(new, benign) == before(old, benign) == "ann"
    assert new.filters == old.filters
    hostile = {"username": "admin", "password": {"$ne": None}}
    assert before(Users(), hostile) == "admin", "the original logs in without the password"
    recorder = Users()
    assert after(recorder, hostile) is None
    assert all(isinstance(v, str) for v in recorder.filters[0].values())
