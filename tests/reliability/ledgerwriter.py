"""A process that writes reviews to a workspace's ledger as fast as it can.

`python -m tests.reliability.ledgerwriter ROOT TAG COUNT [--region-store]`
adds COUNT reviews named `TAG-<n>` in order (each the same size, so that
two writers produce files of identical length and a size/mtime check alone
cannot tell their writes apart), printing each number once it is on disk.
With `--region-store` it also saves region-store entries, the other state
file under `.draftguard/`. With `--slow-disk` every fsync takes 5 ms longer,
as on a busy disk, so that a kill at a random moment often lands inside a
write. The durability tests kill it with SIGKILL at random moments and run
several at once.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time

from draftguard.server.regions.ledger import Ledger, Review
from draftguard.server.regions.model import BULK_INSERT, Region
from draftguard.server.regions.store import RegionStore


def review_hash(tag: str, number: int) -> str:
    return "sha256:" + hashlib.sha256(f"{tag}-{number}".encode()).hexdigest()


def main(argv: list[str]) -> int:
    root, tag, count = argv[0], argv[1], int(argv[2])
    if "--slow-disk" in argv:
        real_fsync = os.fsync

        def slow_fsync(fd: int) -> None:
            time.sleep(0.005)
            real_fsync(fd)

        os.fsync = slow_fsync
    ledger = Ledger(root)
    ledger.load()
    store = RegionStore(root) if "--region-store" in argv else None
    for number in range(count):
        problem = ledger.add(Review(f"src/{tag}.py", review_hash(tag, number), "writer", "2026-01-01T00:00:00Z", BULK_INSERT, 3))
        if problem:
            print(f"error {problem}", flush=True)
            return 1
        if store is not None:
            source = f"def f_{number}():\n    return {number}\n".encode()
            store.save(f"src/{tag}.py", [Region(0, len(source) - 1, BULK_INSERT)], source)
        print(number, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
