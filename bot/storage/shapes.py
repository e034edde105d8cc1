"""Shape checks that run after a stored file is parsed, before anything trusts its content.

A file can be valid JSON and still hold the wrong thing (`null`, `[]`, a number, a table that
is a list): read as "nothing stored", the next write would replace it with a fresh state and
lose what it held. Each check raises CorruptDataError, the same path as an unparsable file, so
the file is named and left exactly as it is. Kept apart from parsing (and from any decryption
before it): read -> parse -> check.
"""

from pathlib import Path
from typing import Any

from bot.errors import CorruptDataError
from bot.storage.codec import LIST_SECTIONS

Tables = dict[str, dict[str, Any]]
SINGLE = "1"  # the doc id of one-document tables, as TinyDB writes it
SINGLE_TABLES = ("meta", "state")


def json_kind(value: Any) -> str:
    """What a JSON value is, in the words an operator reads in the error."""
    if value is None:
        return "null"
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def tinydb_tables(path: Path, data: Any) -> Tables:
    """TinyDB's layout, `{table: {doc id: {document}}}`, or CorruptDataError naming the place
    that is wrong. `data` is what the file parsed to; a missing file never gets here."""
    if not isinstance(data, dict):
        raise CorruptDataError(path, f"it holds {json_kind(data)} where an object belongs")
    for table, documents in data.items():
        if not isinstance(documents, dict):
            raise CorruptDataError(
                path, f"table {table!r} is {json_kind(documents)}, not an object of documents"
            )
        for doc_id, document in documents.items():
            if not doc_id.isdigit():
                raise CorruptDataError(path, f"table {table!r} has a document id {doc_id!r}")
            if not isinstance(document, dict):
                raise CorruptDataError(
                    path,
                    f"document {doc_id} of table {table!r} is {json_kind(document)}, "
                    "not an object",
                )
    return data


def leader_tables(path: Path, data: Any) -> Tables:
    """A leader's file: TinyDB's layout, one document in `meta` and `state`, and no rows of
    reflections, commitments or history without the state they belong to."""
    tables = tinydb_tables(path, data)
    for table in SINGLE_TABLES:
        documents = tables.get(table, {})
        if documents and set(documents) != {SINGLE}:
            raise CorruptDataError(path, f"table {table!r} should hold one document, id 1")
    state = tables.get("state", {}).get(SINGLE)
    if state is None:
        orphans = [name for name in LIST_SECTIONS if tables.get(name)]
        if orphans:
            raise CorruptDataError(path, f"it holds {orphans[0]} but no state")
    elif not isinstance(state.get("version"), int):
        raise CorruptDataError(path, "its state has no version number")
    elif inside := [name for name in LIST_SECTIONS if name in state]:
        # read, they would be ignored for the table of that name, and the next write drops them
        raise CorruptDataError(path, f"its state holds {inside[0]}, which has a table of its own")
    for doc_id, document in tables.get("extra", {}).items():
        if not isinstance(document.get("name"), str) or not isinstance(
            document.get("value"), dict
        ):
            raise CorruptDataError(path, f"extra document {doc_id} is not a name and an object")
    return tables
