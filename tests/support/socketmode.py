"""The Socket Mode side of the tests' fake Slack: a websocket server that speaks enough of it for slack_sdk's
builtin ``SocketModeClient`` (hello on connect, envelopes out, acks in)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class SocketMode:
    """The websocket server; `FakeSlack` starts it beside its HTTP server and shares its lock."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._ws_clients: set[ServerConnection] = set()
        self._ws: Server | None = None
        self.socket_acks: list[dict[str, Any]] = []
        self.ws_url = ""
        self.socket_spread = False  # True: each envelope goes to one connection, round-robin (as Slack spreads)
        self._sent = 0

    def _serve_sockets(self) -> threading.Thread:
        """Listen on a free port of 127.0.0.1 (``ws_url``); the thread that serves until ``_stop_sockets``."""
        # Frequent pings (Slack pings too) wake slack_sdk's reader, which otherwise holds its receive
        # lock in a 3 s blocking recv() and makes SocketModeClient.close() take ~3 s.
        self._ws = serve(self._ws_handler, "127.0.0.1", 0, compression=None, ping_interval=0.1, ping_timeout=10,
                         close_timeout=1)  # fmt: skip
        self.ws_url = f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}/link"
        return threading.Thread(target=self._ws.serve_forever, name="fakeslack-ws", daemon=True)

    def _stop_sockets(self) -> None:
        """Shut the server down (idempotent); open websockets are closed with 1001."""
        if self._ws is not None:
            self._ws.shutdown()
            self._ws = None

    def _ws_handler(self, conn: ServerConnection) -> None:
        debug = {"host": "fakeslack", "build_number": 1, "approximate_connection_time": 18060}
        hello = {"type": "hello", "num_connections": 1, "debug_info": debug, "connection_info": {"app_id": "A111"}}
        try:
            conn.send(json.dumps(hello))
            with self._cond:
                self._ws_clients.add(conn)
                self._cond.notify_all()
            for message in conn:
                try:
                    parsed = json.loads(message)
                except ValueError:
                    parsed = {"raw": message}
                with self._cond:
                    self.socket_acks.append(parsed)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._ws_clients.discard(conn)
                self._cond.notify_all()

    def socket_connected(self, timeout: float = 5.0) -> bool:
        """Wait until a Socket Mode client is connected (and got its hello); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: bool(self._ws_clients), timeout)

    def socket_count(self) -> int:
        """How many Socket Mode clients are connected now."""
        with self._cond:
            return len(self._ws_clients)

    def socket_send(self, envelope: dict[str, Any]) -> int:
        """Send ``envelope`` as JSON to every connected client (to one, if ``socket_spread``); how many got it."""
        with self._cond:
            clients = list(self._ws_clients)
        if not clients:
            raise AssertionError("no Socket Mode client is connected")
        sent = 0
        if self.socket_spread:  # start at the next connection in turn; a closed one passes it on
            clients.sort(key=id)
            self._sent += 1
            clients = clients[self._sent % len(clients) :] + clients[: self._sent % len(clients)]
        for conn in clients:
            try:
                conn.send(json.dumps(envelope))
                sent += 1
            except ConnectionClosed:
                continue
            if self.socket_spread:
                break
        return sent

    def wait_socket_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the client's ack (``{"envelope_id": ..., "payload": ...}``) of ``envelope_id``."""

        def find() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        with self._cond:
            if self._cond.wait_for(lambda: find() is not None, timeout):
                return find()  # type: ignore[return-value]
            seen = [a.get("envelope_id") for a in self.socket_acks]
        raise AssertionError(f"no ack for envelope {envelope_id!r} within {timeout}s; acks seen: {seen}")

    @staticmethod
    def socket_envelope(kind: str, payload: dict[str, Any], envelope_id: str | None = None) -> dict[str, Any]:
        """Build a Socket Mode envelope of ``kind`` events_api / slash_commands / interactive."""
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind}
        if kind == "events_api":
            envelope.update(accepts_response_payload=False, retry_attempt=0, retry_reason="")
        else:
            envelope["accepts_response_payload"] = True
        envelope["payload"] = payload
        return envelope
