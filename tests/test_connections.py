"""A real uvicorn server on loopback, configured as `chatbot serve` configures it, attacked over raw sockets."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from support import until

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.channels.web.connections import server_config
from chatbot.settings import Settings

ADMIN_TOKEN = "a-real-admin-token-for-tests"


@contextmanager
def serving(fake: Assistant, **overrides: object) -> Iterator[tuple[str, int]]:
    """`chatbot serve`'s uvicorn configuration around the app with the fake assistant, on a free loopback port."""
    with running(fake, **overrides) as server:
        yield server.servers[0].sockets[0].getsockname()[:2]


@contextmanager
def running(fake: Assistant, **overrides: object) -> Iterator[uvicorn.Server]:
    """`serving`, yielding the running uvicorn server itself."""
    settings = Settings(**{"admin_token": ADMIN_TOKEN, "rate_limit": "off", **overrides})  # type: ignore[arg-type]
    server = uvicorn.Server(server_config(create_app(settings, load=lambda: fake), settings, host="127.0.0.1", port=0))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        until(lambda: server.started, "the server to start", seconds=5, every=0.01)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        wait_until_ready(host, port, settings.allowed_hosts[0].replace("*", "localhost"))
        yield server
    finally:
        server.should_exit = True
        thread.join(10)


def wait_until_ready(host: str, port: int, name: str) -> None:
    until(lambda: exchange(host, port, get("/readyz", host=name)).startswith(b"HTTP/1.1 200"), "the app to be ready")


def exchange(host: str, port: int, request: bytes) -> bytes:
    """Send `request` whole and read until the server closes the connection (at most 10 s)."""
    with socket.create_connection((host, port), timeout=10) as conn:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server may refuse before reading it all
            conn.sendall(request)
        return read_to_close(conn)


def read_to_close(conn: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := conn.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def get(path: str, *headers: str, host: str = "localhost") -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(path: str, body: bytes, host: str = "localhost") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\n"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


@pytest.fixture(scope="module")
def server(fake: Assistant) -> Iterator[tuple[str, int]]:
    with serving(fake, max_header_bytes=16_384, header_timeout_seconds=1.0) as address:
        yield address


# -- headers: size and time --------------------------------------------------------------------


def test_headers_within_the_limit_are_answered(server: tuple[str, int]) -> None:
    response = exchange(*server, get("/healthz", "X-Padding: " + "a" * 8_000))
    assert response.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("size", [20_000, 4 * 1024 * 1024])
def test_a_header_over_the_limit_gets_a_400_and_the_connection_closes(server: tuple[str, int], size: int) -> None:
    response = exchange(*server, get("/healthz", "X-Padding: " + "a" * size))
    assert response.startswith(b"HTTP/1.1 400"), response[:80]


def test_many_small_headers_add_up_to_the_limit(server: tuple[str, int]) -> None:
    response = exchange(*server, get("/healthz", *[f"X-Line-{n}: {'b' * 100}" for n in range(400)]))
    assert response.startswith(b"HTTP/1.1 400"), response[:80]


def test_a_client_trickling_its_headers_is_cut_off(server: tuple[str, int]) -> None:
    """One header line every 0.3 s would hold the connection for ever; the 1 s header deadline closes it."""
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        started = time.monotonic()
        closed = False
        for n in range(30):  # 9 s of trickling at most
            time.sleep(0.3)
            try:
                conn.sendall(f"X-Slow-{n}: x\r\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            conn.setblocking(False)
            try:
                closed = conn.recv(1) == b""
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed = True
            conn.setblocking(True)
            if closed:
                break
        assert closed, "the server kept a trickling connection open"
        assert time.monotonic() - started < 8


def test_an_idle_connection_that_never_sends_a_request_is_closed(server: tuple[str, int]) -> None:
    with socket.create_connection(server, timeout=10) as conn:
        assert read_to_close(conn) == b""  # closed by the server after the header deadline, not by our timeout


def test_keep_alive_requests_each_get_their_own_header_deadline(server: tuple[str, int]) -> None:
    with socket.create_connection(server, timeout=10) as conn:
        for _ in range(3):
            time.sleep(0.4)  # each request well within its deadline; together longer than one
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")


# -- keep-alive: the client closes an idle connection first -----------------------------------


def test_a_pooled_connection_a_client_still_trusts_is_answered_while_the_server_is_starved(fake: Assistant) -> None:
    """A client's pool (httpx's, like the load test's; a proxy's) reuses a connection idle for up to 5 s. Sent at
    4.8 s while the server's event loop is busy with other connections' reads (stretched by a starved CPU), the
    request waits unread; a server that timed out idle connections after 5 s would run that timer first and close
    the connection with the request unread, and the client would get a reset instead of a reply."""
    with running(fake) as server, httpx.Client(timeout=30, limits=httpx.Limits(keepalive_expiry=5.0)) as client:
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        url = f"http://{host}:{port}/v1/ask"
        assert client.post(url, json={"question": "cost"}).status_code == 200
        time.sleep(4.7)
        with stalled_reading(server, seconds=1.0):  # from 4.7 s to 5.7 s
            time.sleep(0.1)
            assert client.post(url, json={"question": "cost"}).status_code == 200


@contextmanager
def stalled_reading(server: uvicorn.Server, seconds: float) -> Iterator[None]:
    """Hold the server's event loop for `seconds` in a read callback, as a burst of other connections'
    requests does on a starved CPU: what arrives meanwhile stays unread, and timers that fall due run first."""
    loop = server.servers[0].get_loop()
    wake, waker = socket.socketpair()

    def stall() -> None:
        loop.remove_reader(wake)
        time.sleep(seconds)

    with wake, waker:
        loop.call_soon_threadsafe(loop.add_reader, wake, stall)
        time.sleep(0.05)  # the reader is in place
        waker.send(b"x")
        yield


# -- the Host header ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/ask/", "/sms/twilio/", "/admin/reload/"])
def test_a_trailing_slash_is_not_redirected_to_the_host_the_client_named(server: tuple[str, int], path: str) -> None:
    response = exchange(*server, post(path, b'{"question": "cost"}', host="evil.example"))
    head = response.split(b"\r\n\r\n", 1)[0].lower()
    assert response.startswith(b"HTTP/1.1 404"), response[:80]
    assert b"location:" not in head and b"evil.example" not in response


def test_only_the_configured_hosts_are_answered(fake: Assistant) -> None:
    with serving(fake, allowed_hosts="clinic.example,*.clinic.example") as address:
        assert exchange(*address, get("/healthz", host="clinic.example")).startswith(b"HTTP/1.1 200")
        assert exchange(*address, get("/healthz", host="www.clinic.example")).startswith(b"HTTP/1.1 200")
        assert exchange(*address, get("/healthz", host="evil.example")).startswith(b"HTTP/1.1 400")
