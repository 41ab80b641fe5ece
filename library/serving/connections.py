"""The server's connections, bounded: a deadline for each request, and a share of the connections per client.

Waitress closes a connection only once it has been silent for `channel_timeout`; a client
that sends a request's headers a byte at a time is never silent, and a thousand of them
took every one of waitress's connections (`connection_limit`) for as long as they liked.
Here a request must arrive whole within REQUEST_DEADLINE seconds of its first byte, or its
connection is answered 408 and closed; and one client address holds at most
CONNECTIONS_PER_CLIENT connections: the next one it opens takes the place of its oldest
connection that waits for a request, so a reader behind the same address still gets in.
"""
from __future__ import annotations

import socket
import time
from typing import TYPE_CHECKING, Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["CONNECTIONS_PER_CLIENT", "REQUEST_DEADLINE", "create_guarded_server"]

REQUEST_DEADLINE = 10.0  # seconds from a request's first byte to its last; a page address takes a few hundred bytes
CONNECTIONS_PER_CLIENT = 100  # a browser opens six; an office behind one address, a few dozen
_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n"


class _Channel(HTTPChannel):  # type: ignore[misc]  # waitress is untyped
    """A connection that knows since when its current request has been arriving."""

    request_began: float | None = None

    def received(self, data: bytes) -> bool:
        began = self.request_began if self.request is not None else None
        handled = super().received(data)
        # A request still partial after this: it began now, unless it had begun before.
        self.request_began = (began or time.time()) if self.request is not None else None
        return bool(handled)

    def time_out(self) -> None:
        """Answer 408 and close once it is sent (or once the channel times out, if the client never reads)."""
        with self.outbuf_lock:
            self.outbufs[-1].append(_TIMED_OUT)
            self.total_outbufs_len += len(_TIMED_OUT)
        self.request_began = None
        self.close_when_flushed = True


class _GuardedServer(TcpWSGIServer):  # type: ignore[misc]  # waitress is untyped
    """Waitress's server with the request deadline and the per-client share."""

    def channel_class(self, _server: object, connection: socket.socket, address: object, adjustments: object,
                      map: dict[int, object] | None = None) -> None:  # noqa: A002 (waitress names it so)
        """A channel for a new connection, the client's oldest waiting one closed if it has its share already."""
        client = _client(address)
        mine = [channel for channel in self.active_channels.values()
                if _client(channel.addr) == client and not channel.will_close]
        if len(mine) >= CONNECTIONS_PER_CLIENT:
            # Waiting for a request: none in hand, and no answer still being sent.
            waiting = [channel for channel in mine if not channel.requests and not channel.total_outbufs_len]
            if not waiting:  # every one is being answered: 503, ask again in a moment
                _refuse(connection)
                return
            min(waiting, key=lambda channel: channel.creation_time).will_close = True
        _Channel(self, connection, address, adjustments, map=map)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - REQUEST_DEADLINE
        for channel in list(self.active_channels.values()):
            began = getattr(channel, "request_began", None)
            if began is not None and began < cutoff and not channel.requests and not channel.close_when_flushed:
                channel.time_out()


def create_guarded_server(application: WSGIApplication, host: str, port: int, **limits: Any) -> Any:
    """Waitress's create_server for host and port, each listening socket guarded; OSError if it cannot listen."""
    adjustments = Adjustments(host=host, port=port, **limits)
    socket_map: dict[int, socket.socket] = {}
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adjustments.threads)
    servers = [_GuardedServer(application, socket_map, dispatcher=dispatcher, adj=adjustments, sockinfo=info)
               for info in adjustments.listen]
    if len(servers) == 1:
        return servers[0]
    listening = [(server.effective_host, server.effective_port) for server in servers]
    return MultiSocketServer(socket_map, adjustments, listening, dispatcher, servers[-1].log_info)


def _client(address: object) -> str:
    return address[0] if isinstance(address, tuple) and address else str(address)


def _refuse(connection: socket.socket) -> None:
    """Say 503 (a new connection's send buffer is empty: it cannot block) and close."""
    try:
        connection.setblocking(False)
        connection.send(_BUSY)
    except OSError:
        pass
    connection.close()
