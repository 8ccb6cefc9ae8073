"""The runtime mode runs each file's models in a child process, so that the model's own code can
neither hang the run, end it, nor write into shapecheck's output.

The child has its output sent to /dev/null (its file descriptors 0, 1 and 2 too), a memory limit
where the OS allows one, and a time limit for each step: running the file's statements, building
each model, running each model's input.  Its verdicts come back over a pipe as plain data, one
model at a time.  When the child stops before a model's verdict (out of time, `os._exit`, a
signal) that model gets one verdict saying so, and the models after it run in a fresh child.

It starts by fork where that is safe (Linux, a CPU or meta device: torch is already imported and
nothing is copied), else by spawn (CUDA cannot run in a forked child).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence

from .run import RuntimeRequest, RuntimeResult

DEFAULT_SECONDS = 30.0
START_SECONDS = 120.0  # a spawned child imports torch before its first step
_SILENT, _CLOSED = "silent", "closed"
_STEPS = {"started": "while the file's top-level statements ran", "defined": "while being built",
          "built": "while running its input"}


@dataclass(frozen=True)
class Limits:
    """What a model's process may take: seconds for each step, bytes of memory beyond what the
    process holds when it starts (None: half of the machine's memory), and how it starts (None:
    fork where that is safe, else spawn)."""

    seconds: float = DEFAULT_SECONDS
    memory: Optional[int] = None
    start: Optional[str] = None


def start_method(device: str) -> str:
    """fork on Linux for cpu and meta; spawn for CUDA and MPS (their drivers do not survive a
    fork) and on other systems."""
    safe = sys.platform.startswith("linux") and not device.startswith(("cuda", "mps"))
    return "fork" if safe else "spawn"


def run_file(path: str, source: str, requests: Sequence[RuntimeRequest], device: str, dtype: str,
             limits: Limits = Limits()) -> List[RuntimeResult]:
    """`run.run_file` in child processes under ``limits``: one verdict for each request, always."""
    results: List[RuntimeResult] = []
    while len(results) < len(requests):
        results += _run_child(path, source, requests[len(results):], device, dtype, limits)
    return results


def _run_child(path, source, requests, device, dtype, limits: Limits) -> List[RuntimeResult]:
    """The verdicts of one child: each request's until the child stops, then one for the model it
    stopped in (for all of them when it stopped in the file's statements or before)."""
    context = multiprocessing.get_context(limits.start or start_method(device))
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(writer, path, source, list(requests), device, dtype,
                                                   _budget(limits, device)), daemon=True)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # a forked child must not write what the parent has not yet
    process.start()
    writer.close()
    try:
        return _collect(reader, process, requests, device, limits)
    finally:
        reader.close()
        _stop(process)


def _collect(reader, process, requests, device: str, limits: Limits) -> List[RuntimeResult]:
    results: List[RuntimeResult] = []
    step = "starting"
    while len(results) < len(requests):
        kind, value = _receive(reader, START_SECONDS if step == "starting" else limits.seconds)
        if kind in (_SILENT, _CLOSED):
            return results + _stopped(process, step, requests[len(results):], device, limits, kind == _SILENT)
        if kind == "result":
            results.append(value)
            step = "defined"
        else:
            step = kind
    return results


def _receive(reader, seconds: float) -> tuple:
    """The child's next message: (kind, value); kind is _SILENT when it sent none in time, _CLOSED
    when it can send no more."""
    try:
        return reader.recv() if reader.poll(seconds) else (_SILENT, None)
    except Exception:  # the pipe closed, or bytes the model's code wrote into it
        return _CLOSED, None


def _stopped(process, step: str, pending, device: str, limits: Limits, silent: bool) -> List[RuntimeResult]:
    if not silent:
        process.join(limits.seconds)  # the pipe closes just before the process ends
    if process.is_alive():
        _kill(process)
        how = f"did not finish within {limits.seconds:g} s"
    else:
        how = _ending(process.exitcode)
    if step == "starting":
        return [RuntimeResult(r.model, device, "unknown", [], None,
                              f"shapecheck could not start its runtime process ({how})") for r in pending]
    stopped = pending if step == "started" else pending[:1]
    return [RuntimeResult(r.model, device, "error", [], None,
                          f"{how} {_STEPS[step]}" + "; --runtime-timeout gives it longer" * how.startswith("did not"),
                          stopped=True) for r in stopped]


def _ending(exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the model's process was ended by {name}"
    return f"the model's code exited the process (exit status {exitcode})"


def _stop(process) -> None:
    process.join(1.0)
    if process.is_alive():
        _kill(process)


def _kill(process) -> None:
    """Kill the child and whatever it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, OSError):  # no process groups here, or the child had not made its own yet
        process.kill()
    process.join()


def _budget(limits: Limits, device: str) -> Optional[int]:
    """Bytes of address space the child may add; None where no limit is set: under CUDA, whose
    driver reserves far more address space than memory it uses, and where the OS has none."""
    if device.startswith(("cuda", "mps")) or not hasattr(os, "sysconf"):
        return None
    try:
        return limits.memory or os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError):
        return None


# In the child

def _child(channel, path, source, requests, device, dtype, budget: Optional[int]) -> None:
    _detach()
    from . import run as runtime

    runtime.load_torch()
    limit = _limit_memory(budget)
    steps = ["started"]

    def progress(step: str) -> None:
        steps.append(step)
        channel.send((step, None))

    channel.send(("started", None))
    for result in runtime.each_result(path, source, requests, device, dtype, progress):
        channel.send(("result", _out_of_memory(result, limit, _STEPS[steps[-1]])))
        steps.append("defined")


def _detach() -> None:
    """A process group of its own (killed as one), and the model's output sent nowhere."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    nowhere = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(nowhere, descriptor)
    os.close(nowhere)


def _limit_memory(budget: Optional[int]) -> Optional[int]:
    """Cap the address space at what the process holds now plus ``budget``; the cap in bytes, or
    None where the OS gives no such limit."""
    if budget is None:
        return None
    try:
        import resource

        with open("/proc/self/statm") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = held + budget if hard == resource.RLIM_INFINITY else min(held + budget, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        return None
    return budget


def _out_of_memory(result: RuntimeResult, budget: Optional[int], when: str) -> RuntimeResult:
    """An allocation refused by the memory limit, said as what it is."""
    message = result.message.lower()
    refused = message == "memoryerror" or "can't allocate memory" in message or "cannot allocate memory" in message
    if budget is None or result.status != "error" or not refused:
        return result
    return replace(result, stopped=True, message=f"ran out of memory {when}: the runtime mode gives a model "
                                                 f"{_size(budget)} ({result.message})")


def _size(count: int) -> str:
    return f"{count / 2 ** 30:.1f} GB" if count >= 2 ** 30 else f"{count / 2 ** 20:.0f} MB"
