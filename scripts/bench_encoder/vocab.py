"""A BERT-uncased-style WordPiece tokenizer.json of a chosen size, for benchmarks.

It starts from tests/tokenizer/data/wordpiece_uncased.json (a real-format BERT uncased
tokenizer.json with 1,839 entries: the special tokens, single characters, a few words and
pieces) and appends, after the existing ids, synthetic but plausible entries learnt from English
text installed on every Debian machine: the GPL-family licence texts in /usr/share/common-licenses
and the English man pages (/usr/share/man/man{1,5,7,8}, groff source, markup stripped). The new
entries are, in this order:

  * "##x" for every single character x that has a bare entry (so every word can be spelt);
  * the most widely used whole words (lower case, letters only, 2-20 letters; see
    english_word_counts);
  * "##" suffixes of 2-8 letters, ranked by how many distinct words that are not whole-word
    entries end with them (what a WordPiece trainer keeps as continuation pieces: ##ing,
    ##tion, ##ed ...); a quarter of the added entries, roughly the share in bert-base-uncased.

Ties are broken alphabetically, so the same input text gives the same vocabulary. English text
then tokenizes the way it does with a real 30k vocabulary: common words are one token, rarer
ones a stem and one or two continuation pieces.
"""

import collections
import copy
import glob
import gzip
import json
import os
import re

_ESCAPE = re.compile(r"\\(f\[[^\]]*\]|f\(..|f.|\(..|\*\(..|\*\[[^\]]*\]|\*.|s[-+]?\d+|.)")
_WORD = re.compile(r"[a-z]+")


def _man_text(path):
    """The words of one man page's groff source: macro names and escapes removed."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except (OSError, EOFError):
        return ""
    out = []
    for line in lines:
        if line.startswith(('.\\"', "'\\\"")):
            continue  # comment
        if line.startswith((".", "'")):
            parts = line.split(None, 1)
            line = parts[1] if len(parts) > 1 else ""
        out.append(_ESCAPE.sub(" ", line))
    return "\n".join(out)


def english_word_counts(man_root="/usr/share/man", licenses="/usr/share/common-licenses"):
    """How widely each word is used: (number of families of pages using it, occurrences).

    A family is the licence texts, or the man pages whose names share the first word (git-*,
    systemd.*, gcloud_* ...): counting families rather than pages keeps one package's thousands
    of pages (gcloud has 16,000 here) from filling the vocabulary with its jargon."""
    families = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(licenses, "*"))):
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                families["licenses"].append(f.read())
    for section in ("1", "5", "7", "8"):
        for path in sorted(glob.glob(os.path.join(man_root, "man" + section, "*.gz"))):
            family = re.split(r"[-_.]", os.path.basename(path), maxsplit=1)[0].lower()
            families[family].append(_man_text(path))
    spread, occurrences = collections.Counter(), collections.Counter()
    for texts in families.values():
        seen = set()
        for text in texts:
            for w in _WORD.findall(text.lower()):
                if 2 <= len(w) <= 20:
                    occurrences[w] += 1
                    seen.add(w)
        spread.update(seen)
    return {w: (spread[w], occurrences[w]) for w in occurrences}


def build_tokenizer(base_path, size, counts):
    """The tokenizer.json (a dict) with `size` vocabulary entries."""
    tok = copy.deepcopy(json.load(open(base_path, encoding="utf-8")))
    vocab = tok["model"]["vocab"]
    if len(vocab) > size:
        raise ValueError(f"the base vocabulary has {len(vocab)} entries, more than {size}")
    entries = sorted(vocab, key=vocab.get)
    have = set(entries)

    def add(token):
        if token not in have and len(entries) < size:
            have.add(token)
            entries.append(token)

    for token in list(entries):
        if len(token) == 1:
            add("##" + token)
    budget = size - len(entries)
    n_pieces = budget // 4
    n_words = budget - n_pieces
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    words = [w for w, _ in ranked if w not in have][:n_words]
    for w in words:
        add(w)
    suffixes = collections.Counter()  # suffix -> how many distinct words end with it
    for w, _ in ranked:
        if w in have:
            continue
        for n in range(2, min(8, len(w) - 2) + 1):
            suffixes[w[-n:]] += 1
    for s, _ in sorted(suffixes.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(entries) >= size:
            break
        add("##" + s)
    for w, _ in ranked:  # only if the text ran out of suffixes
        add(w)
    if len(entries) != size:
        raise ValueError(f"only {len(entries)} entries could be made, {size} wanted")
    tok["model"]["vocab"] = {t: i for i, t in enumerate(entries)}
    return tok
