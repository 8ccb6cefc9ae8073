"""How quickly `shapecheck server` answers an editor, measured over stdio from a real client
(pygls's), as an editor would see it:

1. a change → its diagnostics: a 300-line model file is opened, then edited again and again (one
   digit of an nn.Linear, so that a finding comes and goes), each edit made after the previous one's
   diagnostics came back and 0.2 s later (a change on its own: the server's throttle holds back only
   the changes that follow another within 0.15 s); the time from sending didChange to receiving the
   publishDiagnostics of that version.  Target: median ≤ 50 ms;
2. a hover on a warm file (its text checked already): the time of a hover request on a tensor
   name, a layer attribute and a layer constructor in turn.  Target: median ≤ 20 ms.

    python benchmarks/server.py [--edits 60] [--hovers 60] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import lenet  # noqa: E402  (the generated LeNets of bench.py's model tree)

PAUSE = 0.2  # seconds between two edits: more than the server's CHANGE_INTERVAL
IMPORTS = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def model_file(lines: int = 300, seed: int = 3) -> str:
    """LeNets with their training loops, in one module, until it is ``lines`` long; the last line
    builds and calls the first model."""
    rng = random.Random(seed)
    parts = [IMPORTS]
    index = 0
    while sum(part.count("\n") for part in parts) < lines - 3:
        parts.append(lenet(rng, index, buggy=False).replace(IMPORTS, "\n"))
        index += 1
    text = "".join(parts)
    return "\n".join(text.splitlines()[:lines - 2]) + "\n\nnet = LeNet0()\n"


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("shapecheck-bench", "1")
        self.arrived: Dict[Tuple[str, int], float] = {}
        self.found: Dict[Tuple[str, int], list] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(client: "Client", params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            self.arrived[key] = time.perf_counter()
            self.found[key] = params.diagnostics

    async def diagnostics_of(self, uri: str, version: int, timeout: float = 30) -> float:
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.arrived:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no diagnostics for version {version}")
            await asyncio.sleep(0.0005)
        return self.arrived[(uri, version)]


def linear_digit(text: str) -> types.Position:
    """The place of the first digit of the first nn.Linear's in_features."""
    for number, line in enumerate(text.splitlines()):
        column = line.find("nn.Linear(")
        if column >= 0:
            return types.Position(line=number, character=column + len("nn.Linear("))
    raise ValueError("no nn.Linear")


async def measure(edits: int, hovers: int) -> dict:
    client = Client()
    await client.start_io(sys.executable, "-m", "shapecheck", "server")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    with tempfile.TemporaryDirectory(prefix="shapecheck-bench-server-") as tmp:
        text = model_file()
        path = Path(tmp) / "models.py"
        path.write_text(text)
        uri = from_fs_path(str(path))
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        await client.diagnostics_of(uri, 1)
        change = await _changes(client, uri, text, edits)
        hover = await _hovers(client, uri, text, hovers)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"file_lines": text.count("\n"), "change_ms": change, "hover_ms": hover}


async def _changes(client: Client, uri: str, text: str, edits: int) -> dict:
    at = linear_digit(text)
    written = text.splitlines()[at.line][at.character]
    took, errors = [], 0
    for version in range(2, edits + 2):
        digit = "9" if version % 2 == 0 else written  # a wrong in_features, then the right one again
        await asyncio.sleep(PAUSE)
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=at, end=types.Position(line=at.line, character=at.character + 1)),
                text=digit)]))
        took.append((await client.diagnostics_of(uri, version) - sent) * 1000)
        errors += bool(client.found[(uri, version)]) == (version % 2 == 0)
    if errors != edits:
        raise AssertionError("the edits did not give the findings they should have")
    return _summary(took)


async def _hovers(client: Client, uri: str, text: str, hovers: int) -> dict:
    lines = text.splitlines()
    places = [types.Position(line=n, character=line.index("x =") if "x =" in line else line.index("self.conv1"))
              for n, line in enumerate(lines) if "x = self.pool" in line or "self.conv1 = " in line]
    places += [linear_digit(text)]
    took, answered = [], 0
    for i in range(hovers):
        sent = time.perf_counter()
        answer = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=places[i % len(places)]))
        took.append((time.perf_counter() - sent) * 1000)
        answered += answer is not None
    if answered != hovers:
        raise AssertionError(f"{hovers - answered} hovers had no answer")
    return _summary(took)


def _summary(samples: List[float]) -> dict:
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 1), "p90": round(ordered[int(len(ordered) * 0.9)], 1),
            "runs": len(ordered)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=60, help="edits timed (default 60)")
    parser.add_argument("--hovers", type=int, default=60, help="hovers timed (default 60)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    figures = asyncio.run(measure(args.edits, args.hovers))
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    change, hover = figures["change_ms"], figures["hover_ms"]
    print(f"a {figures['file_lines']}-line model file over stdio\n"
          f"didChange -> publishDiagnostics: median {change['median']} ms, p90 {change['p90']} ms "
          f"({change['runs']} edits; target median <= 50 ms)\n"
          f"hover on a warm file: median {hover['median']} ms, p90 {hover['p90']} ms "
          f"({hover['runs']} hovers; target median <= 20 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
