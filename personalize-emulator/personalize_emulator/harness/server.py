"""Server mode: ``personalize-emulator --host 127.0.0.1 --port PORT``.

moto's server (every moto service: S3, IAM, STS, ...) with the Personalize emulator installed before
the first request. ``--port 0`` binds a free port. Once listening it prints one line,
``personalize-emulator ready on http://HOST:PORT``, so a supervisor knows when, and where, to connect.
SIGTERM and SIGINT stop it cleanly (exit status 0). Faults to inject (``faults.py``) and the account's
applied quota values (``account_quotas.py``) are read from the environment as it starts. Connections are
kept alive for many requests (``http_server.py``). moto's server application needs Flask, and the server
is waitress: the ``server`` extra installs both; without them the command says which extra to install.
"""

import argparse
import signal
import sys
import warnings
from types import FrameType
from typing import Any

READY_LINE_PREFIX = "personalize-emulator ready on "
SERVER_EXTRA_INSTALL = "pip install 'personalize-emulator[server]'"


def require_server_extra() -> Any:
    """moto's server application module; ImportError naming the extra to install when it, or the server
    (waitress), is missing."""
    try:
        with warnings.catch_warnings():  # moto warns before it raises; the error below says it all
            warnings.simplefilter("ignore")
            import moto.moto_server.werkzeug_app as werkzeug_app
        import waitress  # noqa: F401  (the server, imported once the arguments are read)
    except ImportError as error:
        raise ImportError(
            f"The Personalize emulator's HTTP server needs moto's server dependencies and waitress "
            f"({error}). "
            f"Install them with: {SERVER_EXTRA_INSTALL}"
        ) from error
    return werkzeug_app


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="personalize-emulator",
        description="A local Amazon Personalize service, with moto's S3, IAM and STS, over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port to bind; 0 picks a free one")
    args = parser.parse_args(argv)
    try:
        werkzeug_app = require_server_extra()
    except ImportError as error:
        parser.exit(2, f"personalize-emulator: {error}\n")

    # The emulator loads once the arguments are read, so that --help, and the pytest plugin reading this
    # module's constants, stay light.
    from . import account_quotas, faults
    from .http_server import EmulatorHTTPServer
    from .patches import install

    install()
    faults.configure_from_environment()
    account_quotas.configure_from_environment()
    app = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    server = EmulatorHTTPServer(app, args.host, args.port)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    print(f"{READY_LINE_PREFIX}http://{args.host}:{server.effective_port}", flush=True)
    try:
        server.run()
    finally:
        server.close()


if __name__ == "__main__":
    main()
