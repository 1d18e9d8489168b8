"""Dumps of fact-checks → FactCheck records: a ClaimReview JSON(-LD) feed (a schema.org DataFeed, as Data
Commons publishes its fact-check feed; also a bare list or an @graph) and the CheckThat! 2020 layout
(verified_claims.docs.tsv). Pure functions over a file's bytes; a file that is neither, or too large, raises
NotAFactCheckFeed naming it; a bad item inside a good file is a recorded Reason, as on pages."""

from __future__ import annotations

import csv
import io
from datetime import date

from extract.claimreview import (
    DEFAULT_LIMITS,
    ClaimReviewLimits,
    ClaimReviews,
    FactCheck,
    Reason,
    ReviewReader,
    claimreview_nodes,
    dedupe,
    fact_check_id,
    id_index,
    load_json,
    note_cap,
)

# CheckThat! 2020's verified claims are all Snopes fact-checks (its README); its rows carry no rating.
CHECKTHAT_REVIEWER = "Snopes"
CHECKTHAT_LANGUAGE = "en"


class NotAFactCheckFeed(ValueError):
    """The file is not a fact-check dump citeline reads, or is larger than the limit; the message names it."""


def read_factcheck_file(body: bytes, source: str, limits: ClaimReviewLimits = DEFAULT_LIMITS,
                        today: date | None = None) -> ClaimReviews:
    """A ClaimReview feed or a CheckThat! verified_claims file, told apart by content; `source` names the
    file or URL (in reasons, errors and each record's found_at)."""
    _check_size(body, source, limits)
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return read_claimreview_feed(body, source, limits, today)
    if _checkthat_header(body):
        return read_checkthat_claims(body, source, limits)
    raise NotAFactCheckFeed(f"{source}: neither a ClaimReview JSON feed nor a CheckThat! verified_claims.docs.tsv")


def read_claimreview_feed(body: bytes, source: str, limits: ClaimReviewLimits = DEFAULT_LIMITS,
                          today: date | None = None) -> ClaimReviews:
    """Every ClaimReview in a JSON(-LD) document: a DataFeed's dataFeedElement items, a list, an @graph, or
    reviews nested anywhere; a DataFeedItem's url is the review URL when its review names none."""
    _check_size(body, source, limits)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotAFactCheckFeed(f"{source}: not UTF-8 ({error.reason} at byte {error.start})") from None
    data, problem = load_json(text)
    if problem:
        raise NotAFactCheckFeed(f"{source}: not JSON ({problem})")
    found = ClaimReviews()
    nodes = list(claimreview_nodes(data, limits, found.reasons, source))
    note_cap(nodes, limits.max_feed_reviews, source, found.reasons)
    index = id_index(data)
    builder = ReviewReader(limits, today or date.today(), found.reasons)
    for node, fallback in nodes[: limits.max_feed_reviews]:
        record = builder.record(node, index, origin="claimreview-feed", found_at=source, base_url=None,
                                fallback_url=fallback, language=None,
                                # Without any URL, the claim alone names it: the file it came in must not.
                                id_key="claimreview-feed")
        if record is not None:
            found.records.append(record)
    found.records = dedupe(found.records, found.reasons)
    return found


def read_checkthat_claims(body: bytes, source: str, limits: ClaimReviewLimits = DEFAULT_LIMITS) -> ClaimReviews:
    """Rows of a CheckThat! 2020 verified_claims.docs.tsv (vclaim_id, vclaim, title: tab-separated, CSV-quoted,
    claims may span lines): claim and headline, verdict other (no rating), reviewer Snopes, no review URL."""
    _check_size(body, source, limits)
    found = ClaimReviews()
    if not _checkthat_header(body):
        raise NotAFactCheckFeed(f"{source}: no CheckThat! header (a first line of vclaim_id or nothing, vclaim, title)")
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig", errors="replace")), delimiter="\t")
    next(reader)
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # a field past the csv module's size limit, a stray NUL: the rest cannot be split into rows
            found.reasons.append(Reason("bad_row", f"{source}: line {reader.line_num}: {error}; the rest of the file not read"))
            break
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > limits.max_feed_reviews:
            continue
        record = _checkthat_record(row, reader.line_num, source, limits, found.reasons)
        if record is not None:
            found.records.append(record)
    note_cap(range(rows), limits.max_feed_reviews, source, found.reasons)
    found.records = dedupe(found.records, found.reasons)
    return found


def _checkthat_record(row: list[str], line: int, source: str, limits: ClaimReviewLimits,
                      reasons: list[Reason]) -> FactCheck | None:
    vclaim_id, claim, title = ([cell.strip() for cell in row] + ["", "", ""])[:3]
    if len(row) > 3:
        reasons.append(Reason("wrong_type", f"{source}: line {line}: {len(row)} columns, the first 3 read"))
    if not vclaim_id or not claim:
        reasons.append(Reason("bad_row", f"{source}: line {line}: no {'vclaim_id' if not vclaim_id else 'claim'}; skipped"))
        return None
    where = f"{source}: vclaim {vclaim_id[:40]}"
    claim, title = (_cap(" ".join(text.split()), name, where, limits, reasons) for text, name in ((claim, "vclaim"), (title, "title")))
    return FactCheck(
        fact_check_id=fact_check_id(None, claim, f"checkthat2020:{vclaim_id}"),
        claim_reviewed=claim, claim_author=None, claim_date=None, claim_appearances=(),
        rating_text=None, rating_value=None, best_rating=None, worst_rating=None, verdict="other",
        reviewer=CHECKTHAT_REVIEWER, review_date=None, review_url=None, review_headline=title or None,
        language=CHECKTHAT_LANGUAGE, origin="checkthat2020", found_at=source, origin_id=vclaim_id,
    )


def _cap(text: str, name: str, where: str, limits: ClaimReviewLimits, reasons: list[Reason]) -> str:
    if len(text) > limits.max_text_chars:
        reasons.append(Reason("field_truncated", f"{where}: {name} of {len(text):,} characters cut to {limits.max_text_chars:,}"))
        return text[: limits.max_text_chars]
    return text


def _check_size(body: bytes, source: str, limits: ClaimReviewLimits) -> None:
    if len(body) > limits.max_feed_bytes:
        raise NotAFactCheckFeed(f"{source}: {len(body):,} bytes, over the limit of {limits.max_feed_bytes:,}")


def _checkthat_header(body: bytes) -> bool:
    first = body.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    columns = [cell.strip().strip('"').lower() for cell in first.split("\t")]
    return len(columns) >= 3 and columns[0] in ("", "vclaim_id") and columns[1:3] == ["vclaim", "title"]
