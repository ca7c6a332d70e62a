"""Reading an import file as a stream of CSV records with their line numbers.

Nothing here holds more than one record: the file is decoded and split as it is read, a line
longer than ``MAX_LINE_BYTES`` stops the reading (a 2 GB file of garbage with no line breaks
must not be read into memory), and so do text that is not UTF-8 and NUL bytes. No ORM.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# A record's line of text, quoted line breaks aside. The longest real field (a daily note's
# section) is a few thousand characters.
MAX_LINE_BYTES = 100_000


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
    """The file's lines as text, each at most ``MAX_LINE_BYTES`` long, counted as they go.

    Decoded one line at a time (not in 8 KB blocks) so that a byte that is not UTF-8 is
    reported on its own line."""

    def __init__(self, binary):
        self.binary = binary
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = self.binary.readline(MAX_LINE_BYTES + 1)
        if not raw:
            raise StopIteration
        where = self.count + 1
        if len(raw) > MAX_LINE_BYTES:
            raise FatalFileError(
                where,
                f"the line is longer than {MAX_LINE_BYTES:,} bytes: this does not look like an "
                "import file; reading stopped here.",
            )
        if b"\x00" in raw:
            raise FatalFileError(where, "the line contains a NUL byte: this is not a text file.")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FatalFileError(
                where,
                f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be read); "
                "save it as “CSV UTF-8” and try again.",
            ) from error
        if where == 1 and line.startswith("\ufeff"):
            # A byte-order mark, as spreadsheet programs write "CSV UTF-8".
            line = line[1:]
        self.count = where
        return line


def read_records(binary, *, on_bytes: Callable[[bytes], None] | None = None) -> Iterator[Record]:
    """Each CSV record of a binary stream, with the line it starts on; blank lines skipped.

    Raises ``FatalFileError`` where the file stops being readable (encoding, NUL bytes, broken
    quoting, an endless line, a field over the csv module's limit)."""
    lines = _Lines(io.BufferedReader(_CountingReader(binary, on_bytes)))
    reader = csv.reader(lines, strict=True)
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
        if not fields or fields == [""]:
            continue
        yield Record(start, fields)
