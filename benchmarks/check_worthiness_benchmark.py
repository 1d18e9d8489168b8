"""Check-worthiness: F1 on the held-out part of ClaimBuster's training file, and statements/s on one core.

    .venv/bin/python benchmarks/check_worthiness_benchmark.py [--model DIR] [--data ../shared/claimbuster/train.jsonl] [--n 2000]
    .venv/bin/python benchmarks/check_worthiness_benchmark.py --run [--articles 295]

The held-out part is re-drawn from the model card's seed (the same stratified split training used), so the
F1 here checks the card's. Speed runs in a fresh process pinned to CPU 0 (taskset) with one thread for
onnxruntime and the numeric libraries, after a warm-up, and is reported three ways: end to end (the sentence
encoder and the classifier), the sentence encoder alone, and the classifier given embeddings a caller already
has (what scoring adds when the fact-check matcher has embedded the statements anyway).

With --run, what check-worthiness adds to a run: the demo corpus's articles are extracted, attributed and
their statements encoded as a batch is (warehouse.batch_rows), then scored as a batch is
(score_check_worthiness: statements from their vectors, the articles' own sentences found and scored), all
in one process on one core, each stage's CPU seconds reported; beside them, what the alternatives would cost:
encoding the article sentences for the TF-IDF + embedding model, and splitting sentences with spaCy's
sentencizer instead of the rule.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def held_out_scores(model_dir: Path, data: Path) -> dict:
    import numpy as np
    from sklearn.model_selection import train_test_split

    from transform.check_worthiness import load_model
    from transform.check_worthiness.training import read_examples, scores_at

    model = load_model(model_dir)
    card = model.card
    texts, y = read_examples(data)
    if card["training_data"]["limit"] is not None or card["training_data"]["sentences"] != len(texts):
        sys.exit("the model was trained on a subset or other data: its held-out part cannot be re-drawn here")
    _, held = train_test_split(np.arange(len(texts)), test_size=card["training_data"]["held_out_part"], stratify=y,
                               random_state=card["seed"])
    held = np.sort(held)
    p = model.score([texts[i] for i in held])
    return {"model_id": card["model_id"], "threshold": model.threshold, **scores_at(y[held], p, model.threshold)}


def speed_worker(model_dir: Path, data: Path, n: int) -> dict:
    from transform.check_worthiness import load_model
    from transform.check_worthiness.training import read_examples
    from transform.encoder import encode

    texts, _ = read_examples(data)
    texts = (texts * (n // len(texts) + 1))[:n]
    model = load_model(model_dir)
    model.score(texts[:64])  # warm-up: the encoder's session and the vocabulary are loaded once per process
    figures = {"statements": n, "mean_words": round(sum(len(t.split()) for t in texts) / n, 1)}
    embeddings = None

    def timed(name, work):
        # CPU seconds beside wall seconds: on a shared machine the wall clock counts other jobs' turns too.
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        figures[name] = {"per_wall_s": round(n / (time.perf_counter() - wall), 1), "per_cpu_s": round(n / (time.process_time() - cpu), 1)}
        return result

    timed("end_to_end", lambda: model.score(texts))
    embeddings = timed("encoder_alone", lambda: encode(texts))
    timed("given_embeddings", lambda: model.score(texts, embeddings=embeddings if model.uses_embedding else None))
    return figures


def run_worker(articles: int) -> dict:
    from citeline.core.workspace import demo_corpus
    from extract.collect import read_local_pages
    from extract.pages import extract_pages
    from flows.batches import bound_attribution
    from flows.run_config import AttributionSettings
    from transform.check_worthiness.model import SHIPPED_MODEL, cached_model
    from transform.check_worthiness.sentences import sentence_spans
    from transform.encoder import encode
    from transform.engine import ENGINE_VERSION, attribute_many
    from warehouse.batch_rows import rows_of_articles, score_check_worthiness, statement_vector_rows

    seconds: dict[str, float] = {}

    def timed(name, work):
        began = time.process_time()
        result = work()
        seconds[name] = round(time.process_time() - began, 3)
        return result

    pages = read_local_pages(sorted(demo_corpus().glob("*.html"))[:articles])
    found, _ = timed("extract", lambda: extract_pages(pages))
    texts = bound_attribution(found, AttributionSettings().max_chars)
    attribute_many(["Warm-up, the parser said."]).__next__()
    encode(["warm-up"])
    rows = rows_of_articles(found, timed("attribute", lambda: list(attribute_many(texts))), ENGINE_VERSION, None)
    rows.statement_vectors = timed("embed_statements", lambda: statement_vector_rows(rows))
    cached_model(str(SHIPPED_MODEL))
    score_check_worthiness(_a_few_of(rows))  # warm-up: both models loaded once per process
    timed("check_worthiness", lambda: score_check_worthiness(rows))
    claims = [row["text"] for row in rows.article_claims]
    timed("of_which_split_sentences", lambda: [list(sentence_spans(text)) for text in texts])
    timed("alternative_embed_article_sentences", lambda: encode(claims))
    timed("alternative_spacy_sentencizer", lambda: _sentencizer(texts))
    base = seconds["extract"] + seconds["attribute"] + seconds["embed_statements"]
    return {"articles": len(found), "statements": len(rows.statements), "article_claims": len(claims),
            "check_worthy_statements": sum(r["check_worthy"] for r in rows.statements),
            "check_worthy_article_claims": sum(r["check_worthy"] for r in rows.article_claims),
            "cpu_seconds": seconds,
            "check_worthiness_share_of_extract_attribute_embed": round(seconds["check_worthiness"] / base, 4),
            "statements_and_claims_scored_per_cpu_s": round((len(rows.statements) + len(claims)) / seconds["check_worthiness"], 1)}


def _a_few_of(rows):
    """The first few articles and statements of `rows`, to load the models before timing."""
    from warehouse.rows import RunRows

    return RunRows(articles=rows.articles[:5], statements=[dict(r) for r in rows.statements[:5]],
                   statement_vectors=rows.statement_vectors[:5])


def _sentencizer(texts: list[str]) -> int:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return sum(1 for text in texts for line in text.split("\n") if line.strip() for _ in nlp(line).sents)


def main() -> None:
    from transform.check_worthiness.model import SHIPPED_MODEL
    from transform.check_worthiness.training import DEFAULT_DATA

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    parser.add_argument("--data", type=Path, default=PROJECT.parent / DEFAULT_DATA.relative_to(".."))
    parser.add_argument("--n", type=int, default=2000, help="statements scored for the speed figures (default 2000)")
    parser.add_argument("--run", action="store_true", help="what scoring adds to a run over the demo corpus, instead")
    parser.add_argument("--articles", type=int, default=295, help="demo articles for --run (default all 295)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.articles) if args.run else speed_worker(args.model, args.data, args.n)))
        return
    if args.run:
        report = {}
        command = [sys.executable, __file__, "--worker", "--run", "--articles", str(args.articles)]
    else:
        report = {"held_out": held_out_scores(args.model, args.data)}
        command = [sys.executable, __file__, "--worker", "--model", str(args.model), "--data", str(args.data), "--n", str(args.n)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "CITELINE_ENCODER_THREADS": "1"}
    report["one_core"] = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
    report["load_average"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
