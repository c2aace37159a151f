"""A real SMTP server on loopback that keeps what it receives: the far end of npsloop's email
tests and benchmarks.

    python -m bench.smtp_sink [--port 2525] [--count-file PATH] [--recipients-file PATH]

Django's SMTP backend talks to it exactly as it would to a relay, so tests exercise the real
protocol (connection reuse, refusals, a server that hangs up) rather than the locmem outbox.
`mode` and `fail_recipients` can be changed while it runs, to make the relay misbehave in the
ways a sender has to survive.

From the command line it runs in the foreground until SIGTERM or SIGINT, then prints
{"accepted": N, "connections": M} and, with --count-file, writes the accepted count and the
Message-ID of every message (one per line after the count) for a benchmark in another process;
with --recipients-file, the recipients of every message, one message a line: the fault bench
tells an ask delivered twice by its address, since a resent email has a new Message-ID.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Awaitable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"
MODES = ("accept", "tempfail", "permfail", "drop")
TEMPFAIL_REPLY = "451 4.3.0 Try again later"
PERMFAIL_REPLY = "550 5.1.1 No such user"
# "<local@domain>" and what follows it, for the addresses senders actually use.
PLAIN_ADDRESS = re.compile(r"\s*<([\w.+=-]+@[\w.-]+)>(.*)", re.ASCII | re.DOTALL)


@dataclass(frozen=True)
class Received:
    """One accepted message, as the relay saw it: the envelope and the bytes after DATA."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @cached_property
    def message(self) -> EmailMessage:
        """Parsed on first use: parsing costs more than receiving, and a benchmark that only
        counts messages should not pay for it."""
        return BytesParser(policy=policy.default).parsebytes(self.raw)

    @property
    def message_id(self) -> str:
        """The Message-ID header ("" when missing), read from the headers alone with the
        legacy policy: a fifth of the cost of the modern one, which matters at exit of a
        benchmark that received a hundred thousand messages."""
        value = BytesHeaderParser().parsebytes(self.raw).get("Message-ID", "")
        return " ".join(str(value).split())


class SmtpSink:
    """An SMTP server on 127.0.0.1 in a background thread (aiosmtpd), recording every message
    it accepts. ``port=0`` picks a free port, known as ``.port`` once started."""

    def __init__(self, port: int = 0) -> None:
        self.host = HOST
        self.port = port
        self.fail_recipients: dict[str, str] = {}
        """Exact recipient address -> the reply given at RCPT for it, e.g. "452 4.2.2 Mailbox
        full". Replace or change it at any time; each RCPT reads it afresh."""
        self._mode = "accept"
        self._messages: list[Received] = []
        self._arrived = threading.Condition()
        self._connections = 0
        self._controller: _Controller | None = None

    @property
    def mode(self) -> str:
        """How DATA and RCPT are answered: "accept" (250), "tempfail" (451 to DATA),
        "permfail" (550 to every RCPT) or "drop" (hang up after the content, no reply)."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
        self._mode = mode  # one attribute store: atomic, the server thread sees old or new

    @property
    def messages(self) -> list[Received]:
        """A snapshot of the messages accepted so far, oldest first."""
        with self._arrived:
            return list(self._messages)

    @property
    def count(self) -> int:
        """How many messages were accepted (refused and dropped ones are not counted)."""
        with self._arrived:
            return len(self._messages)

    @property
    def connections(self) -> int:
        """How many SMTP sessions clients opened: 1 for a sender that reuses its connection."""
        with self._arrived:
            return self._connections

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Block until at least ``count`` messages were accepted; return them all."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(
                    f"expected at least {count} messages within {timeout} s, "
                    f"but {len(self._messages)} arrived"
                )
            return list(self._messages)

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError(f"the SMTP sink is already running on {self.host}:{self.port}")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            # Binding here, not in aiosmtpd, tells us the port that port=0 picked; a restart
            # after stop() gets the same address back.
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            self.port = listener.getsockname()[1]
            controller = _Controller(self, listener)
            controller.start()
        except BaseException:
            listener.close()
            raise
        with self._arrived:
            self._connections = 0  # Controller.start() opens one connection to check itself
        self._controller = controller

    def stop(self) -> None:
        """Stop listening and hang up on open sessions; a no-op when not running."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _refusal_for(self, address: str) -> str | None:
        if self._mode == "permfail":
            return PERMFAIL_REPLY
        return self.fail_recipients.get(address)

    def _opened(self) -> None:
        with self._arrived:
            self._connections += 1

    def _store(self, received: Received) -> None:
        with self._arrived:
            self._messages.append(received)
            self._arrived.notify_all()


class _Handler:
    """aiosmtpd's hooks, kept to a few attribute reads so one client can send thousands of
    messages a second."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self._sink._refusal_for(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mode = self._sink.mode
        if mode == "tempfail":
            return TEMPFAIL_REPLY
        if mode == "drop":
            assert server.transport is not None
            # The reply aiosmtpd then writes goes nowhere: the transport is already closing.
            server.transport.close()
            return "250 OK"
        assert envelope.mail_from is not None and isinstance(envelope.original_content, bytes)
        self._sink._store(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 OK"


class _Session(SMTP):
    """aiosmtpd's SMTP session with a fast path for plain addresses in MAIL and RCPT.

    aiosmtpd parses every address with the email package's RFC 5322 parser (and builds a
    class per call), which costs more than all the rest of a message; plain <local@domain>
    addresses are read with a regular expression and anything else still goes to aiosmtpd.
    """

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        plain = PLAIN_ADDRESS.fullmatch(arg)
        if plain is None:
            return super()._getaddr(arg)
        return plain[1], plain[2]


class _Controller(Controller):
    """aiosmtpd's threaded controller on a socket we bound, counting sessions as they open."""

    def __init__(self, sink: SmtpSink, listener: socket.socket) -> None:
        # A fixed server name: otherwise every session starts with socket.getfqdn(), a DNS
        # lookup that can take seconds on a machine without a resolver.
        super().__init__(_Handler(sink), hostname=sink.host, port=sink.port, server_hostname=HOST)
        self._sink = sink
        self._listener = listener

    def _create_server(self) -> Awaitable[Any]:
        return self.loop.create_server(self._factory_invoker, sock=self._listener)

    def factory(self) -> SMTP:
        self._sink._opened()
        return _Session(self.handler, **self.SMTP_kwargs)


def write_count_file(path: Path, received: list[Received]) -> None:
    """The count, then one Message-ID per line; written whole (rename) so a reader in another
    process never sees half of it."""
    lines = [str(len(received)), *(item.message_id for item in received)]
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)


def write_recipients_file(path: Path, received: list[Received]) -> None:
    """Each message's recipients (comma-separated), one message a line, written whole."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text("".join(",".join(item.rcpt_tos) + "\n" for item in received), "utf-8")
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.smtp_sink",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=2525, help="0 picks a free port (printed)")
    parser.add_argument("--count-file", type=Path, help="where to write the count on exit")
    parser.add_argument(
        "--recipients-file", type=Path, help="where to write each message's recipients on exit"
    )
    args = parser.parse_args(argv)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    sink = SmtpSink(port=args.port)
    try:
        sink.start()
    except (OSError, OverflowError) as error:
        print(f"cannot listen on {HOST}:{args.port}: {error}", file=sys.stderr)
        return 2
    print(f"listening on {sink.host}:{sink.port}", flush=True)
    try:
        while not stopping.wait(1):
            pass
    finally:
        sink.stop()
    received = sink.messages
    if args.count_file is not None:
        write_count_file(args.count_file, received)
    if args.recipients_file is not None:
        write_recipients_file(args.recipients_file, received)
    print(json.dumps({"accepted": len(received), "connections": sink.connections}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
