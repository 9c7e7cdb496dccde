#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""doc_marks.py - the marked blocks of a markdown document, for check_docs.py.

A document's fenced blocks, the marks that say what each one is (a scenario,
an excerpt of vmxsim's output, a terminal session, or unchecked), and the
lint that refuses a block that looks like a scenario or like vmxsim output
but carries no mark. Python 3 standard library only.
"""

import os
import re
import shlex

FENCE_RE = re.compile(r'^( {0,3})(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$')
MARK_RE = re.compile(r'^\s*<!--\s*([a-z][a-z-]*)\s*:(.*?)-->\s*$')
MARK_START_RE = re.compile(r'^\s*<!--\s*(scn|trace|unchecked)\s*:')
KNOWN_MARKS = ('scn', 'trace', 'unchecked')
SCN_ROLES = ('scn', 'scn-error', 'scn-fragment')
FORMATS = ('text', 'jsonl', 'ftrace', 'ftrace-ns', 'perfetto', 'vcd')

# A line that only a scenario has: a top-level statement with its first argument.
SCENARIO_LINE_RE = re.compile(
    r'^\s*(?:run\s+\d|cpu\s+[a-z]|l0\s+[a-z]|vcpus\s+\d|guest\s+L[12]\b|expect\s+\w'
    r'|at\s+\d|every\s+\d|on\s+(?:every\s+|\d+(?:st|nd|rd|th)\s+)?'
    r'(?:exit|entry|entry-fail|deliver|inject|iret|hlt)\b)')
# A line that only vmxsim prints: a text trace line, a JSONL or Perfetto record,
# an ftrace line, a located message about a scenario, or a shell prompt.
OUTPUT_LINE_RE = re.compile(
    r'^\s*(?:\d+ cpu\d+ L\d [a-z_]|\{"(?:cycle|ph|displayTimeUnit)"'
    r'|\S+-\d+\s+\[\d{3}\]\s+\d+\.\d{6}:|\S+\.scn:\d+:\d+: |\$ )')

FTRACE_LINE_RE = re.compile(r'^\s*(\S+-\d+)\s+\[\d+\]\s+[\d.]+:\s+(\S+):')


class MarkError(Exception):
    """A malformed or missing mark: reported as DOC:LINE: message, exit status 2."""


class Block:
    """One fenced block: where it is, what it holds and what it is."""

    def __init__(self, doc, fence_line, indent, fence, info, lines, mark):
        self.doc = doc
        self.fence_line = fence_line      # 1-based line of the opening fence
        self.indent = indent
        self.fence = fence
        self.info = info
        self.lines = lines                # the content, indentation removed
        self.mark = mark                  # (keyword, args, line) or None
        self.role = None                  # scn, scn-error, scn-fragment, trace, console, unchecked
        self.attrs = {}
        self.index = 0                    # 1-based among the checked blocks

    def where(self, offset=0):
        """DOC:LINE of the opening fence, or of content line `offset` (0-based)."""
        return '%s:%d' % (self.doc.display, self.fence_line + (offset + 1 if offset is not None else 0))


class Doc:
    def __init__(self, path, root):
        self.path = os.path.abspath(path)
        self.root = root
        rel = os.path.relpath(self.path, root)
        self.display = rel if not rel.startswith('..') else path
        self.stem = os.path.splitext(os.path.basename(path))[0]
        with open(self.path, encoding='utf-8') as f:
            self.text = f.read()
        self.blocks = []
        self.problems = []                # (line, message) found while reading
        self._parse()

    def _parse(self):
        lines = self.text.split('\n')
        i = 0
        pending_mark = None
        while i < len(lines):
            line = lines[i]
            m = FENCE_RE.match(line)
            if not m:
                mark = MARK_RE.match(line)
                if mark:
                    pending_mark = (mark.group(1), mark.group(2).strip(), i + 1)
                elif MARK_START_RE.match(line):
                    self.problems.append((i + 1, 'a mark must be one line: <!-- KEYWORD: ... -->'))
                elif line.strip():
                    if pending_mark and pending_mark[0] in KNOWN_MARKS:
                        self.problems.append((pending_mark[2], "the mark '%s' is not followed by a fenced block"
                                              % pending_mark[0]))
                    pending_mark = None
                i += 1
                continue
            if pending_mark and pending_mark[0] not in KNOWN_MARKS:
                self.problems.append((pending_mark[2], "unknown mark '%s' before a fenced block: expected %s"
                                      % (pending_mark[0], ', '.join(KNOWN_MARKS))))
                pending_mark = None
            indent, fence, info = len(m.group(1)), m.group(2), m.group(3)
            start = i
            body = []
            i += 1
            closed = False
            while i < len(lines):
                c = lines[i]
                stripped = c.lstrip(' ')
                if (len(c) - len(stripped) <= 3 and stripped.startswith(fence[0] * len(fence))
                        and not stripped.rstrip().lstrip(fence[0])):
                    closed = True
                    break
                # CommonMark: up to the fence's indentation is removed from each line.
                n = 0
                while n < indent and n < len(c) and c[n] == ' ':
                    n += 1
                body.append(c[n:])
                i += 1
            if not closed:
                self.problems.append((start + 1, 'a fenced block that is never closed'))
            block = Block(self, start + 1, indent, fence, info, body, pending_mark)
            pending_mark = None
            self.blocks.append(block)
            i += 1
        if pending_mark and pending_mark[0] in KNOWN_MARKS:
            self.problems.append((pending_mark[2], "the mark '%s' is not followed by a fenced block"
                                  % pending_mark[0]))
        n = 0
        for b in self.blocks:
            try:
                classify(b)
            except MarkError as e:
                self.problems.append((b.mark[2] if b.mark else b.fence_line, str(e)))
                continue
            if b.role in ('scn', 'scn-error', 'trace', 'console'):
                n += 1
                b.index = n

    def checked(self):
        return [b for b in self.blocks if b.index]

    def named(self, name):
        for b in self.blocks:
            if b.role in ('scn', 'scn-error') and b.attrs.get('name') == name:
                return b
        return None


def parse_args(text, where):
    """KEY=VALUE words (shell quoting) and bare words of a mark."""
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise MarkError('%s: cannot split the mark into words: %s' % (where, e))
    return words


def classify(b):
    """Set b.role and b.attrs from the info string and the mark; raise MarkError if they disagree."""
    word = b.info.split()[0] if b.info.split() else ''
    kw = b.mark[0] if b.mark else None
    args = parse_args(b.mark[1], 'line %d' % b.mark[2]) if b.mark else []
    if kw == 'unchecked':
        if not b.mark[1]:
            raise MarkError("'unchecked' needs a reason: <!-- unchecked: why this block is not run -->")
        b.role = 'unchecked'
        return
    if word in SCN_ROLES:
        b.role = word
        if kw == 'trace':
            raise MarkError('a ```%s block is a scenario, not a trace excerpt' % word)
        for a in args:
            k, eq, v = a.partition('=')
            if not eq or k not in ('name', 'file', 'golden') or not v:
                raise MarkError("unknown word '%s' in the scn mark: expected name=NAME, file=FILE, "
                                "golden=traces/X.trace" % a)
            b.attrs[k] = v
        if word == 'scn-fragment' and b.attrs:
            raise MarkError('a scn-fragment is not run: it takes no name, file or golden')
        if 'name' in b.attrs and not re.match(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$', b.attrs['name']):
            raise MarkError("name '%s': letters, digits, '_', '-' and '.'" % b.attrs['name'])
        if 'file' in b.attrs and ('/' in b.attrs['file'] or not b.attrs['file'].endswith('.scn')):
            raise MarkError("file '%s': a plain file name ending in .scn" % b.attrs['file'])
        if word == 'scn-error' and 'golden' in b.attrs:
            raise MarkError('a refused scenario has no golden')
        return
    if kw == 'scn':
        raise MarkError("a 'scn' mark belongs before a ```scn or ```scn-error block")
    if word == 'console':
        if kw:
            raise MarkError('a ```console block is checked as it stands: it takes no mark')
        b.role = 'console'
        if not b.lines or not b.lines[0].startswith('$ '):
            raise MarkError('a ```console block starts with a "$ COMMAND" line')
        return
    if kw == 'trace':
        b.role = 'trace'
        if not args:
            raise MarkError('trace: needs the scenario it comes from (scenarios/X.scn, or #NAME of a '
                            '```scn block of this document)')
        b.attrs['source'] = args[0]
        b.attrs['sed'] = []
        for a in args[1:]:
            k, eq, v = a.partition('=')
            if not eq:
                raise MarkError("unknown word '%s' in the trace mark: expected format=, sed=, lines=" % a)
            if k == 'format':
                if v not in FORMATS:
                    raise MarkError("format=%s: expected one of %s" % (v, ', '.join(FORMATS)))
                b.attrs['format'] = v
            elif k == 'sed':
                b.attrs['sed'].append(v)
            elif k == 'lines':
                m = re.match(r'^(\d+)-(\d+)$', v)
                if not m or not 1 <= int(m.group(1)) <= int(m.group(2)) <= len(b.lines):
                    raise MarkError('lines=%s: expected A-B within the block\'s %d lines' % (v, len(b.lines)))
                b.attrs['lines'] = (int(m.group(1)) - 1, int(m.group(2)))
            else:
                raise MarkError("unknown word '%s' in the trace mark: expected format=, sed=, lines=" % a)
        src = b.attrs['source']
        if not src.startswith('#') and not src.endswith('.scn'):
            raise MarkError("trace: '%s' is neither scenarios/X.scn nor #NAME" % src)
        return
    # No mark and no role of ours: it must not look like something that should have one.
    for n, line in enumerate(b.lines):
        if SCENARIO_LINE_RE.match(line.split('#', 1)[0] if not line.lstrip().startswith('#') else ''):
            raise MarkError('this block looks like a scenario (line %d: %r): make it ```scn, '
                            '```scn-error or ```scn-fragment' % (b.fence_line + n + 1, line.strip()))
        if OUTPUT_LINE_RE.match(line):
            raise MarkError('this block looks like vmxsim output (line %d: %r): say where it comes '
                            'from with <!-- trace: scenarios/X.scn -->, make it a ```console session, '
                            'or <!-- unchecked: REASON -->' % (b.fence_line + n + 1, line.strip()))
    b.role = None


def lint(doc):
    """Problems of a document that are not about running anything: list of 'DOC:LINE: message'."""
    out = ['%s:%d: %s' % (doc.display, line, msg) for line, msg in doc.problems]
    names, files = {}, {}
    for b in doc.blocks:
        if b.role in ('scn', 'scn-error') and 'name' in b.attrs:
            if b.attrs['name'] in names:
                out.append('%s:%d: a second scenario block named %s (the first is at line %d)'
                           % (doc.display, b.fence_line, b.attrs['name'], names[b.attrs['name']]))
            names[b.attrs['name']] = b.fence_line
            fname = scenario_file_name(b)
            if fname in files:
                out.append('%s:%d: a second scenario block written to %s (the first is at line %d)'
                           % (doc.display, b.fence_line, fname, files[fname]))
            files[fname] = b.fence_line
        if b.role == 'trace':
            src = b.attrs['source']
            if src.startswith('#'):
                if not doc.named(src[1:]):
                    out.append('%s:%d: trace: no ```scn block of this document is named %s'
                               % (doc.display, b.mark[2], src[1:]))
                elif doc.named(src[1:]).role == 'scn-error':
                    out.append('%s:%d: trace: %s is refused and has no trace; show its message in a '
                               '```console session' % (doc.display, b.mark[2], src))
            elif not os.path.isfile(os.path.join(doc.root, src)):
                out.append('%s:%d: trace: %s does not exist' % (doc.display, b.mark[2], src))
        if b.role == 'scn' and 'golden' in b.attrs and not os.path.isfile(os.path.join(doc.root,
                                                                                      b.attrs['golden'])):
            out.append('%s:%d: golden %s does not exist' % (doc.display, b.mark[2], b.attrs['golden']))
        if b.role == 'scn-error':
            if 'name' not in b.attrs:
                out.append('%s:%d: a ```scn-error block needs <!-- scn: name=NAME --> and a ```console '
                           'session that shows its message' % (doc.display, b.fence_line))
                continue
            fname = scenario_file_name(b)
            shown = any(c.role == 'console' and any(fname in cmd for cmd, _, _ in session_commands(c))
                        for c in doc.blocks)
            if not shown:
                out.append("%s:%d: the refused scenario %s: no ```console session runs it (show its "
                           "message: '$ vmxsim run %s')" % (doc.display, b.fence_line, fname, fname))
    return out


def scenario_file_name(b):
    if 'file' in b.attrs:
        return b.attrs['file']
    if 'name' in b.attrs:
        return b.attrs['name'] + '.scn'
    return 'block-%d.scn' % b.index


def session_commands(b):
    """[(command, [expected output lines], content index of the command)] of a console block."""
    out = []
    i = 0
    while i < len(b.lines):
        line = b.lines[i]
        if line.startswith('$ '):
            at = i
            cmd = line[2:]
            while cmd.endswith('\\') and i + 1 < len(b.lines):
                i += 1
                cmd = cmd + '\n' + b.lines[i]
            out.append((cmd, [], at))
        elif out:
            out[-1][1].append(line.rstrip())
        i += 1
    return out
