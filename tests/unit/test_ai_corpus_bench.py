"""bench/ai_corpus.py finds datasets by their layout, credits a file only for a
finding of the label's CWE family, and lists every finding on well-reviewed
apps as a false-positive candidate."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("ai_corpus", Path(__file__).parents[2] / "bench" / "ai_corpus.py")
ai_corpus = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("ai_corpus", ai_corpus)  # dataclasses look their module up
_SPEC.loader.exec_module(ai_corpus)

FLASK_SHELL = (
    "import subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
    "@app.route('/ping')\ndef ping():\n    host = request.args['host']\n"
    "    return subprocess.check_output('ping -c 1 ' + host, shell=True)\n"
)
CONSTANT_SHELL = "import subprocess\n\ndef uptime():\n    return subprocess.check_output(['uptime'])\n"


def test_families_join_related_cwes_only() -> None:
    assert ai_corpus.same_family(259, 798) and ai_corpus.same_family(328, 916) and ai_corpus.same_family(78, 78)
    assert not ai_corpus.same_family(89, 79)


def test_securityeval_layout_is_scored_per_cwe(tmp_path: Path) -> None:
    root = tmp_path / "SecurityEval"
    (root / "Result").mkdir(parents=True)
    (root / "Testcases_Copilot" / "CWE-078").mkdir(parents=True)
    (root / "Testcases_Copilot" / "CWE-078" / "a.py").write_text(FLASK_SHELL)
    (root / "Testcases_Copilot" / "CWE-078" / "b.py").write_text(CONSTANT_SHELL)
    (root / "Testcases_Copilot" / "CWE-078" / "c.py").write_text(CONSTANT_SHELL)
    (root / "Result" / "testcases_copilot.csv").write_text(
        "CWEID,SampleID,Modified,CodeQL,Bandit,Manual\nCWE-078,a.py,0,0,0,1\nCWE-078,b.py,0,0,0,1\nCWE-078,c.py,0,0,0,0\n"
    )
    samples = list(ai_corpus.DATASETS["securityeval-copilot"](tmp_path))
    assert [(s.ident, s.cwe, s.vulnerable) for s in samples] == [
        ("Testcases_Copilot/CWE-078/a.py", 78, True),
        ("Testcases_Copilot/CWE-078/b.py", 78, True),
        ("Testcases_Copilot/CWE-078/c.py", 78, False),
    ]
    report = ai_corpus.score(samples, "securityeval-copilot", ai_corpus.AnalysisConfig())
    tally = report.by_cwe[78]
    assert (tally.tp, tally.fn, tally.fp, tally.tn) == (1, 1, 0, 1)
    assert report.in_scope[78] is True
    assert report.misses == ["Testcases_Copilot/CWE-078/b.py [CWE-78]"]
    table = ai_corpus.render(report)
    assert "| CWE-78 | yes | 2 | 1 | 1 | 1 | 0 | 1 | 50% | 100% |" in table


def test_pearce_records_and_apps_are_read(tmp_path: Path) -> None:
    data = [{"cwe": "CWE-78", "language": "python", "scenario_id": "CWE-78-0", "file_id": "x.py", "code": FLASK_SHELL, "vulnerable": 1}]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "processed_copilot_cwe_data.json").write_text(json.dumps(data))
    (tmp_path / "apps" / "demo" / "node_modules").mkdir(parents=True)
    (tmp_path / "apps" / "demo" / "app.py").write_text(FLASK_SHELL)
    (tmp_path / "apps" / "demo" / "node_modules" / "skip.js").write_text("eval(location.hash)\n")
    pearce = ai_corpus.score(ai_corpus.DATASETS["pearce-copilot"](tmp_path), "pearce-copilot", ai_corpus.AnalysisConfig())
    assert pearce.by_cwe[78].tp == 1
    apps = ai_corpus.score(ai_corpus.DATASETS["apps"](tmp_path), "apps", ai_corpus.AnalysisConfig())
    assert apps.files == 1 and apps.app_findings["PY-CMDI-001"] == 1
    assert any("demo/app.py [unlabelled] line 8: PY-CMDI-001" in line for line in apps.false_positives)
