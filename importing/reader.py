"""Reading an import file as a stream of CSV records with their line numbers.

Nothing here holds more than one record: the file is decoded and split as it is read, a line
longer than ``MAX_LINE_CHARS`` stops the reading (a 2 GB file of garbage with no line breaks
must not be read into memory), and so do text that is not UTF-8 and NUL bytes. No ORM.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# A record's line of text, quoted line breaks aside. The longest real field (a daily note's
# section) is a few thousand characters.
MAX_LINE_CHARS = 100_000


class FatalFileError(Exception):
    """The file cannot be read on from here: the message says where and why."""

    def __init__(self, line: int, message: str):
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line
        self.message = message


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a binary stream, for the progress bar."""

    def __init__(self, raw, on_bytes: Callable[[bytes], None] | None):
        self.raw = raw
        self.on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        if self.on_bytes and data:
            self.on_bytes(data)
        return len(data)


@dataclass
class Record:
    line: int
    fields: list[str]


class _Lines:
    """The text's lines, each at most ``MAX_LINE_CHARS`` long, counted as they go."""

    def __init__(self, text):
        self.text = text
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            line = self.text.readline(MAX_LINE_CHARS + 1)
        except UnicodeDecodeError as error:
            raise FatalFileError(
                self.count + 1,
                f"the file is not UTF-8 text (byte 0x{error.object[error.start]:02x} cannot "
                "be read); save it as “CSV UTF-8” and try again.",
            ) from error
        if not line:
            raise StopIteration
        if len(line) > MAX_LINE_CHARS:
            raise FatalFileError(
                self.count + 1,
                f"the line is longer than {MAX_LINE_CHARS:,} characters: this does not look "
                "like an import file; reading stopped here.",
            )
        self.count += 1
        return line


def read_records(binary, *, on_bytes: Callable[[bytes], None] | None = None) -> Iterator[Record]:
    """Each CSV record of a binary stream, with the line it starts on; blank lines skipped.

    Raises ``FatalFileError`` where the file stops being readable (encoding, NUL bytes, broken
    quoting, an endless line, a field over the csv module's limit)."""
    text = io.TextIOWrapper(
        io.BufferedReader(_CountingReader(binary, on_bytes)),
        encoding="utf-8",
        errors="strict",
        newline="",
    )
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    first = True
    while True:
        start = lines.count + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            if "NUL" in reason:
                reason = "the line contains a NUL byte: this is not a text file"
            raise FatalFileError(start, f"the file cannot be read as CSV ({reason}).") from error
        if first and fields and fields[0].startswith(codecs.BOM_UTF8.decode("utf-8")):
            # A byte-order mark, as spreadsheet programs write "CSV UTF-8".
            fields[0] = fields[0][1:]
        first = False
        if not fields or fields == [""]:
            continue
        yield Record(start, fields)
