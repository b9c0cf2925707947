"""moto's WSGI application served by waitress: HTTP/1.1 keep-alive, many clients, one process.

moto's state lives in the process, so one process serves every client, on threads. werkzeug's development
server, which moto's own server uses, closes every connection after one answer and starts a thread per
connection: every request of every client paid a TCP handshake and a thread start. waitress keeps
connections open, reads and writes every socket on one thread (a stalled or slow client holds no request
thread) and runs the application on a pool of threads.

What moto's server mode had from werkzeug's server, and waitress does not give as such, is kept: the request
URI as sent (``RAW_URI``: S3 keys keep an encoded slash) and S3 metadata headers whose names have
underscores, which waitress drops on parsing (``patches.keep_what_moto_reads`` puts both where moto looks
for them); and response header names as the application spells them, which waitress capitalizes.
waitress closes the connection after an answer without a length, a 204 (S3's DeleteObject); every
Personalize answer has one.
"""

import logging
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import WSGITask

from .patches import keep_what_moto_reads

# moto's work is Python run under one interpreter lock, so more threads add no throughput; they let a request
# that waits (injected latency, a large S3 body) not queue the others behind it. More requests at once than
# threads wait their turn, as they would for the lock: waitress's warning for each of them ("Task queue
# depth is N", on every request of a busy server) is left unsaid.
REQUEST_THREADS = 32
# Open connections at once; waitress stops accepting more (they wait in the backlog) until some close.
# A deployment's workers, triggerers and API server each keep a pool of connections.
CONNECTION_LIMIT = 1000
# S3 takes a single PUT of up to 5 GB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html);
# waitress's default refuses bodies over 1 GiB.
MAX_REQUEST_BODY_BYTES = 5 * 1024**3


class _HeaderKeepingParser(HTTPRequestParser):
    """waitress's request parser, which also keeps the headers it drops: those with an underscore."""

    underscored_headers: list[tuple[str, str]]  # set with the headers, before the request is served

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)  # validates every line, so the lines below are well formed
        self.underscored_headers = []
        for line in header_plus.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if "_" in name:
                self.underscored_headers.append((name, value.strip(" \t")))


def _capitalized(name: str) -> str:
    """A header name as waitress writes it."""
    return "-".join(part.capitalize() for part in name.split("-"))


class _MotoTask(WSGITask):
    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        keep_what_moto_reads(environ, self.request.request_uri, self.request.underscored_headers)
        return environ

    def build_response_header(self) -> bytes:
        """waitress's response head, with header names spelled as the application spelled them.

        waitress capitalizes them; clients read S3 metadata names from them (``x-amz-meta-batch-id`` is the
        key ``batch-id``, as S3 sends it, not ``Batch-Id``).
        """
        spelled = {
            _capitalized(name).encode("latin-1"): name.encode("latin-1") for name, _ in self.response_headers
        }
        status_line, *lines = super().build_response_header().split(b"\r\n")
        for index, line in enumerate(lines):
            name, separator, value = line.partition(b": ")
            if name in spelled:
                lines[index] = spelled[name] + separator + value
        return b"\r\n".join([status_line, *lines])


class _MotoChannel(HTTPChannel):
    parser_class = _HeaderKeepingParser
    task_class = _MotoTask


class EmulatorHTTPServer(TcpWSGIServer):
    """One listening socket on ``host:port`` (port 0: a free one, then ``effective_port``); ``run()`` serves
    until SystemExit or KeyboardInterrupt (a signal handler's), then stops its threads and returns."""

    channel_class = _MotoChannel

    def __init__(self, application: Any, host: str, port: int) -> None:
        super().__init__(
            application,
            host=host,
            port=port,
            threads=REQUEST_THREADS,
            connection_limit=CONNECTION_LIMIT,
            asyncore_use_poll=True,  # select() cannot watch sockets numbered above 1023
            max_request_body_size=MAX_REQUEST_BODY_BYTES,
        )
        self.task_dispatcher.queue_logger.setLevel(logging.ERROR)
