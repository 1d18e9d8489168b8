"""Invented gold attributions, six short texts in the brat layout `citeline eval`, `train` and `agreement` read
(`text/NAME.txt`, `attributions/NAME_ANNOTATOR.ann`), written into a test's temporary folder on demand. Kept as
Python data, not as files in that layout, so nothing in the repository looks like the research-only gold
corpus it imitates; every sentence and offset here is made up for the tests."""

from __future__ import annotations

from pathlib import Path

ANNOTATOR = "fx"

# name: (text, its annotations in brat standoff)
DOCUMENTS: dict[str, tuple[str, str]] = {
    'clinic': (
        'Dr. Amy Chen said the clinic would open a night ward.\nThe data showed that waiting times had doubled since 2020.\nNurses agreed that more staff were needed.\nThe clinic opened in 1998.\nThey claimed the ward would save lives.\n',
        'T1\tSource 0 12\tDr. Amy Chen\nT2\tCue 13 17\tsaid\nT3\tContent 18 52\tthe clinic would open a night ward\nT4\tSource 54 62\tThe data\nT5\tCue 63 69\tshowed\nT6\tContent 70 111\tthat waiting times had doubled since 2020\nT7\tSource 113 119\tNurses\nT8\tCue 120 126\tagreed\nT9\tContent 127 154\tthat more staff were needed\nT10\tSource 183 187\tThey\nT11\tCue 188 195\tclaimed\nT12\tContent 196 221\tthe ward would save lives\nT13\tAttribution 13 17\tsaid\nT14\tAttribution 63 69\tshowed\nT15\tAttribution 120 126\tagreed\nT16\tAttribution 188 195\tclaimed\nE1\tAttribution:T13 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T14 Content:T6 Cue:T5 Source:T4\nE3\tAttribution:T15 Content:T9 Cue:T8 Source:T7\nE4\tAttribution:T16 Content:T12 Cue:T11 Source:T10\n',
    ),
    'harbour': (
        'The mayor of Eastport said the harbour bridge would reopen in May.\nShe told reporters that the repairs had cost less than planned.\nA study by the port authority found that traffic had fallen by a third.\nFerries ran every hour during the closure.\nShop owners blasted the council for the long delay.\n',
        'T1\tSource 0 21\tThe mayor of Eastport\nT2\tCue 22 26\tsaid\nT3\tContent 27 65\tthe harbour bridge would reopen in May\nT4\tSource 67 70\tShe\nT5\tCue 71 75\ttold\nT6\tContent 86 129\tthat the repairs had cost less than planned\nT7\tSource 131 160\tA study by the port authority\nT8\tCue 161 166\tfound\nT9\tContent 167 201\tthat traffic had fallen by a third\nT10\tSource 246 257\tShop owners\nT11\tCue 258 265\tblasted\nT12\tContent 266 296\tthe council for the long delay\nT13\tAttribution 22 26\tsaid\nT14\tAttribution 71 75\ttold\nT15\tAttribution 161 166\tfound\nT16\tAttribution 258 265\tblasted\nE1\tAttribution:T13 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T14 Content:T6 Cue:T5 Source:T4\nE3\tAttribution:T15 Content:T9 Cue:T8 Source:T7\nE4\tAttribution:T16 Content:T12 Cue:T11 Source:T10\n',
    ),
    'market': (
        'The central bank reported that prices rose two percent in March.\nEconomists found that wages had not kept pace.\nIt declined to comment on interest rates.\nMarkets were closed for the holiday.\nThe finance minister denied that a tax rise was planned.\n',
        'T1\tSource 0 16\tThe central bank\nT2\tCue 17 25\treported\nT3\tContent 26 63\tthat prices rose two percent in March\nT4\tSource 65 75\tEconomists\nT5\tCue 76 81\tfound\nT6\tContent 82 110\tthat wages had not kept pace\nT7\tSource 112 114\tIt\nT8\tCue 115 123\tdeclined\nT9\tContent 124 152\tto comment on interest rates\nT10\tSource 191 211\tThe finance minister\nT11\tCue 212 218\tdenied\nT12\tContent 219 246\tthat a tax rise was planned\nT13\tAttribution 17 25\treported\nT14\tAttribution 76 81\tfound\nT15\tAttribution 115 123\tdeclined\nT16\tAttribution 212 218\tdenied\nE1\tAttribution:T13 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T14 Content:T6 Cue:T5 Source:T4\nE3\tAttribution:T15 Content:T9 Cue:T8 Source:T7\nE4\tAttribution:T16 Content:T12 Cue:T11 Source:T10\n',
    ),
    'river': (
        'Officials told residents the river was safe for swimming again.\nA survey of anglers suggests fish numbers are recovering.\nThe river runs through four towns.\nEnvironmental groups welcomed the cleanup of the old mill site.\nShe said the work would finish in the autumn.\n',
        'T1\tSource 0 9\tOfficials\nT2\tCue 10 14\ttold\nT3\tContent 25 62\tthe river was safe for swimming again\nT4\tSource 64 83\tA survey of anglers\nT5\tCue 84 92\tsuggests\nT6\tContent 93 120\tfish numbers are recovering\nT7\tSource 157 177\tEnvironmental groups\nT8\tCue 178 186\twelcomed\nT9\tContent 187 219\tthe cleanup of the old mill site\nT10\tSource 221 224\tShe\nT11\tCue 225 229\tsaid\nT12\tContent 230 265\tthe work would finish in the autumn\nT13\tAttribution 10 14\ttold\nT14\tAttribution 84 92\tsuggests\nT15\tAttribution 178 186\twelcomed\nT16\tAttribution 225 229\tsaid\nE1\tAttribution:T13 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T14 Content:T6 Cue:T5 Source:T4\nE3\tAttribution:T15 Content:T9 Cue:T8 Source:T7\nE4\tAttribution:T16 Content:T12 Cue:T11 Source:T10\n',
    ),
    'school': (
        "The teachers' union warned that class sizes would grow next year.\nPrincipal Maria Lopez praised the new reading programme.\nThe district serves nine thousand pupils.\nThey want smaller classes and more books.\nAccording to the district budget, spending on buses will rise.\n",
        "T1\tSource 0 19\tThe teachers' union\nT2\tCue 20 26\twarned\nT3\tContent 27 64\tthat class sizes would grow next year\nT4\tSource 66 87\tPrincipal Maria Lopez\nT5\tCue 88 95\tpraised\nT6\tContent 96 121\tthe new reading programme\nT7\tSource 165 169\tThey\nT8\tCue 170 174\twant\nT9\tContent 175 205\tsmaller classes and more books\nT10\tCue 207 219\tAccording to\nT11\tSource 220 239\tthe district budget\nT12\tContent 241 268\tspending on buses will rise\nT13\tAttribution 20 26\twarned\nT14\tAttribution 88 95\tpraised\nT15\tAttribution 170 174\twant\nT16\tAttribution 207 219\tAccording to\nE1\tAttribution:T13 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T14 Content:T6 Cue:T5 Source:T4\nE3\tAttribution:T15 Content:T9 Cue:T8 Source:T7\nE4\tAttribution:T16 Content:T12 Cue:T10 Source:T11\n",
    ),
    'storm': (
        'Forecasters said the storm would reach the coast by Friday.\nPolls show most residents plan to stay at home.\nHe believes the sea wall will hold.\nSchools closed early on Thursday.\nGovernor Tom Reed urged drivers to avoid the coast road.\n',
        'T1\tSource 0 11\tForecasters\nT2\tCue 12 16\tsaid\nT3\tContent 17 58\tthe storm would reach the coast by Friday\nT4\tSource 60 65\tPolls\nT5\tCue 66 70\tshow\nT6\tContent 71 106\tmost residents plan to stay at home\nT7\tSource 108 110\tHe\nT8\tCue 111 119\tbelieves\nT9\tContent 120 142\tthe sea wall will hold\nT10\tSource 178 195\tGovernor Tom Reed\nT11\tCue 196 201\turged\nT12\tContent 202 233\tdrivers to avoid the coast road\nT13\tAttribution 12 16\tsaid\nT14\tAttribution 66 70\tshow\nT15\tAttribution 111 119\tbelieves\nT16\tAttribution 196 201\turged\nE1\tAttribution:T13 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T14 Content:T6 Cue:T5 Source:T4\nE3\tAttribution:T15 Content:T9 Cue:T8 Source:T7\nE4\tAttribution:T16 Content:T12 Cue:T11 Source:T10\n',
    ),
}


def write_invented_gold(folder: Path) -> Path:
    """Write the invented corpus under `folder` (created) and return it."""
    (folder / "text").mkdir(parents=True, exist_ok=True)
    (folder / "attributions").mkdir(parents=True, exist_ok=True)
    for name, (text, standoff) in DOCUMENTS.items():
        (folder / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
        (folder / "attributions" / f"{name}_{ANNOTATOR}.ann").write_text(standoff, encoding="utf-8")
    return folder

