"""`bastion serve` as an operator runs it: a real subprocess whose output tests read."""

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path


class ServeProcess:
    """`bastion serve` in a subprocess; a thread collects its stdout lines."""

    def __init__(self, data_dir: Path, port: int, database_url: str | None = None) -> None:
        env = {
            **os.environ,
            "BASTION_DATA_DIR": str(data_dir),
            "BASTION_PORT": str(port),
            "BASTION_LOG_LEVEL": "WARNING",
        }
        env.pop("BASTION_DATABASE_URL", None)
        if database_url:
            env["BASTION_DATABASE_URL"] = database_url
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bastion.cli.main", "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        self.seen = ""

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def read_until(self, marker: str, timeout: float = 30) -> str:
        """Output up to the line containing ``marker``; fails on exit or deadline."""
        deadline = time.monotonic() + timeout
        while marker not in self.seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {marker!r} in the server's output:\n{self.seen}")
            try:
                self.seen += self.lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    raise AssertionError(f"server exited; output:\n{self.seen}") from None
        return self.seen

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.pump.join(timeout=5)  # ends at EOF, once the process has exited
        assert self.process.stdout is not None
        self.process.stdout.close()
