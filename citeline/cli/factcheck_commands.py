"""`citeline factchecks import FILE|URL [--db PATH] [--allow-private-hosts]`: load a dump of fact-checks (a
ClaimReview JSON/JSON-LD feed, or CheckThat! 2020's verified_claims.docs.tsv) into the warehouse's
`fact_checks`, through the import flow (flows/factcheck_import.py). Its own module, as each family of
commands has one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from citeline.core.workspace import DEFAULT_DB


def add_parser(sub: argparse._SubParsersAction) -> None:
    factchecks = sub.add_parser("factchecks", help="Fact-checks (schema.org ClaimReview) in the warehouse: import a dump.",
                                description="Fact-checks in the warehouse. A run reads the ClaimReview markup of every page "
                                            "it extracts by itself; `import` loads a dump of them.")
    commands = factchecks.add_subparsers(dest="factchecks_command", required=True)
    load = commands.add_parser("import", help="Load a ClaimReview feed or a CheckThat! verified_claims.docs.tsv (file or URL).",
                               description="Load a ClaimReview JSON/JSON-LD feed (a schema.org DataFeed, a list or an @graph) "
                                           "or a CheckThat! 2020 verified_claims.docs.tsv, from a file or an http(s) URL, into "
                                           "fact_checks, through the quality gate. Reviews already there are left as they are, "
                                           "so importing twice adds nothing; what the dump could not give is in fact_check_issues.")
    load.add_argument("source", metavar="FILE|URL")
    load.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    load.add_argument("--allow-private-hosts", action="store_true", help="also fetch a URL on a private, loopback or link-local address")


def cmd_factchecks(args: argparse.Namespace) -> int:
    from citeline.cli.common import check_writable, loaded_matcher
    from citeline.config import load_config
    from citeline.core import stage_clock
    from citeline.prefect_api import bounded_api, prefect_api
    from extract.factcheck_input import check_source

    check_source(args.source)  # a missing file is named before any server starts
    matcher = load_config(None).run.matcher  # the scheduled runs' matcher (./citeline.toml): one matcher for all rows
    loaded_matcher(matcher)
    check_writable(args.db)
    stage_clock.take()
    with stage_clock.timed("imports"):
        from flows.factcheck_import import citeline_factcheck_import
    api_url = prefect_api()
    from citeline.cli.console_errors import keep_reported_errors_off_console

    keep_reported_errors_off_console()
    with bounded_api(api_url):
        result = citeline_factcheck_import(source=args.source, db_path=str(args.db), allow_private_hosts=args.allow_private_hosts,
                                           matcher=matcher)
    run = result["run"]
    print(f"{result['source']}: {result['read']} fact-checks read: {result['new']} new, {result['already_present']} already present"
          + (f", {result['quarantined']} quarantined" if result["quarantined"] else ""))
    if run.get("n_fact_checks_matched"):
        print(f"matched {run['n_fact_checks_matched']} fact-checks against the warehouse's statements: "
              f"{run['n_matched']} matches at or above the threshold (statement_fact_checks)")
    if result["reasons"]:
        print("left out, cut or nulled (see fact_check_issues): " + ", ".join(f"{reason} {n}" for reason, n in result["reasons"].items()))
    print(f"quality gate: {run['quality_verdict']}; status: {run['status']}; run {run['run_id']}", file=sys.stderr)
    return 0 if run["status"] == "published" else 1
