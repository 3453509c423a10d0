"""AI-inserted regions: which parts of a document an AI wrote, and whether a human reviewed them.

The modules here are pure (no pygls, no lsprotocol) so the CLI can reuse them:

- `model`: the region record, provenances, review states, the normalised content hash;
- `detection`: the rules that tell a bulk insert from typing, formatting, undo/redo and moves;
- `tracking`: moving regions with every edit like editor markers, in O(regions) per edit;
- `markers`: `draftguard: ai-begin` / `ai-end` comments in any comment syntax of the language;
- `agent_trace`: Agent Trace records (`.agent-trace/traces.jsonl`) re-anchored to the current text;
- `git`: the only place that runs git (argument lists, no shell, timeouts, hostile repo config disarmed);
- `git_changes`: lines that differ from git HEAD (the `uncommitted` provenance);
- `statefile`: JSON state files under `.draftguard/` (atomic, locked, merged, never clobbered);
- `ledger`: the review ledger `<workspace>/.draftguard/reviews.json`;
- `store`: bulk-insert and client regions kept across restarts in `.draftguard/regions.json`.

`server/features/regions.py` wires them into the language server.
"""
