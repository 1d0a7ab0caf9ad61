#!/usr/bin/python3
"""Every relative link and every reference to a document of the repository resolves.

    /usr/bin/python3 tests/python/test_doc_links.py [--cli ... --inputs ... --scratch ...]

Checks, from the repository that holds this script (the ctest arguments are accepted and ignored):
  1. Markdown links and images `[text](target)` in README.md, docs/, inputs/ and python/ (outside code blocks and
     inline code): a relative target must exist (file or directory), relative to the Markdown file; an anchor
     (`file.md#anchor`, `#anchor`) must be the GitHub anchor of a heading of that file.
  2. Mentions of `docs/<name>.md` anywhere in those Markdown files, the TOML files of inputs/ and the sources (src/,
     include/, cuda/, tests/, scripts/, bench/, CMake files): the document must exist.
  3. Section references such as `docs/model.md §2.1`, `model.md §2.1, §2.3`, `model.md section 4`, `model.md 2.1`
     (scenario comments) and, inside docs/model.md, a bare `§7`: the document must have a heading numbered so.
A self-test on a small planted tree checks that the checker reports what it should.
Exit status: 0 when everything resolves, 1 otherwise (each failure printed as file:line: what).
"""

import argparse
import html
import os
import re
import sys
import tempfile

THIS_FILE = os.path.abspath(__file__)  # its self-test plants broken references on purpose
REPOSITORY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

MARKDOWN_DIRS = ("docs", "inputs", "python")
SOURCE_DIRS = ("src", "include", "cuda", "tests", "scripts", "bench", "inputs", "python")
SOURCE_SUFFIXES = (".cpp", ".hpp", ".cu", ".cuh", ".h", ".in", ".py", ".sh", ".toml", ".txt", ".cmake", ".sbatch",
                   ".bash")
SKIP_DIRS = {".git", "__pycache__", "data"}  # tests/data holds third-party outputs, not the project's prose

LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]*)(?:\s+\"[^\"]*\")?\)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
DOC_PATH = re.compile(r"(?<![\w./-])(?:\.\./)*docs/(?P<name>[\w.-]+\.md)")
# A document name followed by section numbers: "model.md §2.1, §2.3", "model.md section 4", "model.md 2.1".
SECTION_REF = re.compile(
    r"(?<![\w-])(?P<name>[\w-]+\.md)(?P<refs>(?:(?:\s*,\s*|\s+and\s+|\s+)(?:§\s?|section\s+)\d+(?:\.\d+)*)+"
    r"|\s+\d+\.\d+(?:\.\d+)*\b)")
SECTION_NUMBER = re.compile(r"\d+(?:\.\d+)*")
BARE_SECTION = re.compile(r"§\s?(?P<number>\d+(?:\.\d+)*)")
HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
NUMBERED_HEADING = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\.?\s")
FENCE = re.compile(r"^\s*(```|~~~)")


def walk(root, directory, suffixes):
    top = os.path.join(root, directory)
    if os.path.isfile(top):
        yield top
        return
    for base, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
        for name in sorted(files):
            if name.endswith(suffixes) or name == "CMakeLists.txt":
                yield os.path.join(base, name)


def markdown_files(root):
    files = [os.path.join(root, "README.md")]
    for d in MARKDOWN_DIRS:
        files.extend(walk(root, d, (".md",)))
    return [f for f in files if os.path.isfile(f)]


def source_files(root):
    files = [os.path.join(root, "CMakeLists.txt")]
    for d in SOURCE_DIRS:
        files.extend(f for f in walk(root, d, SOURCE_SUFFIXES) if not f.endswith(".md") and f != THIS_FILE)
    return sorted(set(f for f in files if os.path.isfile(f)))


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().split("\n")


def github_anchor(title):
    """The id GitHub gives a heading: text without markup, lower case, punctuation dropped, spaces to hyphens."""
    text = html.unescape(title)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_]{1,3}([^*_]+)[*_]{1,3}", r"\1", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


class Document:
    """Headings of one Markdown file: GitHub anchors and section numbers."""

    def __init__(self, path):
        self.anchors = set()
        self.sections = set()
        seen = {}
        in_code = False
        for line in read_lines(path):
            if FENCE.match(line):
                in_code = not in_code
                continue
            match = None if in_code else HEADING.match(line)
            if not match:
                continue
            title = match.group("title")
            anchor = github_anchor(title)
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            self.anchors.add(anchor if count == 0 else f"{anchor}-{count}")
            number = NUMBERED_HEADING.match(title)
            if number:
                self.sections.add(number.group("number"))
        for line in read_lines(path):  # explicit anchors: <a id="..."> / <a name="...">
            for m in re.finditer(r"<a\s+(?:id|name)=\"([^\"]+)\"", line):
                self.anchors.add(m.group(1))


class Checker:
    def __init__(self, root):
        self.root = root
        self.failures = []
        self.checked = 0
        self.documents = {}

    def relative(self, path):
        return os.path.relpath(path, self.root)

    def fail(self, path, line, message):
        self.failures.append(f"{self.relative(path)}:{line}: {message}")

    def run(self):
        for path in markdown_files(self.root):
            self.check_markdown_links(path)
            self.check_references(path)
        for path in source_files(self.root):
            self.check_references(path)
        return self

    def document(self, path):
        path = os.path.normpath(path)
        if path not in self.documents:
            self.documents[path] = Document(path)
        return self.documents[path]

    def check_link(self, path, number, target):
        self.checked += 1
        target = target.strip("<>")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
            return  # http:, https:, mailto:: not checked (no network)
        file_part, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
        if not os.path.exists(resolved):
            self.fail(path, number, f"link target '{target}' does not exist ({self.relative(resolved)})")
            return
        if not os.path.realpath(resolved).startswith(os.path.realpath(self.root) + os.sep):
            self.fail(path, number, f"link target '{target}' leaves the repository")
            return
        if anchor:
            if not resolved.endswith(".md") or os.path.isdir(resolved):
                self.fail(path, number, f"anchor '#{anchor}' on '{file_part}', which is not a Markdown file")
            elif anchor not in self.document(resolved).anchors:
                self.fail(path, number, f"link '{target}': no heading with anchor '#{anchor}' in "
                                        f"{self.relative(resolved)}")

    def check_markdown_links(self, path):
        in_code = False
        for number, line in enumerate(read_lines(path), 1):
            if FENCE.match(line):
                in_code = not in_code
                continue
            if in_code:
                continue
            prose = re.sub(r"`[^`]*`", "", line)
            for match in LINK.finditer(prose):
                self.check_link(path, number, match.group("target"))

    def find_document(self, path, name):
        """A document named in a section reference: docs/<name>, else beside the referring file."""
        for candidate in (os.path.join(self.root, "docs", name), os.path.join(os.path.dirname(path), name)):
            if os.path.isfile(candidate):
                return candidate
        return None

    def check_references(self, path):
        in_model = os.path.normpath(path) == os.path.join(self.root, "docs", "model.md")
        markdown = path.endswith(".md")
        for number, line in enumerate(read_lines(path), 1):
            # In Markdown, link targets are checked as links; a mention in the text is checked here.
            text = LINK_TARGET.sub("]", line) if markdown else line
            for match in DOC_PATH.finditer(text):
                self.checked += 1
                if not os.path.isfile(os.path.join(self.root, "docs", match.group("name"))):
                    self.fail(path, number, f"'{match.group(0)}' does not exist")
            for match in SECTION_REF.finditer(text):
                name = match.group("name")
                document = self.find_document(path, name)
                if document is None:
                    if name != "README.md":
                        self.fail(path, number, f"section reference '{match.group(0).strip()}': no document {name}")
                    continue
                sections = self.document(document).sections
                for section in SECTION_NUMBER.findall(match.group("refs")):
                    self.checked += 1
                    if section not in sections:
                        self.fail(path, number, f"'{match.group(0).strip()}': {self.relative(document)} has no section "
                                                f"{section} (it has {', '.join(sorted(sections)) or 'none'})")
            if in_model:
                for match in BARE_SECTION.finditer(line):
                    self.checked += 1
                    if match.group("number") not in self.document(path).sections:
                        self.fail(path, number, f"'{match.group(0)}': docs/model.md has no such section")


SELF_TEST_FILES = {
    "README.md": "[ok](docs/a.md#1-intro) [gone](docs/missing.md) [anchor](docs/a.md#no-such-heading)\n"
                 "`[in code](nowhere.md)` [web](https://example.org/x.md)\n",
    "docs/a.md": "# Title\n\n## 1. Intro\n\nSee [below](#2-more) and [model](model.md#1-only).\n",
    "docs/model.md": "# Model\n\n## 1. Only\n\nAs §1 says, not §3.\n",
    "inputs/x.toml": "rule = 1  # docs/model.md §1, §2.1 (model.md 1.4); docs/nothing.md\n",
    "src/y.cpp": "// docs/model.md section 1 and docs/a.md\n",
}
SELF_TEST_EXPECTED = [  # the failures the checker must report on SELF_TEST_FILES, by file:line and a word
    ("README.md:1", "docs/missing.md"), ("README.md:1", "no-such-heading"), ("docs/a.md:5", "2-more"),
    ("docs/model.md:5", "§3"), ("inputs/x.toml:1", "2.1"), ("inputs/x.toml:1", "1.4"),
    ("inputs/x.toml:1", "docs/nothing.md"),
]


def self_test(scratch):
    """The checker finds exactly the planted failures of a small tree (so that it can fail)."""
    root = os.path.join(scratch, "link_self_test")
    for name, text in SELF_TEST_FILES.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    found = Checker(root).run().failures
    missing = [e for e in SELF_TEST_EXPECTED if not any(f.startswith(e[0] + ":") and e[1] in f for f in found)]
    return [f"self-test: expected a failure at {where} about '{what}'" for where, what in missing] + (
        [f"self-test: {len(found)} failures instead of {len(SELF_TEST_EXPECTED)}: {found}"]
        if len(found) != len(SELF_TEST_EXPECTED) else [])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scratch", help="directory for the checker's self-test (default: a temporary one)")
    for option in ("--cli", "--inputs"):
        parser.add_argument(option, help="accepted for ctest, not used")
    args = parser.parse_args()

    scratch = args.scratch or tempfile.mkdtemp(prefix="ttcg-links-")
    os.makedirs(scratch, exist_ok=True)
    checker = Checker(REPOSITORY).run()
    checker.failures += self_test(scratch)
    for failure in checker.failures:
        print(failure)
    if checker.failures:
        print(f"FAIL: {len(checker.failures)} unresolved of {checker.checked} links and references")
        return 1
    print(f"OK: {checker.checked} links and references resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
