"""Great Expectations suites for the published tables, kept as code so reviews see every rule."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from extract.fact_checks import ORIGINS
from extract.verdicts import VERDICTS
from transform.model import KINDS, SOURCE_TYPES, STANCES

ROLES = ("speaker", "intermediary", "publisher")


def _key(column: str) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column), gxe.ExpectColumnValuesToBeUnique(column=column)]


def articles_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="articles")
    for expectation in [
        *_key("article_id"),
        *_key("canonical_url"),
        gxe.ExpectColumnValuesToBeInSet(column="text_missing", value_set=[False]),
        gxe.ExpectColumnValuesToBeBetween(column="text_length", min_value=1),
        gxe.ExpectColumnValuesToBeInSet(column="published_not_after_fetch", value_set=[True]),
    ]:
        suite.add_expectation(expectation)
    return suite


def statements_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="statements")
    for expectation in [
        *_key("statement_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="article_id"),
        gxe.ExpectColumnValuesToBeInSet(column="article_exists", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="source_exists", value_set=[True]),
        gxe.ExpectColumnValuesToBeBetween(column="content_start", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="content_end", column_B="content_start"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="text_length", column_B="content_end", or_equal=True),
        gxe.ExpectColumnValuesToBeInSet(column="content_matches_text", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="cue_matches_text", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="source_matches_text", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=list(KINDS)),
        gxe.ExpectColumnValuesToBeInSet(column="stance", value_set=list(STANCES)),
        gxe.ExpectColumnValuesToBeBetween(column="confidence", min_value=0, max_value=1),
    ]:
        suite.add_expectation(expectation)
    return suite


def sources_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="sources")
    for expectation in [
        *_key("source_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="name"),
        gxe.ExpectColumnValuesToBeInSet(column="type", value_set=list(SOURCE_TYPES)),
    ]:
        suite.add_expectation(expectation)
    return suite


def statement_sources_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="statement_sources")
    for expectation in [
        gxe.ExpectColumnValuesToNotBeNull(column="statement_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="source_id"),
        gxe.ExpectColumnValuesToBeInSet(column="source_exists", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="statement_exists", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="role", value_set=list(ROLES)),
        gxe.ExpectColumnValuesToBeBetween(column="position", min_value=0),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["statement_id", "position"]),
    ]:
        suite.add_expectation(expectation)
    return suite


def fact_checks_suite() -> gx.ExpectationSuite:
    """A review needs a claim, a verdict of the set, a well-formed http(s) review URL when it has one and no
    date past tomorrow (time zones). The readers already null or skip what breaks these (their reasons
    are in fact_check_issues); the gate also holds rows built any other way. No uniqueness: two pages may
    carry one review, and publishing keeps one row per fact_check_id."""
    suite = gx.ExpectationSuite(name="fact_checks")
    for expectation in [
        gxe.ExpectColumnValuesToNotBeNull(column="fact_check_id"),
        gxe.ExpectColumnValuesToBeInSet(column="has_claim", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="verdict", value_set=list(VERDICTS)),
        gxe.ExpectColumnValuesToBeInSet(column="review_url_well_formed", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="dates_not_in_future", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="origin", value_set=list(ORIGINS)),
    ]:
        suite.add_expectation(expectation)
    return suite


MAX_RUN_WITHOUT_STATEMENTS = 19
MAX_SHARE_WITHOUT_TEXT = 0.5


def batch_suite() -> gx.ExpectationSuite:
    """Whole-run checks: 20 or more articles in a row with no statement, or too many pages without text,
    mean the extractor or the attribution step broke; such a run must not publish."""
    suite = gx.ExpectationSuite(name="batch")
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
        column="longest_run_without_statements", min_value=0, max_value=MAX_RUN_WITHOUT_STATEMENTS))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
        column="share_without_text", min_value=0.0, max_value=MAX_SHARE_WITHOUT_TEXT))
    return suite


BATCH_SUITE = batch_suite

SUITES = {
    "articles": articles_suite,
    "statements": statements_suite,
    "sources": sources_suite,
    "statement_sources": statement_sources_suite,
    "fact_checks": fact_checks_suite,
}
