"""Check a built personalize-emulator wheel as a user meets it: installed alone, in a fresh environment.

    python scripts/check_wheel.py path/to/personalize_emulator-*.whl

Creates a virtual environment with uv (``UV``, default ``uv``) in a temporary directory, and there:

1. installs the wheel without extras, and checks that Airflow and the provider are absent, that the
   in-process mock serves a Personalize call, and that ``personalize-emulator`` fails with a message naming
   the ``server`` extra;
2. installs the wheel with the ``server`` extra, starts ``personalize-emulator --port 0``, creates and
   describes a dataset group over HTTP, and stops the server with SIGTERM (exit status 0).

Each step prints what it ran and saw; any failure exits non-zero. Dependencies come from the package index
(or uv's cache), as a user's would.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

UV = os.environ.get("UV", "uv")
READY = "personalize-emulator ready on "

IN_PROCESS = """
import boto3, personalize_emulator
from personalize_emulator import mock_personalize
with mock_personalize():
    personalize = boto3.client("personalize", region_name="us-east-1")
    group = personalize.create_dataset_group(name="wheel")["datasetGroupArn"]
    print(personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"])
print(personalize_emulator.__file__)
"""

OVER_HTTP = """
import sys, boto3
personalize = boto3.client("personalize", region_name="us-east-1", endpoint_url=sys.argv[1])
group = personalize.create_dataset_group(name="wheel")["datasetGroupArn"]
print(personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"])
"""

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def check(condition: bool, what: str, detail: str = "") -> None:
    print(f"{'ok' if condition else 'FAILED'}: {what}", flush=True)
    if not condition:
        sys.exit(f"{what}\n{detail}")


def main(wheel: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="personalize-emulator-wheel-") as directory:
        venv = Path(directory) / "venv"
        python = str(venv / "bin" / "python")
        env = {**os.environ, **CREDENTIALS, "VIRTUAL_ENV": str(venv)}
        env.pop("PYTHONPATH", None)
        created = run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)])
        check(created.returncode == 0, "fresh venv", created.stderr)

        installed = run([UV, "pip", "install", "--quiet", "--python", python, str(wheel)], env=env)
        check(installed.returncode == 0, f"installs {wheel.name}", installed.stderr)
        for absent in ("airflow", "airflow_provider_personalize", "flask"):
            probe = f"import importlib.util; print(importlib.util.find_spec({absent!r}))"
            found = run([python, "-c", probe], env=env, cwd=directory)
            check(found.stdout.strip() == "None", f"{absent} is not installed", found.stdout + found.stderr)
        mocked = run([python, "-c", IN_PROCESS], env=env, cwd=directory)
        check(
            mocked.returncode == 0
            and mocked.stdout.startswith("CREATE PENDING")
            and str(venv) in mocked.stdout,
            "mock_personalize() serves Personalize from the installed wheel",
            mocked.stdout + mocked.stderr,
        )
        refused = run([str(venv / "bin" / "personalize-emulator"), "--port", "0"], env=env)
        check(
            refused.returncode == 2 and "personalize-emulator[server]" in refused.stderr,
            "without the server extra, personalize-emulator names the extra to install",
            refused.stderr,
        )
        print(refused.stderr.strip())

        with_server = run([UV, "pip", "install", "--quiet", "--python", python, f"{wheel}[server]"], env=env)
        check(with_server.returncode == 0, "installs the server extra", with_server.stderr)
        server = subprocess.Popen(
            [str(venv / "bin" / "personalize-emulator"), "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            check(line.startswith(READY), "personalize-emulator starts and listens", line)
            endpoint = line[len(READY) :].strip()
            print(line.strip())
            served = run([python, "-c", OVER_HTTP, endpoint], env=env, cwd=directory)
            check(
                served.returncode == 0 and served.stdout.strip() == "CREATE PENDING",
                f"a boto3 client creates and describes a dataset group at {endpoint}",
                served.stdout + served.stderr,
            )
            server.send_signal(signal.SIGTERM)
            check(server.wait(timeout=10) == 0, "SIGTERM stops the server with exit status 0")
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    print(json.dumps({"wheel": wheel.name, "bytes": wheel.stat().st_size, "checks": "passed"}))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
