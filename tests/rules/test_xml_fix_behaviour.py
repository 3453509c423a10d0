"""PY-XXE-001/002 fixes: ordinary documents parse the same; external entities
no longer read local files, and entity declarations are refused by defusedxml.

The handlers are route functions of a stand-in app object (any `@app.post`
decorator makes their parameters request input), so no web framework runs.
"""

from __future__ import annotations

import pytest

from tests.rules.fixrun import STAND_IN_APP as APP
from tests.rules.fixrun import original_and_fixed

defusedxml = pytest.importorskip("defusedxml")
pytest.importorskip("lxml")

BENIGN = '<?xml version="1.0"?><order><sku>A-1</sku><qty>2</qty></order>'

EXTERNAL = {
    "sax_feature": (
        "import xml.dom.minidom\nimport xml.sax\nfrom xml.sax.handler import feature_external_ges\n\n" + APP
        + '@app.post("/x")\ndef run(body):\n    parser = xml.sax.make_parser()\n    parser.setFeature(feature_external_ges, True)\n'
        "    return xml.dom.minidom.parseString(body, parser).documentElement.toxml()\n"
    ),
    "lxml_resolve_entities": (
        "from lxml import etree\n\n" + APP
        + '@app.post("/x")\ndef run(body):\n    parser = etree.XMLParser(resolve_entities=True)\n'
        "    return etree.tostring(etree.fromstring(body.encode(), parser)).decode()\n"
    ),
}


@pytest.mark.parametrize("name", sorted(EXTERNAL))
def test_external_entities_fix(name, tmp_path) -> None:
    before, after, _fixed = original_and_fixed(EXTERNAL[name], "PY-XXE-001", tmp_path)
    assert after(BENIGN) == before(BENIGN)

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    hostile = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'
    assert "TOP-SECRET-VALUE" in before(hostile), "the original really reads the file"
    try:
        leaked = after(hostile)
    except Exception:  # refusing the document is as good as not resolving it
        leaked = ""
    assert "TOP-SECRET-VALUE" not in leaked


STDLIB = {
    "etree_fromstring": (
        "import xml.etree.ElementTree as ET\n\n" + APP
        + '@app.post("/x")\ndef run(body):\n    root = ET.fromstring(body)\n    return [(c.tag, c.text) for c in root]\n'
    ),
    "minidom_parse_string": (
        "from xml.dom import minidom\n\n" + APP
        + '@app.post("/x")\ndef run(body):\n    return minidom.parseString(body).documentElement.toxml()\n'
    ),
}


@pytest.mark.parametrize("name", sorted(STDLIB))
def test_defusedxml_fix(name, tmp_path) -> None:
    before, after, fixed = original_and_fixed(STDLIB[name], "PY-XXE-002", tmp_path)
    assert "import defusedxml." in fixed
    assert after(BENIGN) == before(BENIGN)

    expanding = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r><v>&b;</v></r>'
    assert "a" * 16 in str(before(expanding)), "the original expands declared entities"
    with pytest.raises(defusedxml.DefusedXmlException):
        after(expanding)
