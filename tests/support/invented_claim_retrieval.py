"""An invented folder in CheckThat! 2020 Task 2's layout for training and scoring a matcher.

FIXTURES: every claim, headline, person, place and tweet here is invented for citeline's tests (none comes
from CheckThat!, Snopes or any fact-checker). As in the real data, many fact-checks are indexed twice, once
quoting with single quotes and once with double quotes, and the qrels name the double-quoted copy: a trained
matcher can learn that, the default matcher cannot (it ranks the copy that comes first in the file on a tie).
"""

from __future__ import annotations

import csv
from pathlib import Path

# (speaker and setting, quoted words, headline): each becomes two claims, the single-quoted copy first.
TWINS = [
    ("Mayor Ann Exampleton said at a town meeting", "the river will be drained by Friday", "Will the River Be Drained?"),
    ("Senator Bo Fictland told a rally in Sampletown", "teachers are the laziest people in the state", "Did a Senator Call Teachers Lazy?"),
    ("The Acme Phone company announced", "our phones cannot explode, not even in a fire", "Can Acme Phones Explode?"),
    ("A video shows a pilot over Lake Example saying", "we are flying on one engine and a prayer", "Pilot Flying on One Engine?"),
    ("Governor Jane Roe wrote on her blog", "only Exampleville can fix the roads of this country", "Did Governor Roe Say Only Exampleville Can Fix Roads?"),
    ("The Ministry of Snacks stated in a leaflet", "crisps count as a vegetable for school lunches", "Are Crisps a Vegetable?"),
    ("Comedian Bob Sample said on his show", "I hope the stadium falls down so the games move", "Did Bob Sample Wish a Stadium Would Fall?"),
    ("The singer Lia Testburg told a newspaper", "I will never tour again after this concert", "Will Lia Testburg Stop Touring?"),
    ("Professor Ida Placeholder claimed in a lecture", "the moon is hollow and full of water", "Did a Professor Say the Moon Is Hollow?"),
    ("The council of Demotown promised on a poster", "free parking for every resident forever", "Free Parking Forever in Demotown?"),
    ("Coach Max Mockley shouted after the final", "the referee was paid by the other team", "Was the Referee Paid?"),
    ("Chef Rosa Fakename told viewers", "salt makes water boil twice as fast", "Does Salt Make Water Boil Faster?"),
]
SINGLES = [
    ("A photograph shows a purple cow grazing in a field near Example Springs.", "Purple Cow in Example Springs?"),
    ("The town of Nowhere Falls banned umbrellas on Sundays.", "Did Nowhere Falls Ban Umbrellas?"),
    ("Drinking twelve glasses of milk a day doubles a child's height.", "Does Milk Double Height?"),
    ("A new law in Fictland requires dogs to wear shoes in winter.", "Must Dogs Wear Shoes in Fictland?"),
]
# How a tweet words each twin's claim: three ways, the speaker's name and the quoted words kept, as tweets do.
TWEETS = [
    "{speaker}: \u201c{quote}\u201d Unbelievable. \u2014 Example Watcher (@watcher_example) May 2, 2020",
    "Did you hear? {speaker} that {quote}. Wow https://example.org/x",
    "{quote}!!! says {speaker} \U0001F62E",
]


def claims() -> list[tuple[str, str, str]]:
    """(id, claim, headline) rows: each twin's single-quoted copy, then its double-quoted copy, then the singles."""
    rows = []
    for number, (speaker, quote, title) in enumerate(TWINS):
        rows.append((str(2 * number), f"{speaker}: '{quote}.'", title))
        rows.append((str(2 * number + 1), f'{speaker}: "{quote}."', title))
    rows += [(str(100 + i), claim, title) for i, (claim, title) in enumerate(SINGLES)]
    return rows


def queries(split: str) -> list[tuple[str, str, str]]:
    """(tweet id, tweet, the id of the claim that checks it): every twin's double-quoted copy, in three wordings
    for `train`, and for `test` a fourth, and the singles once each."""
    rows = []
    wordings = TWEETS if split == "train" else ["{speaker} really said {quote}? Someone check this."]
    for number, (speaker, quote, _) in enumerate(TWINS):
        for w, wording in enumerate(wordings):
            rows.append((f"{split}-{number}-{w}", wording.format(speaker=speaker, quote=quote), str(2 * number + 1)))
    for i, (claim, _) in enumerate(SINGLES):
        rows.append((f"{split}-single-{i}", f"Is it true? {claim.rstrip('.')}", str(100 + i)))
    return rows


def write_invented_layout(folder: Path) -> Path:
    """The folder with verified_claims.docs.tsv and the `train` and `test` splits."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "verified_claims.docs.tsv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["", "vclaim", "title"])
        writer.writerows(claims())
    for split in ("train", "test"):
        (folder / split).mkdir(exist_ok=True)
        rows = queries(split)
        with (folder / split / "tweets.queries.tsv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t")
            writer.writerow(["tweet_id", "tweet_content"])
            writer.writerows((q, text) for q, text, _ in rows)
        (folder / split / "tweet-vclaim-pairs.qrels").write_text("".join(f"{q} 0 {c} 1\n" for q, _, c in rows))
    return folder
