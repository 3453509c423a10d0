"""Generate realistic TypeScript Express modules for benchmarks.

Route handlers, queries (pg with placeholders), file downloads, outgoing
requests, React-free helpers and settings, most of them written safely and a
few with the flaws AI code ships (string-built SQL, `exec` of a built
command, client-chosen paths, `rejectUnauthorized: false`, `Math.random()`
tokens), deterministic for a given seed. `bench/keystroke.py --language
typescript` types into such a file.
"""

from __future__ import annotations

import random

HEADER = """import express, { Request, Response } from "express";
import { Pool } from "pg";
import { exec, execFile } from "child_process";
import path from "path";
import fs from "fs";
import crypto from "crypto";
import axios from "axios";

const app = express();
const pool = new Pool();
const EXPORT_DIR = path.join(__dirname, "exports");
const PAGE_SIZE = 20;
"""

SAFE_BLOCKS = [
    """
app.get("/{name}/:id", async (req: Request, res: Response) => {{
  const {{ rows }} = await pool.query("SELECT * FROM {name} WHERE id = $1", [req.params.id]);
  if (!rows[0]) {{
    return res.status(404).json({{ error: "Not found" }});
  }}
  res.json(rows[0]);
}});
""",
    """
app.get("/{name}", async (req: Request, res: Response) => {{
  const page = Number(req.query.page ?? 1);
  const {{ rows }} = await pool.query(`SELECT * FROM {name} ORDER BY id LIMIT ${{PAGE_SIZE}} OFFSET ${{(page - 1) * PAGE_SIZE}}`);
  res.json(rows);
}});
""",
    """
export function summarise{cap}{n}(records: Array<{{ amount: number; tag: string }}>, limit = PAGE_SIZE): Record<string, number> {{
  const totals: Record<string, number> = {{}};
  for (const record of records.slice(0, limit)) {{
    totals[record.tag] = (totals[record.tag] ?? 0) + record.amount;
  }}
  return totals;
}}
""",
    """
app.get("/{name}/export/:file", (req: Request, res: Response) => {{
  res.sendFile(path.basename(req.params.file), {{ root: EXPORT_DIR }});
}});
""",
    """
export async function notify{cap}{n}(event: {{ id: string }}): Promise<boolean> {{
  const response = await axios.post("https://hooks.example.com/{name}", event, {{ timeout: 5000 }});
  return response.status === 200;
}}
""",
    """
export function archive{cap}{n}(name: string): void {{
  execFile("tar", ["czf", `${{name}}.tgz`, EXPORT_DIR], () => undefined);
}}
""",
]

FLAWED_BLOCKS = [
    """
app.get("/{name}/search", async (req: Request, res: Response) => {{
  const {{ rows }} = await pool.query(`SELECT * FROM {name} WHERE title LIKE '%${{req.query.q}}%'`);
  res.json(rows);
}});
""",
    """
app.post("/{name}/convert", (req: Request, res: Response) => {{
  exec(`convert ${{req.body.file}} out.png`, () => res.sendStatus(204));
}});
""",
    """
app.get("/{name}/download", (req: Request, res: Response) => {{
  res.send(fs.readFileSync(path.join(EXPORT_DIR, String(req.query.file))));
}});
""",
    """
export function reset{cap}Token{n}(): string {{
  const resetToken = Math.random().toString(36).slice(2);
  return resetToken;
}}
""",
]

NAMES = ["orders", "invoices", "users", "reports", "items", "tickets", "projects", "notes"]


def generate(lines: int, seed: int = 7, flaw_rate: float = 0.05) -> str:
    rng = random.Random(seed)
    parts = [HEADER]
    count = HEADER.count("\n")
    n = 0
    while count < lines:
        name = rng.choice(NAMES)
        template = rng.choice(FLAWED_BLOCKS) if rng.random() < flaw_rate else rng.choice(SAFE_BLOCKS)
        block = template.format(name=name, cap=name.capitalize(), n=n)
        parts.append(block)
        count += block.count("\n")
        n += 1
    parts.append("\nexport default app;\n")
    return "".join(parts)
