"""The `citeline` command: run the pipeline, and look at extraction and attribution one file at a time.

parser: the commands and their flags; one module per family of commands (run_commands, text_commands,
scoring_commands, warehouse_commands, worthiness_commands, match_eval_commands,
same_claim_eval_commands, factcheck_commands); display: progress and the run summary.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from citeline.cli.display import EXAMPLE_SQL
from citeline.cli.factcheck_commands import cmd_factchecks
from citeline.cli.match_eval_commands import cmd_match_eval
from citeline.cli.parser import build_parser
from citeline.cli.run_commands import cmd_reprocess, cmd_run, cmd_serve, run_configuration
from citeline.cli.same_claim_eval_commands import cmd_same_claim_eval
from citeline.cli.scoring_commands import cmd_agreement, cmd_eval, cmd_train
from citeline.cli.text_commands import cmd_attribute, cmd_extract
from citeline.cli.warehouse_commands import cmd_compact, cmd_dashboard, cmd_query, cmd_search
from citeline.cli.worthiness_commands import cmd_check_worthiness, cmd_train_check_worthiness
from citeline.core import environment
from citeline.core.disk_full import disk_full
from citeline.core.errors import CitelineError

__all__ = ["EXAMPLE_SQL", "build_parser", "main", "run_configuration"]

HANDLERS: dict[str, Callable] = {
    "run": cmd_run, "reprocess": cmd_reprocess, "serve": cmd_serve,
    "extract": cmd_extract, "attribute": cmd_attribute,
    "eval": cmd_eval, "agreement": cmd_agreement, "train": cmd_train,
    "search": cmd_search, "query": cmd_query, "compact": cmd_compact, "dashboard": cmd_dashboard,
    "check-worthiness": cmd_check_worthiness, "train-check-worthiness": cmd_train_check_worthiness,
    "match-eval": cmd_match_eval, "same-claim-eval": cmd_same_claim_eval,
    "factchecks": cmd_factchecks,
}


def main(argv: list[str] | None = None) -> int:
    environment.apply()
    args = build_parser().parse_args(argv)
    handler = HANDLERS[args.command]
    try:
        return handler(args)
    except CitelineError as error:
        # One line naming what cannot be used, never a traceback: the whole CLI's way with bad input.
        print(f"citeline {args.command}: {error}", file=sys.stderr, flush=True)
        return error.exit_status
    except Exception as error:
        full = disk_full(error)  # a full disk wherever a write was refused (ours, DuckDB's, a library's)
        if full is None:
            raise
        print(f"citeline {args.command}: {full}", file=sys.stderr, flush=True)
        return full.exit_status


if __name__ == "__main__":
    sys.exit(main())
