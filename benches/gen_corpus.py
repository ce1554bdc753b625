#!/usr/bin/env python3
"""The benchmark corpus: N units of Chinese study text, laid out for studysite or a peer.

Usage:
    python3 benches/gen_corpus.py N TOOL OUTDIR [--seed S] [--vocab FILE]

TOOL: studysite, hugo, zola, mdbook or generic. Every tool gets the same text; only the
layout differs (file names, front matter syntax, the few templates a peer needs):

    studysite  site.yaml; content/part-NN/_index.md and unit-NNNNN.md, YAML front matter
               (title, weight, minutes, kind: original|explanation|discussion|practice)
    generic    the same files without site.yaml, kind as drawn (lesson, reading, ...)
    hugo       config.toml, layouts/, content/ with YAML front matter (title, weight)
    zola       config.toml, templates/, content/ with TOML front matter (+++)
    mdbook     book.toml, src/SUMMARY.md, src/part-NN/README.md and unit-NNNNN.md

The units are spread over 10 parts (the ten parts of the outline). Each has 1,500 to 3,000
CJK characters: an opening paragraph, three to five numbered sections (some with
subsections), one ordered and one unordered list, a quotation, a table, and in about one unit
in ten a code block (YAML or Rust). The text is cut from a real outline, by default the one
the import tests use (tests/integration/fixtures/import/seed/outline.txt): its sentences,
clauses recombined in pairs, and short phrases for titles and table cells.

Unit i depends only on the seed, i, N (which part it falls in) and the vocabulary, drawn with
Python's `random.Random(f"{seed}:{i}")`, so a corpus is the same on every machine and the
figures in BENCHMARKS.md stay comparable from session to session: this file must keep
drawing the same numbers in the same order. `benches/compare.py` and the search
measurement (`tests/integration/search.rs`) generate their corpora with it.

Standard library only. OUTDIR must be missing or empty.
"""

import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUTLINE = os.path.join(HERE, "..", "tests", "integration", "fixtures", "import", "seed", "outline.txt")

PARTS = 10
NUMERALS = "一二三四五六七八九十"
# The kinds drawn for every unit, and the studysite kind each stands for.
DRAWN_KINDS = ["lesson", "reading", "exercise", "case", "quiz"]
AS_STUDYSITE = {"lesson": "explanation", "reading": "original", "exercise": "practice",
                "case": "discussion", "quiz": "explanation"}


def han(text):
    """The number of CJK unified ideographs (U+4E00-9FFF) in `text`."""
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)


class Words:
    """What the units are cut from: sentences, clauses, phrases and the parts' names."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            rows = [r.strip() for r in f.read().splitlines()]
        rows = [r for r in rows if r]
        heads = (re.match(r"^第[一二三四五六七八九十]+，(.+)$", r) for r in rows)
        names = [m.group(1).rstrip("。") for m in heads if m and len(m.group(1)) <= 40]
        self.sentences = []
        for r in rows:
            for piece in re.split(r"(?<=[。！？；])", r):
                piece = piece.strip().rstrip("；：，")
                if han(piece) >= 8:
                    if not piece.endswith(("。", "！", "？")):
                        piece += "。"
                    self.sentences.append(piece)
        self.clauses = [
            c for c in (c.strip("“”（）《》 ")
                        for s in self.sentences for c in re.split(r"[，。；：！？、]", s))
            if 6 <= len(c) <= 28 and han(c) >= 5
        ]
        self.phrases = sorted({c for c in self.clauses if 4 <= len(c) <= 12}) or self.clauses
        if len(names) < PARTS:
            names = ["第%s部分" % NUMERALS[k] for k in range(PARTS)]
        self.part_names = names
        if not self.sentences or not self.clauses:
            sys.exit("no Chinese sentences in %s" % path)


class Writer:
    """Draws the blocks of one unit from its own random sequence."""

    def __init__(self, rng, words):
        self.rng, self.w = rng, words

    def sentence(self):
        if self.rng.random() < 0.6:
            return self.rng.choice(self.w.sentences)
        first = self.rng.choice(self.w.clauses)
        return "%s，%s。" % (first, self.rng.choice(self.w.clauses))

    def paragraph(self, lo=2, hi=5):
        rng = self.rng
        sentences = [self.sentence() for _ in range(rng.randint(lo, hi))]
        if rng.random() < 0.5:
            # The opening clause of one sentence in bold.
            k = rng.randrange(len(sentences))
            head = re.split(r"([，。；：])", sentences[k], maxsplit=1)
            if len(head) == 3 and 2 <= len(head[0]) <= 24:
                sentences[k] = "**%s**%s%s" % tuple(head)
        return "".join(sentences)

    def items(self, numbered):
        rng, out = self.rng, []
        for k in range(rng.randint(3, 6)):
            if rng.random() < 0.5:
                text = rng.choice(self.w.clauses) + "。"
            else:
                label = rng.choice(self.w.phrases)
                text = "%s：%s" % (label, self.sentence())
            out.append(("%d. " % (k + 1) if numbered else "- ") + text)
        return "\n".join(out)

    def table(self):
        rng = self.rng
        rows = ["| 序号 | 要点 | 具体要求 | 时限 |", "| --- | --- | --- | --- |"]
        for k in range(rng.randint(3, 5)):
            point = rng.choice(self.w.phrases)
            demand = rng.choice(self.w.clauses)
            rows.append("| %d | %s | %s | %d月底前 |" % (k + 1, point, demand, rng.randint(1, 12)))
        return "\n".join(rows)

    def code(self, number):
        rng, w = self.rng, self.w
        if rng.random() < 0.5:
            out = ["```yaml", "# " + rng.choice(w.phrases), "unit: %d" % number]
            out.append('title: "%s"' % rng.choice(w.phrases))
            out.append("minutes: %d" % rng.randint(20, 90))
            out.append("goals:")
            out += ['  - "%s"' % rng.choice(w.clauses) for _ in range(rng.randint(2, 4))]
            out += ["review:", "  every_days: %d" % rng.randint(1, 14), "  required: true", "```"]
            return "\n".join(out)
        doc = rng.choice(w.phrases)
        comment = rng.choice(w.clauses)
        title = rng.choice(w.phrases)
        minutes = rng.randint(20, 90)
        budget = rng.randint(60, 240)
        return "\n".join([
            "```rust", "/// " + doc, "#[derive(Debug, Clone)]", "pub struct Unit {",
            "    pub id: u32,", "    pub title: String,", "    pub minutes: u16,", "}", "",
            "fn schedule(units: &[Unit], budget: u16) -> Vec<&Unit> {", "    // " + comment,
            "    let mut used = 0u16;",
            "    units.iter().filter(|u| { used += u.minutes; used <= budget }).collect()",
            "}", "", "fn main() {",
            '    let u = Unit { id: %d, title: "%s".into(), minutes: %d };' % (number, title, minutes),
            '    println!("{:?}", schedule(&[u], %d));' % budget,
            "}", "```",
        ])


class Unit:
    """One unit: where it goes, its front matter and its Markdown body."""

    def __init__(self, i, n, seed, words):
        rng = random.Random("%s:%d" % (seed, i))
        draw = Writer(rng, words)
        per_part = -(-n // PARTS)
        self.part = min(i // per_part, PARTS - 1) if n >= PARTS else i % PARTS
        self.slug = "unit-%05d" % (i + 1)
        self.weight = i + 1
        self.title = "第%d课 %s" % (i + 1, rng.choice(words.phrases))
        self.kind = rng.choice(DRAWN_KINDS)
        goal = rng.randint(1500, 3000)
        self.has_code = rng.random() < 0.1

        blocks = []  # (text, may be dropped when over 3,000 characters)
        total = [0]

        def put(text, filler=False):
            blocks.append((text, filler))
            total[0] += han(text)

        put(draw.paragraph(2, 4))
        sections = rng.randint(3, 5)
        where = {}
        for thing in ("numbered", "bullets", "quote", "table", "code"):
            where[thing] = rng.randrange(sections)
        share = max(200, (goal - total[0]) // sections)
        for s in range(sections):
            put("## %s、%s" % (NUMERALS[s], rng.choice(words.phrases)))
            start = total[0]
            put(draw.paragraph())
            if where["numbered"] == s:
                put(draw.items(True))
            if where["quote"] == s:
                quote = draw.sentence()
                put("> " + quote + draw.sentence())
            for k in range(rng.randint(0, 2)):
                put("### （%s）%s" % (NUMERALS[k], rng.choice(words.phrases)))
                put(draw.paragraph(1, 4))
            if where["bullets"] == s:
                put(draw.items(False))
            if where["table"] == s:
                put(draw.table())
            if self.has_code and where["code"] == s:
                put("示例配置如下：")
                put(draw.code(i + 1))
            while total[0] - start < share and total[0] < goal:
                put(draw.paragraph(), True)
        while total[0] < 1500:
            put(draw.paragraph(), True)
        # Over 3,000 characters: fillers go, from the last.
        k = len(blocks) - 1
        while k >= 0 and total[0] > 3000:
            if blocks[k][1]:
                total[0] -= han(blocks[k][0])
                del blocks[k]
            k -= 1
        self.body = "\n\n".join(text for text, _ in blocks) + "\n"
        self.han = total[0]
        self.minutes = max(5, round(total[0] / 300))


def quoted(s):
    """A double-quoted string that YAML and TOML read alike."""
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def put_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# The peers' site files: configuration and minimal templates (no theme), so that each tool
# does comparable work.
PEER_FILES = {
    "hugo": {
        "config.toml": """baseURL = "http://127.0.0.1:1313/"
languageCode = "zh-cn"
defaultContentLanguage = "zh"
title = "学习资料"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term", "RSS"]
enableRobotsTXT = false

[markup.goldmark.renderer]
unsafe = false

[markup.highlight]
codeFences = true
noClasses = false
""",
        "layouts/_default/baseof.html": """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title></head>
<body>
<nav><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
        "layouts/_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ end }}
""",
        "layouts/_default/single.html": """{{ define "main" }}
<article>
<p><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></p>
<h1>{{ .Title }}</h1>
{{ .Content }}
</article>
{{ end }}
""",
    },
    "zola": {
        "config.toml": """base_url = "http://127.0.0.1:1111"
title = "学习资料"
default_language = "zh"
compile_sass = false
build_search_index = false
generate_feeds = false

# Zola >= 0.22 (giallo); for Zola <= 0.21 (syntect) write
# [markdown] highlight_code = true / highlight_theme = "css" instead.
[markdown.highlighting]
theme = "github-dark"
style = "class"
""",
        "templates/base.html": """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{% block title %}{{ config.title }}{% endblock title %}</title></head>
<body>
<nav><a href="{{ config.base_url | safe }}/">{{ config.title }}</a></nav>
<main>{% block main %}{% endblock main %}</main>
</body>
</html>
""",
        "templates/index.html": """{% extends "base.html" %}
{% block main %}
<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul>
{% for s in section.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.permalink }}">{{ sub.title }}</a></li>
{% endfor %}</ul>
{% endblock main %}
""",
        "templates/section.html": """{% extends "base.html" %}
{% block title %}{{ section.title }} - {{ config.title }}{% endblock title %}
{% block main %}
<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul>
{% for p in section.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>
{% endfor %}</ul>
{% endblock main %}
""",
        "templates/page.html": """{% extends "base.html" %}
{% block title %}{{ page.title }} - {{ config.title }}{% endblock title %}
{% block main %}
<article>
<h1>{{ page.title }}</h1>
{{ page.content | safe }}
</article>
{% endblock main %}
""",
    },
    "mdbook": {
        "book.toml": """[book]
title = "学习资料"
authors = ["bench"]
language = "zh"
src = "src"

[output.html]

[output.html.search]
enable = true
""",
    },
}
# Hugo's home page lists the parts as its list pages do.
PEER_FILES["hugo"]["layouts/index.html"] = PEER_FILES["hugo"]["layouts/_default/list.html"]


def part_folder(k):
    return "part-%02d" % (k + 1)


def part_title(words, k):
    return "第%s部分 %s" % (NUMERALS[k], words.part_names[k])


def front_matter(tool, fields):
    """`fields` ((key, value as written)) as the tool's front matter."""
    if tool == "zola":
        return "+++\n%s\n+++\n\n" % "\n".join("%s = %s" % kv for kv in fields)
    return "---\n%s\n---\n\n" % "\n".join("%s: %s" % kv for kv in fields)


def unit_file(tool, u):
    """(path below the site, text) of unit `u`."""
    if tool == "mdbook":
        return os.path.join("src", part_folder(u.part), u.slug + ".md"), "# %s\n\n%s" % (u.title, u.body)
    fields = [("title", quoted(u.title)), ("weight", str(u.weight))]
    if tool in ("generic", "studysite"):
        kind = AS_STUDYSITE[u.kind] if tool == "studysite" else u.kind
        fields += [("minutes", str(u.minutes)), ("kind", kind)]
    return os.path.join("content", part_folder(u.part), u.slug + ".md"), front_matter(tool, fields) + u.body


def part_file(tool, words, k):
    """(path below the site, text) of part `k`'s index, or None."""
    title = part_title(words, k)
    intro = "本部分围绕“%s”展开学习。\n" % words.part_names[k]
    if tool == "mdbook":
        return os.path.join("src", part_folder(k), "README.md"), "# %s\n\n%s" % (title, intro)
    fields = [("title", quoted(title)), ("weight", str(k + 1))]
    if tool == "zola":
        fields.append(("sort_by", '"weight"'))
    return os.path.join("content", part_folder(k), "_index.md"), front_matter(tool, fields) + intro


def site_files(tool, n, words, units):
    """(path, text) of the files besides the parts and units: settings, home, summary."""
    files = list(PEER_FILES.get(tool, {}).items())
    home = "全部学习单元，共%d课。\n" % n
    if tool == "studysite":
        files.append(("site.yaml", 'title: "学习资料"\ndescription: "基准测试语料，共%d课"\nlanguage: zh-CN\n' % n))
    elif tool == "hugo":
        files.insert(1, ("content/_index.md", front_matter(tool, [("title", '"学习资料"')]) + home))
    elif tool == "zola":
        fields = [("title", '"学习资料"'), ("sort_by", '"weight"')]
        files.insert(1, ("content/_index.md", front_matter(tool, fields) + home))
    elif tool == "mdbook":
        lines = ["# Summary", ""]
        for k in range(PARTS):
            lines.append("- [%s](%s/README.md)" % (part_title(words, k), part_folder(k)))
            lines += ["  - [%s](%s/%s.md)" % (u.title, part_folder(k), u.slug)
                      for u in units if u.part == k]
        files.append(("src/SUMMARY.md", "\n".join(lines) + "\n"))
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of units")
    ap.add_argument("tool", choices=["studysite", "hugo", "zola", "mdbook", "generic"])
    ap.add_argument("outdir")
    ap.add_argument("--seed", default="anchors-v1")
    ap.add_argument("--vocab", default=OUTLINE, help="the text the units are cut from")
    a = ap.parse_args()
    if a.n < 1:
        sys.exit("N must be at least 1")
    if os.path.exists(a.outdir) and os.listdir(a.outdir):
        sys.exit("not empty: %s" % a.outdir)
    words = Words(a.vocab)
    for k in range(PARTS):
        rel, text = part_file(a.tool, words, k)
        put_file(os.path.join(a.outdir, rel), text)
    units, page_bytes = [], 0
    for i in range(a.n):
        u = Unit(i, a.n, a.seed, words)
        rel, text = unit_file(a.tool, u)
        put_file(os.path.join(a.outdir, rel), text)
        page_bytes += len(text.encode("utf-8"))
        # Only what the summary needs is kept, not the bodies.
        u.body = None
        units.append(u)
    for rel, text in site_files(a.tool, a.n, words, units):
        put_file(os.path.join(a.outdir, rel), text)
    total = sum(u.han for u in units)
    print("tool=%s pages=%d sections=%d cjk_chars=%d (avg %.0f/page) code_pages=%d page_bytes=%d" % (
        a.tool, a.n, PARTS, total, total / a.n, sum(u.has_code for u in units), page_bytes))


if __name__ == "__main__":
    main()
