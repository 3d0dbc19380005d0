"""`flask bot classify`: one message per line in, one JSON object per line out."""

from __future__ import annotations

import json


def test_classify_prints_intent_confidence_and_every_slot_per_line(app):
    lines = "End of month I will pay\nमैंने भुगतान कर दिया है, UTR ४१२३४५६७८९०१\nফোনপে\nSTOP\n"
    result = app.test_cli_runner().invoke(args=["bot", "classify", "--today", "2026-11-25"], input=lines)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [answer["intent"] for answer in answers] == ["later", "paid", "app", "stop"]
    assert answers[0]["slots"] == {"date": "2026-11-30", "utr": None, "app": None, "language": None, "url": None}
    assert answers[1]["slots"]["utr"] == "412345678901" and answers[1]["text"].startswith("मैंने")
    assert answers[2]["slots"]["app"] == "phonepe"
    assert all(0.0 <= answer["confidence"] <= 1.0 for answer in answers)


def test_classify_refuses_a_malformed_day(app):
    result = app.test_cli_runner().invoke(args=["bot", "classify", "--today", "25/11/2026"], input="hi\n")
    assert result.exit_code == 2 and "--today" in result.output
