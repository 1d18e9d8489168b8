"""Time and peak memory of the attribution step on one long input, by size and by shape.

    .venv/bin/python benchmarks/long_input_benchmark.py               # 0.25, 1 and 5 MB of each shape
    .venv/bin/python benchmarks/long_input_benchmark.py --mb 1        # one size

`citeline attribute` must take any file, so its cost should grow in step with the input, whatever the input
looks like. Shapes, each built from the bundled demo corpus:
- prose: the demo articles' text, one after another, paragraphs kept;
- one line: the same text with every newline made a space (a paragraph the engine must cut into pieces);
- marks: quote marks and nothing else.
Each measurement runs in a fresh subprocess, so its peak memory (max RSS) is its own; the model load is
timed apart from the attribution.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

MEASURE = """
import json, resource, sys, time
started = time.perf_counter()
from transform.engine import attribute
attribute("Warm-up, the benchmark said.")
loaded = time.perf_counter() - started
text = open(sys.argv[1], encoding="utf-8").read()
started = time.perf_counter()
statements = attribute(text)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "load_seconds": loaded, "statements": len(statements),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def demo_text() -> str:
    """The demo corpus's article text, extracted as the pipeline does."""
    from citeline.core.workspace import demo_corpus
    from extract.extraction import extract_article

    texts = [extract_article(page.read_text(encoding="utf-8")).text for page in sorted(demo_corpus().glob("*.html"))]
    return "\n\n".join(text for text in texts if text)


def shaped(shape: str, size: int, prose: str) -> str:
    if shape == "marks":
        return ('"\u201c' * size)[:size]
    text = (prose * (size // len(prose) + 1))[:size]
    return text.replace("\n", " ") if shape == "one line" else text


def measure(path: Path) -> dict:
    run = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=PROJECT, capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, action="append", help="input size in millions of characters (repeatable)")
    args = parser.parse_args()
    sizes = args.mb or [0.25, 1.0, 5.0]
    prose = demo_text()
    print(f"{'shape':10}{'chars':>12}{'seconds':>10}{'chars/s':>10}{'statements':>12}{'peak MB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for shape in ("prose", "one line", "marks"):
            for mb in sizes:
                size = int(mb * 1_000_000)
                path = Path(folder) / "input.txt"
                path.write_text(shaped(shape, size, prose), encoding="utf-8")
                result = measure(path)
                print(f"{shape:10}{size:>12,}{result['seconds']:>10.1f}{size / result['seconds']:>10,.0f}"
                      f"{result['statements']:>12,}{result['peak_mb']:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
