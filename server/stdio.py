"""Reading LSP messages from stdin on the event loop itself.

pygls reads stdin in a worker thread, one `readline`/`read` per await: a
message reaches its handler after three or four hand-offs between that
thread and the event loop, and every hand-off waits for the GIL, which a
slice of analysis or parsing holds for up to ANALYSIS_SLICE. A didChange
that should supersede the work in progress was seen 50-70 ms late in a
50,000-line file. Here the loop watches the pipe itself (asyncio's
`connect_read_pipe`): bytes that arrived are read in the loop's next round
and whole messages come out of a buffer without further waiting. stdin that
is not a pipe or socket (a file, a terminal) keeps pygls's reader.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from threading import Event
from typing import BinaryIO

from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

log = logging.getLogger(__name__)

READ_LIMIT = 1 << 20
"""Longest header line accepted (the body is read by length, not by line)."""


class PipeReader:
    """The reader interface `pygls.io_.run_async` expects, over an asyncio stream."""

    def __init__(self, stream: asyncio.StreamReader):
        self.stream = stream

    async def readline(self) -> bytes:
        return await self.stream.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""  # the client went away mid-message: run_async stops on an empty body


async def _reader_for(stdin: BinaryIO, executor) -> PipeReader | StdinAsyncReader:
    loop = asyncio.get_running_loop()
    stream = asyncio.StreamReader(limit=READ_LIMIT)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
    except (ValueError, OSError, NotImplementedError) as exc:  # a regular file or a terminal
        log.debug("stdin is not a pipe (%s): reading it in a thread", exc)
        return StdinAsyncReader(stdin, executor)
    return PipeReader(stream)


def serve_stdio(server, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """pygls's `start_io` with the reader above; `server` is a pygls LanguageServer."""
    server._stop_event = Event()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

    async def serve() -> None:
        reader = await _reader_for(stdin or sys.stdin.buffer, server.thread_pool)
        await run_async(stop_event=server._stop_event, reader=reader, protocol=server.protocol, logger=log, error_handler=server.report_server_error)

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
