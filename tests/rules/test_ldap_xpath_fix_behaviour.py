"""PY-LDAP-001 and PY-XPATH-001 fixes against real libraries: an in-memory
ldap3 directory and lxml documents. Benign lookups return the same entries;
filter and XPath syntax in hostile input no longer widens the match."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import original_and_fixed

ldap3 = pytest.importorskip("ldap3")
etree = pytest.importorskip("lxml.etree")

BASE = "ou=people,dc=example,dc=org"
PEOPLE = {"alice": "s3cret", "bob": "hunter2", "carol": "pa55"}

LDAP_CASES = {
    "fstring_inline": (
        "from ldap3 import Connection\n\n"
        "def run(conn, user, password):\n"
        "    conn.search('ou=people,dc=example,dc=org', f'(&(uid={user})(userPassword={password}))', attributes=['uid'])\n"
        "    return sorted(str(e.uid) for e in conn.entries)\n"
    ),
    "concat_variable": (
        "from ldap3 import Connection\n\n"
        "def run(conn, user, password):\n"
        "    flt = '(&(uid=' + user + ')(userPassword=' + password + '))'\n"
        "    conn.search('ou=people,dc=example,dc=org', flt, attributes=['uid'])\n"
        "    return sorted(str(e.uid) for e in conn.entries)\n"
    ),
}


@pytest.fixture
def directory():
    server = ldap3.Server("mock")
    conn = ldap3.Connection(server, client_strategy=ldap3.MOCK_SYNC)
    for uid, password in PEOPLE.items():
        conn.strategy.add_entry(f"uid={uid},{BASE}", {"uid": uid, "userPassword": password, "objectClass": "person"})
    conn.bind()
    yield conn
    conn.unbind()


@pytest.mark.parametrize("name", sorted(LDAP_CASES))
def test_ldap_fix(name, directory, tmp_path) -> None:
    before, after, _fixed = original_and_fixed(LDAP_CASES[name], "PY-LDAP-001", tmp_path)
    assert after(directory, "alice", "s3cret") == before(directory, "alice", "s3cret") == ["alice"]
    assert after(directory, "alice", "wrong") == before(directory, "alice", "wrong") == []
    assert before(directory, "*", "*") == sorted(PEOPLE), "the original matches every account"
    assert after(directory, "*", "*") == []


USERS_XML = b"""<users>
  <user name="alice" password="s3cret" role="admin"><email>a@example.org</email></user>
  <user name="bob" password="hunter2" role="staff"><email>b@example.org</email></user>
</users>"""

XPATH_SOURCE = (
    "def run(tree, name, password):\n"
    "    found = tree.xpath(f\"//user[@name='{name}' and @password='{password}']/@name\")\n"
    "    return [str(n) for n in found]\n"
)


def test_xpath_fix(tmp_path) -> None:
    source = "from lxml import etree\n\n" + XPATH_SOURCE
    before, after, fixed = original_and_fixed(source, "PY-XPATH-001", tmp_path)
    assert "$name" in fixed and "$password" in fixed
    tree = etree.fromstring(USERS_XML)
    assert after(tree, "alice", "s3cret") == before(tree, "alice", "s3cret") == ["alice"]
    assert after(tree, "bob", "nope") == before(tree, "bob", "nope") == []
    hostile = "' or '1'='1"
    assert before(tree, hostile, hostile) == ["alice", "bob"], "the original matches every user"
    assert after(tree, hostile, hostile) == []
