"""LSP <-> byte offset conversion with emoji, CJK, tabs and CRLF."""

from __future__ import annotations

import pytest

from draftguard.server.positions import UTF8, UTF16, UTF32, LineIndex, offset_to_point, offset_to_position, position_to_offset

TEXT = "a = 1\r\nemoji = '😀x'\n中文 = \"漢字\"\n\tcafé\rlast"


@pytest.fixture
def doc():
    source = TEXT.encode()
    return source, LineIndex(source)


def test_line_starts_cover_every_line_break_kind(doc) -> None:
    source, index = doc
    assert len(index) == 5
    assert source[index.starts[4] :] == b"last"


@pytest.mark.parametrize(
    "line,character,encoding,expected_text_after",
    [
        (1, 9, UTF16, "😀x'"),
        (1, 11, UTF16, "x'"),  # the emoji is two UTF-16 units
        (1, 10, UTF16, "😀x'"),  # inside the surrogate pair rounds down
        (1, 10, UTF32, "x'"),
        (1, 13, UTF8, "x'"),  # four UTF-8 bytes
        (2, 2, UTF16, ' = "漢字"'),
        (3, 1, UTF16, "café"),
        (3, 99, UTF16, ""),  # past the end of the line clamps before the \r
    ],
)
def test_position_to_offset(doc, line, character, encoding, expected_text_after) -> None:
    source, index = doc
    offset = position_to_offset(source, index, line, character, encoding)
    end = source.find(b"\r", offset) if line == 3 else source.find(b"\n", offset)
    assert source[offset:end].decode() == expected_text_after


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_round_trip_every_character_start(doc, encoding) -> None:
    source, index = doc
    text = source.decode()
    for char_index in range(len(text) + 1):
        offset = len(text[:char_index].encode())
        if text[char_index - 1 : char_index] == "\r" and text[char_index : char_index + 1] == "\n":
            continue  # between \r and \n is not a position in the text
        line, character = offset_to_position(source, index, offset, encoding)
        assert position_to_offset(source, index, line, character, encoding) == offset


def test_positions_outside_the_document_are_clamped(doc) -> None:
    source, index = doc
    assert position_to_offset(source, index, 99, 0) == len(source)
    assert position_to_offset(source, index, -1, 5) == 0
    assert offset_to_position(source, index, 10**6) == (4, 4)


def test_points_count_only_newlines() -> None:
    source = b"a\rb\nc"
    index = LineIndex(source)
    assert index.lone_cr
    assert offset_to_point(source, index, 4) == (1, 0)
    assert offset_to_position(source, index, 4) == (2, 0)


@pytest.mark.parametrize("block", [1, 2, 3, 256])
def test_line_index_blocks_stay_exact_under_random_edits(monkeypatch, block) -> None:
    """Edits that split, empty and merge blocks keep every start equal to a fresh scan."""
    import random

    monkeypatch.setattr(LineIndex, "BLOCK", block)
    rng = random.Random(block)
    pieces = ["a", "\n", "\r\n", "\r", "bc\nde\n", "\n\n\n", "x" * 5, "😀"]
    source = "".join(rng.choice(pieces) for _ in range(60)).encode()
    index = LineIndex(source)
    for _ in range(400):
        start = rng.randint(0, len(source))
        end = rng.randint(start, min(len(source), start + rng.choice([0, 1, 3, 20, 200])))
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))).encode()
        source = source[:start] + data + source[end:]
        index.update(source, start, end, start + len(data))
        fresh = LineIndex(source)
        assert index.starts == fresh.starts
        assert len(index) == len(fresh)
        for offset in {0, start, start + len(data), len(source), rng.randint(0, len(source))}:
            assert index.line_of(offset) == fresh.line_of(offset)
        assert all(index.start_of(i) == s for i, s in enumerate(fresh.starts))
