"""Is this JavaScript/TypeScript code a test? Tests hold throwaway credentials
(`password: "password1"` for a fixture user) and deliberately weak settings;
reporting them as leaked secrets buries the real ones.

A module is test code when it imports a test framework, assertion or
fake-data library (jest, mocha, chai, vitest, supertest, playwright, testing
library, sinon, nock, faker); code inside `describe`/`it`/`test` blocks and
their hooks is test code wherever it is. The analyzers never see file paths,
so names like `*.test.js` cannot be used here.
"""

from __future__ import annotations

from tree_sitter import Node

from ..context import AnalysisContext
from .flow import SYN

TEST_MODULES = frozenset(
    {
        "jest", "@jest/globals", "mocha", "chai", "vitest", "supertest", "@playwright/test", "playwright/test", "sinon",
        "nock", "ava", "tap", "node:test", "faker", "@faker-js/faker", "cypress", "jasmine", "expect",
        "@testing-library/react", "@testing-library/dom", "@testing-library/vue", "@testing-library/user-event",
    }
)
TEST_BLOCKS = frozenset(
    {"describe", "it", "test", "beforeEach", "beforeAll", "afterEach", "afterAll", "before", "after", "suite", "context"}
)


def in_test_code(ctx: AnalysisContext, node: Node) -> bool:
    if TEST_MODULES.intersection(ctx.facts.get("imported_modules", ())):
        return True
    parent = node.parent
    while parent is not None:
        if parent.type == "call_expression":
            callee = SYN.unwrap(SYN.callee(parent))
            while callee is not None and callee.type == "member_expression":  # describe.each(...), test.only(...)
                callee = SYN.unwrap(callee.child_by_field_name("object"))
            if callee is not None and callee.type == "identifier" and ctx.text(callee) in TEST_BLOCKS:
                return True
        parent = parent.parent
    return False
