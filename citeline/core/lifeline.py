"""Child processes that end with the run that started them.

A run's children (the attribution workers, and through them multiprocessing's resource tracker, and
Prefect's temporary server) outlived a `kill -9` of the run, re-parented to PID 1, for as long as the
machine stayed up. Each child here watches its parent and kills itself once the parent is gone.

Why a watching thread and not the kernel's parent-death signal (prctl PR_SET_PDEATHSIG): Linux sends
that signal when the *thread* that started the child ends, not the process, and both the worker pool
(started by whichever Prefect task thread first attributes a big batch) and the temporary server
(started by a helper thread that ends once it answers) are started by threads that end long before
the run does: the signal would kill live workers and a serving API. The resource tracker needs nothing
of its own: it exits when the last holder of its pipe does, and the workers held it.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time

# How often a child looks at its parent: a dead run's children are gone within about this long.
POLL_SECONDS = 0.25


def die_with_parent(parent_pid: int) -> None:
    """In a child process: end this process (SIGKILL) once `parent_pid` is no longer its parent.
    Checked at once too, so a parent that died while the child was starting is not missed."""
    if os.getppid() != parent_pid:
        _end()
    threading.Thread(target=_watch, args=(parent_pid,), name="citeline-lifeline", daemon=True).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    _end()


def _end() -> None:
    # SIGKILL, not an exit: nothing a child holds is worth finishing for a run that is gone, and a
    # graceful shutdown (uvicorn's, a pool worker's) can itself wait.
    os.kill(os.getpid(), signal.SIGKILL)


def tied_command(command: list[str], parent_pid: int | None = None) -> list[str]:
    """`command` (`python -m MODULE ARGS...`, this interpreter) run so that it dies with `parent_pid`
    (default: this process); any other command is returned unchanged."""
    if len(command) < 3 or command[0] != sys.executable or command[1] != "-m":
        return command
    parent = os.getpid() if parent_pid is None else parent_pid
    return [sys.executable, "-m", __name__, str(parent), *command[1:]]


def _main(argv: list[str]) -> None:
    # python -m citeline.core.lifeline PARENT_PID -m MODULE ARGS...: MODULE runs as `python -m` would run it.
    if len(argv) < 3 or argv[1] != "-m":
        raise SystemExit("usage: python -m citeline.core.lifeline PARENT_PID -m MODULE [ARGS...]")
    die_with_parent(int(argv[0]))
    module = argv[2]
    sys.argv = [module, *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
