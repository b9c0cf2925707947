"""A real Airflow deployment on loopback: scheduler, dag-processor, triggerer and api-server processes.

Everything runs against its own AIRFLOW_HOME with LocalExecutor; the processes are started as a user
would start them (the `airflow` CLI) and stopped by PID, their process groups included, so that no
worker or log server outlives the test or the demo that started them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tenacity

AIRFLOW_COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
REQUEST_TIMEOUT_SECONDS = 30
GET_ATTEMPTS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AirflowDeployment:
    home: Path
    dags_folder: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def env(self) -> dict[str, str]:
        # The test process's own Airflow settings (unit test mode, its database) must not leak in.
        inherited = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
        return {
            **inherited,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": "e2e-" + "x" * 60,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            **self.extra_env,
        }

    def airflow(self, *args: str) -> str:
        """Run an ``airflow`` CLI command to completion; its output, or an error carrying the output's end."""
        completed = subprocess.run(
            [sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True, text=True
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr)[-6000:]
            raise AssertionError(f"airflow {' '.join(args)} exited {completed.returncode}:\n{output}")
        return completed.stdout

    def migrate(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.airflow("db", "migrate")

    def start(self, components: tuple[str, ...] = AIRFLOW_COMPONENTS, wait: bool = True) -> None:
        """Start the components (all by default); unless told not to, wait until the api-server answers."""
        for component in components:
            args = [component, "--port", str(self.api_port)] if component == "api-server" else [component]
            self.start_process(component, *args)
        if wait:
            self.wait_until_serving()

    def start_process(self, name: str, *args: str) -> subprocess.Popen:
        """Start ``airflow <args>`` as the deployment's process ``name`` (logging to ``<home>/<name>.log``),
        in a session of its own, so that it can be stopped or killed with everything it starts."""
        log = (self.home / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.processes[name]

    def kill(self, name: str) -> None:
        """SIGKILL the process ``name`` and every process it started, as when its machine dies.

        Its whole tree, not only its process group: Airflow's task processes lead groups of their own.
        The tree is stopped first, until no new process joins it, so that none escapes by forking.
        """
        process = self.processes[name]
        stopped: set[int] = set()
        while pids := set(process_tree(process.pid)) - stopped:
            for pid in pids:
                _signal(pid, signal.SIGSTOP)
            stopped |= pids
        for pid in stopped:
            _signal(pid, signal.SIGKILL)
        process.wait()

    def wait_until_serving(self) -> None:
        self.wait_until(lambda: self.request("GET", "/api/v2/monitor/health") is not None, timeout=120)

    def stop(self) -> None:
        # A group whose leader has exited may still hold processes (a worker's task processes): signal it too.
        for process in self.processes.values():
            _signal(-process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal(-process.pid, signal.SIGKILL)
            process.wait()

    def alive(self) -> dict[str, bool]:
        return {name: process.poll() is None for name, process in self.processes.items()}

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """The REST API's JSON answer; None while the api-server is not listening or the path is 404.

        A GET that gets no answer within REQUEST_TIMEOUT_SECONDS is sent again, up to GET_ATTEMPTS
        times: on a loaded machine (CI runs the deployment beside the other test layers on two cores)
        the api-server may be starved for that long, and a GET is safe to repeat. Any other method is
        sent once, since its first attempt may have taken effect.
        """
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.api_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        attempts = GET_ATTEMPTS if method == "GET" else 1
        send = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TimeoutError),
            stop=tenacity.stop_after_attempt(attempts),
            reraise=True,
        )
        try:
            text = send(_answer, request)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise AssertionError(f"{method} {path}: HTTP {error.code}: {error.read().decode()}") from error
        except (urllib.error.URLError, ConnectionError):
            return None
        except TimeoutError as error:
            raise AssertionError(
                f"{method} {path}: no answer in {attempts} attempts of {REQUEST_TIMEOUT_SECONDS} s"
            ) from error
        return json.loads(text) if text else {}

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        """The task's log as the UI shows it, the triggerer's part included."""
        task_path = f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances/{task_id}"
        answer = self.request("GET", f"{task_path}/logs/{try_number}?full_content=true")
        content = answer.get("content", []) if answer else []
        return "\n".join(
            entry.get("event", "") if isinstance(entry, dict) else str(entry) for entry in content
        )

    @staticmethod
    def wait_until(condition, timeout: float, interval: float = 1.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(interval)
        raise TimeoutError(f"condition not met within {timeout} s")


def _answer(request: urllib.request.Request) -> str:
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
        text: str = response.read().decode()
        return text


def process_trees(roots: Iterable[int]) -> dict[int, list[int]]:
    """Each root pid with its live descendants, from one reading of /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # stat's fields after the command (which may hold spaces and parentheses): state, ppid, ...
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    trees = {}
    for root in roots:
        tree, pending = [], [root]
        while pending:
            current = pending.pop()
            tree.append(current)
            pending.extend(children.get(current, ()))
        trees[root] = tree
    return trees


def process_tree(pid: int) -> list[int]:
    """``pid`` and its live descendants."""
    return process_trees([pid])[pid]


def _signal(target: int, signum: int) -> None:
    """Signal a process, or with a negative ``target`` a process group; nothing if none is left."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(target, signum)
