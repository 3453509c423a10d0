"""bench/owasp_python.py scores like the benchmark's scorecards: a case is
flagged only by a finding with its CWE, rates are per category, the average
is unweighted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("owasp_python", Path(__file__).parents[2] / "bench" / "owasp_python.py")
owasp = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("owasp_python", owasp)  # dataclasses look their module up
_SPEC.loader.exec_module(owasp)


def test_only_a_matching_cwe_flags_a_case() -> None:
    cases = [
        owasp.Case("T1", "sqli", True, 89),
        owasp.Case("T2", "sqli", True, 89),
        owasp.Case("T3", "sqli", False, 89),
        owasp.Case("T4", "redirect", False, 601),
        owasp.Case("T5", "redirect", True, 601),
    ]
    hits = owasp.Hits()
    hits.by_case["T1"].add(("PY-SQLI-001", 89))
    hits.by_case["T2"].add(("PY-XSS-001", 79))  # wrong CWE: still a miss
    hits.by_case["T3"].add(("PY-SQLI-001", 89))
    hits.by_case["T5"].add(("PY-REDIRECT-001", 601))
    table = owasp.score(cases, hits)
    assert (table["sqli"].tp, table["sqli"].fn, table["sqli"].fp, table["sqli"].tn) == (1, 1, 1, 0)
    assert table["sqli"].tpr == 0.5 and table["sqli"].fpr == 1.0 and table["sqli"].score == -0.5
    assert table["redirect"].score == 1.0
    rendered = owasp.render(table, {"sqli": 89, "redirect": 601})
    assert "| **average** (2 categories) | | | | | | 75.0% | 50.0% | **+25.0** |" in rendered


def test_expected_results_and_sarif_cwes_are_read(tmp_path) -> None:
    (tmp_path / "expectedresults-0.1.csv").write_text(
        "# test name, category, real vulnerability, cwe\nBenchmarkTest00001,pathtraver,true,22\nBenchmarkTest00002,xss,false,79\n"
    )
    cases = owasp.load_expected(tmp_path)
    assert cases == [owasp.Case("BenchmarkTest00001", "pathtraver", True, 22), owasp.Case("BenchmarkTest00002", "xss", False, 79)]
    assert owasp._sarif_rule_cwe({"properties": {"tags": ["security", "external/cwe/cwe-22"]}}) == 22
    assert owasp._sarif_rule_cwe({"relationships": [{"target": {"id": "CWE-601"}}]}) == 601
    assert owasp._sarif_result_cwe({"properties": {"cwe": "CWE-89"}}) == 89
