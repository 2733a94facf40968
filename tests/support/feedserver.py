"""Feeds served on 127.0.0.1 for the tests: set what each path answers (a body with an ETag, HTML,
broken XML, a slow answer, an error), and see every request, conditional headers included."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SHARED_FEEDS = Path(__file__).resolve().parents[3] / "shared" / "feeds"


@dataclass
class Served:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "application/rss+xml; charset=UTF-8"
    status: int = 200
    delay: float = 0.0


@dataclass
class FeedServer:
    """A small HTTP server with per-path answers; `requests` records (path, If-None-Match)."""

    paths: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                served = server.paths.get(self.path, Served(status=404))
                server.requests.append((self.path, self.headers.get("If-None-Match")))
                time.sleep(served.delay)
                etag = f'"{hashlib.sha1(served.body).hexdigest()[:12]}"'
                if served.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(served.status)
                self.send_header("Content-Type", served.content_type)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                self.wfile.write(served.body)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        """The address of `path` on this server."""
        return f"http://127.0.0.1:{self._http.server_address[1]}{path}"

    def serve(self, path: str, **served: Any) -> str:
        """Answer `path` so from now on; returns its address."""
        self.paths[path] = Served(**served)
        return self.url(path)

    def stop(self) -> None:
        """Shut the server down."""
        self._http.shutdown()
        self._http.server_close()


def wordpress_comments() -> bytes:
    """The WordPress comments feed sample in ../shared/feeds/; the test is skipped in a clone without it
    (and fails on CI, which has it)."""
    import os

    import pytest

    sample = SHARED_FEEDS / "wordpress-comments.rss"
    if not sample.is_file():
        reason = f"the WordPress comments feed sample ships in ../shared/ and is absent here ({sample})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set: CI must have it")
        pytest.skip(reason)
    return sample.read_bytes()


def rss(*items: tuple[str, str, str], title: str = "Comments") -> bytes:
    """A WordPress-like comments feed of (guid, author, text) items, newest first."""
    rendered = "".join(
        f"<item><title>Comment on Pricing by {author}</title><link>https://blog.example.com/pricing/#{guid}</link>"
        f'<dc:creator><![CDATA[{author}]]></dc:creator><guid isPermaLink="false">{guid}</guid>'
        f"<description><![CDATA[{text}]]></description></item>"
        for guid, author, text in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{title}</title><link>https://blog.example.com</link>{rendered}</channel></rss>"
    ).encode()


def atom(*entries: tuple[str, str, str]) -> bytes:
    """An Atom feed of (id, author, text) entries."""
    rendered = "".join(
        f"<entry><id>{entry_id}</id><title>{text[:30]}</title><link href='https://news.example.com/{entry_id}'/>"
        f"<author><name>{author}</name></author><summary>{text}</summary><updated>2026-11-27T09:00:00Z</updated></entry>"
        for entry_id, author, text in entries
    )
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>'
            f"<id>urn:news</id><updated>2026-11-27T09:00:00Z</updated>{rendered}</feed>").encode()  # fmt: skip
