#!/usr/bin/env python3
"""Where Lucene's query time goes, from the Java Flight Recorder file that
`eiso-searchbench --lucene-jfr FILE` writes: the CPU samples taken inside
`LuceneBench.search`, split by how the top 10 were collected
(`search(query, 10)` or every match scored), as Markdown.

    python3 clients/searchbench/lucene/jfr_summary.py FILE.jfr

Needs `jfr` (the JDK's tool) on PATH.
"""

import collections
import re
import subprocess
import sys

# Parts of the stack, by the frames that mark them (a sample counts in every
# part its stack holds).
PARTS = [
    ("`WANDScorer` (a word's `title` OR `body`, top-k mode)", ("search.WANDScorer",)),
    ("`BlockMaxConjunctionScorer` (the words, top-k mode)", ("search.BlockMaxConjunctionScorer",)),
    (
        "block max scores (`ImpactsDISI`, `MaxScoreCache`, `getMaxScore`, `advanceShallow`)",
        ("search.ImpactsDISI", "search.MaxScoreCache", ".getMaxScore(", ".advanceShallow("),
    ),
    ("`DisjunctionSumScorer` / `DisjunctionDISIApproximation` (a word, exhaustive)", (
        "search.DisjunctionSumScorer", "search.DisjunctionDISIApproximation", "search.DisjunctionScorer",
    )),
    ("`ConjunctionDISI` (the words and the filter, exhaustive)", ("search.ConjunctionDISI",)),
    ("postings: decoding and skipping (`Lucene84PostingsReader`, skip lists)", (
        "lucene84.Lucene84PostingsReader", "lucene84.ForUtil", "lucene84.ForDeltaUtil", "lucene84.PForUtil",
        "codecs.MultiLevelSkipListReader", "lucene84.Lucene84SkipReader",
    )),
    ("BM25 (`TermScorer.score`, `BM25Similarity`)", ("search.TermScorer.score(", "similarities.BM25Similarity")),
    ("the top-10 collector (`TopScoreDocCollector`)", ("search.TopScoreDocCollector",)),
    ("terms looked up (`TermStates`, `SegmentTermsEnum`)", ("index.TermStates", "blocktree.SegmentTermsEnum")),
    ("the query built (`LuceneBench.query`: analysis, `BooleanQuery`)", ("LuceneBench.query(",)),
    ("stored ids read (`IndexSearcher.doc`)", ("IndexSearcher.doc(",)),
]


def samples(path):
    text = subprocess.run(
        ["jfr", "print", "--stack-depth", "128", "--events", "jdk.ExecutionSample", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for event in text.split("jdk.ExecutionSample {")[1:]:
        frames = re.findall(r"^\s{4}(\S.*?)\s+line: \d+", event, re.M)
        if frames:
            yield frames


# Scorers Lucene only builds for ScoreMode.TOP_SCORES (`search(query, 10)`): a sample
# holding one is that mode's even when the JIT's inlining hid `search(Query, int)`.
TOP_ONLY = ("search.WANDScorer", "search.BlockMaxConjunctionScorer", "search.ImpactsDISI")


def mode(frames):
    if not any(f.startswith("LuceneBench.search(") for f in frames):
        return None
    if any("IndexSearcher.search(Query, int)" in f or any(t in f for t in TOP_ONLY) for f in frames):
        return "`search(query, 10)`"
    if any("IndexSearcher.search(Query, Collector)" in f for f in frames):
        return "every match scored"
    return "outside `IndexSearcher.search` (query built, stored ids read)"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    by_mode = collections.defaultdict(list)
    total = 0
    for frames in samples(sys.argv[1]):
        total += 1
        m = mode(frames)
        if m:
            by_mode[m].append(frames)
    searched = sum(len(s) for s in by_mode.values())
    print(f"{total} CPU samples in the JVM, {searched} of them in `LuceneBench.search`:")
    print()
    modes = sorted(by_mode, key=lambda m: -len(by_mode[m]))
    print("| part of the stack | " + " | ".join(modes) + " |")
    print("|---|" + "---:|" * len(modes))
    print("| samples | " + " | ".join(str(len(by_mode[m])) for m in modes) + " |")
    for name, marks in PARTS:
        cells = []
        for m in modes:
            n = sum(1 for frames in by_mode[m] if any(mark in f for f in frames for mark in marks))
            cells.append(f"{100 * n / max(1, len(by_mode[m])):.0f} %")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    for m in modes:
        leaves = collections.Counter(re.sub(r"\(.*", "", frames[0]) for frames in by_mode[m])
        top = ", ".join(
            f"`{leaf.split('.')[-2]}.{leaf.split('.')[-1]}` {100 * n / len(by_mode[m]):.0f} %"
            for leaf, n in leaves.most_common(6)
        )
        print(f"- {m}, the methods the samples were in: {top}")


if __name__ == "__main__":
    main()
