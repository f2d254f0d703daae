"""Documents and their active chunks in SQLite: the source of truth the other indexes follow."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence

from reviewer.models import Chunk, DocType, Document
from reviewer.store.db import write_tx

CHUNKS_VERSION = "chunks_version"
# Every column a Document needs: not the full text, page spans or flags, which can be megabytes.
DOC_COLUMNS = (
    "id, path, source_path, sha256, doc_type, title, pages, n_chunks, size_bytes, metadata, "
    "ingested_at, recipe"
)


def _doc(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        path=row["path"],
        source_path=row["source_path"],
        sha256=row["sha256"],
        doc_type=DocType(row["doc_type"]),
        title=row["title"],
        pages=row["pages"],
        n_chunks=row["n_chunks"],
        size_bytes=row["size_bytes"],
        metadata=json.loads(row["metadata"]),
        ingested_at=row["ingested_at"],
        recipe=row["recipe"],
    )


def _chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(
        id=row["id"],
        doc_id=row["doc_id"],
        doc_sha256=row["doc_sha256"],
        path=row["path"],
        ordinal=row["ordinal"],
        page=row["page"],
        char_start=row["char_start"],
        char_end=row["char_end"],
        heading_path=json.loads(row["heading_path"]),
        doc_type=DocType(row["doc_type"]),
        text=row["text"],
    )


class DocumentStore:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # -- reads -------------------------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        row = self.conn.execute(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return _doc(row) if row else None

    def list_documents(self) -> list[Document]:
        rows = self.conn.execute(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY path").fetchall()
        return [_doc(r) for r in rows]

    def flags(self, doc_id: str) -> list[str]:
        row = self.conn.execute("SELECT flags FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row["flags"]) if row else []

    def text(self, doc_id: str) -> str:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row["text"] if row else ""

    def page_spans(self, doc_id: str) -> list[tuple[int, int]]:
        row = self.conn.execute(
            "SELECT page_spans FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return [tuple(x) for x in json.loads(row["page_spans"])] if row else []  # type: ignore[misc]

    def _rows_where_id_in(self, select: str, ids: Iterable[str]) -> Iterator[sqlite3.Row]:
        """Rows of `select ... WHERE id IN (?...)`, 500 ids a query (SQLite's variable limit)."""
        ids = list(ids)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            yield from self.conn.execute(f"{select} WHERE id IN ({marks})", part)

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        return {
            row["id"]: _chunk(row) for row in self._rows_where_id_in("SELECT * FROM chunks", ids)
        }

    def chunk_types(self, ids: Iterable[str]) -> dict[str, DocType]:
        """Document type per active chunk id: ranking needs only this, not the whole chunk."""
        rows = self._rows_where_id_in("SELECT id, doc_type FROM chunks", ids)
        return {row["id"]: DocType(row["doc_type"]) for row in rows}

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Full text per document id, for the documents that exist."""
        rows = self._rows_where_id_in("SELECT id, text FROM documents", doc_ids)
        return {row["id"]: row["text"] for row in rows}

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.execute(
            "SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
        ).fetchall()
        return [_chunk(r) for r in rows]

    def all_chunk_texts(self) -> tuple[list[str], list[str]]:
        ids: list[str] = []
        texts: list[str] = []
        for row in self.conn.execute("SELECT id, text FROM chunks ORDER BY doc_id, ordinal"):
            ids.append(row["id"])
            texts.append(row["text"])
        return ids, texts

    def chunk_ids(self, doc_ids: Sequence[str] | None = None) -> set[str]:
        if doc_ids is None:
            return {r[0] for r in self.conn.execute("SELECT id FROM chunks")}
        out: set[str] = set()
        for d in doc_ids:
            out.update(
                r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc_id = ?", (d,))
            )
        return out

    def chunks_version(self) -> str:
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (CHUNKS_VERSION,)
        ).fetchone()
        return str(row[0]) if row else ""

    # -- writes ------------------------------------------------------------------------------
    def replace(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        text: str,
        page_spans: Sequence[tuple[int, int]],
        flags: Sequence[str],
    ) -> None:
        """Swap in a document and its chunks in one transaction: readers see old or new, never both."""
        with write_tx(self.conn) as c:
            c.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.id,))
            c.execute(
                "INSERT OR REPLACE INTO documents (id, path, source_path, sha256, doc_type, title, "
                "pages, n_chunks, size_bytes, metadata, ingested_at, text, page_spans, flags, "
                "recipe) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.id,
                    doc.path,
                    doc.source_path,
                    doc.sha256,
                    doc.doc_type.value,
                    doc.title,
                    doc.pages,
                    len(chunks),
                    doc.size_bytes,
                    json.dumps(doc.metadata, default=str),
                    doc.ingested_at,
                    text,
                    json.dumps(list(page_spans)),
                    json.dumps(list(flags)),
                    doc.recipe,
                ),
            )
            c.executemany(
                "INSERT INTO chunks (id, doc_id, doc_sha256, path, ordinal, page, char_start, "
                "char_end, heading_path, doc_type, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        ch.id,
                        ch.doc_id,
                        ch.doc_sha256,
                        ch.path,
                        ch.ordinal,
                        ch.page,
                        ch.char_start,
                        ch.char_end,
                        json.dumps(ch.heading_path),
                        ch.doc_type.value,
                        ch.text,
                    )
                    for ch in chunks
                ],
            )
            self._bump(c)

    def remove(self, doc_ids: Sequence[str]) -> None:
        with write_tx(self.conn) as c:
            for d in doc_ids:
                c.execute("DELETE FROM chunks WHERE doc_id = ?", (d,))
                c.execute("DELETE FROM documents WHERE id = ?", (d,))
            self._bump(c)

    @staticmethod
    def _bump(c: sqlite3.Connection) -> None:
        c.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (CHUNKS_VERSION, uuid.uuid4().hex),
        )
