"""Attribution in worker processes gives exactly what it gives in-process, in the same order."""

from transform.engine import attribute_many
from transform.parallel import MIN_TEXTS_FOR_WORKERS, attribute_texts


def test_workers_return_the_same_statements_in_order():
    texts = [f'"Plan {i} is ready," the mayor said. Officials said that plan {i} cost {i} euros.' for i in range(MIN_TEXTS_FOR_WORKERS + 10)]
    texts[7] = ""  # an empty article keeps its place
    parallel = attribute_texts(texts, workers=2)
    assert parallel == list(attribute_many(texts))
    assert parallel[7] == [] and len(parallel[8]) == 2
