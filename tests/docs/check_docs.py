#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""check_docs.py - keep the scenarios and the quoted output in the markdown docs true.

Every fenced block of a document that is a scenario, or that quotes what vmxsim
prints, says so (docs/goldens.md, "Checked documentation"), and this script
runs it:

  ```scn             a whole scenario: `vmxsim run` must exit 0 (or, with
                     `<!-- scn: golden=traces/X.trace -->`, `vmxsim check` against it)
  ```scn-error       a whole scenario that vmxsim must refuse: exit 2 and one
                     located message FILE:LINE:COL: ...
  ```scn-fragment    part of a scenario (a grammar snippet): not run
  <!-- trace: SOURCE [format=F] [sed=EXPR]... [lines=A-B] -->
                     the block is an excerpt of `vmxsim run SOURCE --format F`:
                     its lines appear in that output, in this order
  ```console         a terminal session: `$ COMMAND` lines and what they print
  <!-- unchecked: REASON -->
                     looks like a scenario or like vmxsim output, but is not one

A block that has scenario statements or vmxsim output lines and none of these
marks is an error, so a new example cannot escape unnoticed.

  check_docs.py list DOC...        the checked blocks: "STEM INDEX LINE ROLE" a line
  check_docs.py lint DOC...        the marks are well-formed and nothing is unmarked
  check_docs.py check --vmxsim BIN --work DIR DOC [INDEX...]
                                   run the blocks (all of them, or these)

With VMXSIM_UPDATE_DOCS=1 in the environment (or --update), `check` rewrites
each excerpt and session output that differs with what the run prints, in
place (refused when CI is set). Exit status: 0 all held, 1 a block does not
hold, 2 bad usage or a malformed mark.

Python 3 standard library only.
"""

import argparse
import difflib
import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from doc_marks import Doc, lint, parse_args, scenario_file_name, session_commands
from excerpt_match import align, line_key, match_stream

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_TIMEOUT = 300

# ---------------------------------------------------------------- running vmxsim

def child_env():
    env = dict(os.environ)
    for k in ('VMXSIM_UPDATE_GOLDEN', 'VMXSIM_UPDATE_DOCS'):
        env.pop(k, None)
    env['LC_ALL'] = 'C'
    env['TZ'] = 'UTC'
    return env


def write_scenario(b, directory):
    """Write the scenario block into directory under its file name; return that name."""
    name = scenario_file_name(b)
    with open(os.path.join(directory, name), 'w', encoding='utf-8') as f:
        f.write('\n'.join(b.lines) + '\n')
    return name


def run(argv, cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    try:
        return subprocess.run(argv, cwd=cwd, stdout=stdout, stderr=stderr, env=child_env(),
                              timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure('%s did not finish in %d s' % (' '.join(argv), RUN_TIMEOUT))


class Failure(Exception):
    """The block does not hold: the message says where and why."""


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def text_of(data):
    return data.decode('utf-8', errors='replace')


def check_scenario(b, ctx):
    d = fresh_dir(ctx.block_dir(b))
    name = write_scenario(b, d)
    what = '%s (written to %s)' % (b.where(None), os.path.join(d, name))
    if b.role == 'scn' and 'golden' in b.attrs:
        golden = os.path.join(d, os.path.basename(b.attrs['golden']))
        shutil.copyfile(os.path.join(ctx.root, b.attrs['golden']), golden)
        p = run([ctx.vmxsim, 'check', name, '--golden', os.path.basename(golden)], d)
        if p.returncode != 0:
            raise Failure('%s: `vmxsim check %s --golden %s` exits %d:\n%s%s'
                          % (what, name, b.attrs['golden'], p.returncode, text_of(p.stdout), text_of(p.stderr)))
        return 'holds and its trace equals %s' % b.attrs['golden']
    with open(os.path.join(d, 'trace'), 'wb') as out:
        p = run([ctx.vmxsim, 'run', name], d, stdout=out)
    err = text_of(p.stderr)
    if b.role == 'scn':
        if p.returncode != 0:
            raise Failure('%s: `vmxsim run %s` exits %d (0: every expectation holds):\n%s'
                          % (what, name, p.returncode, err))
        return 'runs and holds'
    if p.returncode != 2:
        raise Failure('%s: a refused scenario, but `vmxsim run %s` exits %d (2: refused):\n%s'
                      % (what, name, p.returncode, err))
    msgs = err.splitlines()
    pat = re.compile(r'^%s:\d+:\d+: \S' % re.escape(name))
    if len(msgs) != 1 or not pat.match(msgs[0]):
        raise Failure('%s: refused, but not with one located message %s:LINE:COL: ...:\n%s'
                      % (what, name, err))
    return 'is refused: ' + msgs[0]


def excerpt_segments(b):
    """The lines an excerpt asserts, as segments [[(content index, text), ...], ...]: a '...' line
    ends one segment and starts the next. Blank lines and captions (lines that start with '# ')
    assert nothing; lines=A-B limits the excerpt to those lines of the block."""
    lo, hi = b.attrs.get('lines', (0, len(b.lines)))
    segs = [[]]
    for i in range(lo, hi):
        t = b.lines[i].rstrip()
        if t.strip() == '...':
            if segs[-1]:
                segs.append([])
        elif t.strip() and not (t == '#' or t.startswith('# ')):
            segs[-1].append((i, t))
    return [sg for sg in segs if sg], any(b.lines[i].strip() == '...' for i in range(lo, hi))


def trace_command(b, ctx, d):
    """The argv and directory that give the excerpt's output; the scenario copied or written as needed."""
    src = b.attrs['source']
    fmt = b.attrs.get('format')
    if src.startswith('#'):
        cwd = d
        target = b.doc.named(src[1:])
        if target is None:
            raise Failure('%s: no ```scn block of %s is named %s' % (b.where(None), b.doc.display, src[1:]))
        name = write_scenario(target, d)
        shown = '%s (the ```scn block at line %d)' % (name, target.fence_line)
    elif b.attrs['sed']:
        cwd = d
        name = os.path.basename(src)
        argv = ['sed']
        for e in b.attrs['sed']:
            argv += ['-e', e]
        argv.append(os.path.join(ctx.root, src))
        with open(os.path.join(d, name), 'wb') as out:
            p = run(argv, d, stdout=out)
        if p.returncode != 0:
            raise Failure('%s: sed on %s fails:\n%s' % (b.where(None), src, text_of(p.stderr)))
        shown = '%s modified by sed %s' % (src, ' '.join("-e '%s'" % e for e in b.attrs['sed']))
    else:
        cwd = ctx.root
        name = src
        shown = src
    argv = [ctx.vmxsim, 'run', name] + (['--format', fmt] if fmt else [])
    return argv, cwd, '`vmxsim run %s%s`' % (shown, ' --format ' + fmt if fmt else '')


def check_trace(b, ctx):
    d = fresh_dir(ctx.block_dir(b))
    argv, cwd, shown = trace_command(b, ctx, d)
    segments, contiguous = excerpt_segments(b)
    flat = [x for sg in segments for x in sg]
    expected = [t for _, t in flat]
    keys = set(line_key(t) for t in expected)
    keep = (lambda line: True) if contiguous else (lambda line: line_key(line) in keys)
    with tempfile.TemporaryFile(dir=d) as errf:
        with subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=errf, env=child_env()) as p:
            lines = (text_of(raw) for raw in p.stdout)
            found, last_at, kept, total = match_stream(segments, contiguous, lines, keep)
            p.stdout.close()
            rc = p.wait(timeout=RUN_TIMEOUT)
        errf.seek(0)
        err = text_of(errf.read())
    if rc not in (0, 1):
        raise Failure('%s: %s exits %d:\n%s' % (b.where(None), shown, rc, err))
    wanted = len(segments) if contiguous else len(flat)
    if found == wanted:
        return 'all %d lines are in %s%s' % (len(flat), shown, ', in %d runs of consecutive lines'
                                             % len(segments) if contiguous else '')
    picks, stuck = align(expected, kept)
    replacement = None
    if picks is not None:
        replacement = list(b.lines)
        if not contiguous:
            for (i, _), ci in zip(flat, picks):
                replacement[i] = kept[ci][1]
        else:
            # Each segment becomes the run of output lines from its first line to its last.
            runs, k = {}, 0
            for sg in segments:
                first, last = picks[k], picks[k + len(sg) - 1]
                runs[sg[0][0]] = [t for _, t in kept[first:last + 1]]
                for i, _ in sg[1:]:
                    runs[i] = []
                k += len(sg)
            replacement = []
            for i, line in enumerate(b.lines):
                replacement.extend(runs[i] if i in runs else [line])
    if ctx.update and replacement is not None:
        ctx.rewrite(b, replacement)
        return 'rewritten from %s' % shown
    if contiguous:
        sg = segments[found]
        msg = ['%s: these %d lines of the excerpt (up to the next "...") do not follow one another in %s '
               '(%d lines)%s:' % (b.where(sg[0][0]), len(sg), shown, total,
                                  ', after its line %d where the part before ended' % last_at if found else '')]
        msg.extend('    ' + t for _, t in sg)
    else:
        i, t = flat[found]
        msg = ['%s: this line of the excerpt is not in %s (%d lines)%s:'
               % (b.where(i), shown, total,
                  ', after its line %d, which matched the excerpt\'s line before' % last_at if found else ''),
               '    ' + t]
    if replacement is None:
        j = flat[stuck][0]
        msg.append('%s: no output line of its kind (%s) follows the lines placed before it, so the '
                   'excerpt cannot be brought up to date by itself: edit it by hand' %
                   (b.where(j), ' '.join(x for x in line_key(expected[stuck])[1:] if x)))
    else:
        msg.append('The excerpt as this run gives it (VMXSIM_UPDATE_DOCS=1 ctest -L docs writes it):')
        msg.append('```')
        msg.extend(replacement)
        msg.append('```')
        msg.extend(difflib.unified_diff(b.lines, replacement, b.doc.display, shown, lineterm='', n=0))
    raise Failure('\n'.join(msg))


def glob_match(expected, actual):
    """Does actual equal expected, where an expected '...' line stands for any number of lines?"""
    segs = [[]]
    for e in expected:
        if e.strip() == '...':
            segs.append([])
        else:
            segs[-1].append(e)
    if len(segs) == 1:
        return expected == actual
    first, last, middle = segs[0], segs[-1], segs[1:-1]
    if actual[:len(first)] != first:
        return False
    pos = len(first)
    end = len(actual) - len(last)
    if end < pos or (last and actual[end:] != last):
        return False
    for seg in middle:
        if not seg:
            continue
        found = None
        for s in range(pos, end - len(seg) + 1):
            if actual[s:s + len(seg)] == seg:
                found = s
                break
        if found is None:
            return False
        pos = found + len(seg)
    return True


TMP_RE = re.compile(r'(?<![\w./-])/tmp/')


def has_pipe(cmd):
    """Does the shell command have a pipe outside quotes?"""
    lexer = shlex.shlex(cmd.replace('\\\n', ' '), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return any(t == '|' for t in lexer)
    except ValueError:
        return True


def check_console(b, ctx):
    base = fresh_dir(ctx.block_dir(b))
    cwd = os.path.join(base, 'cwd')
    binp = os.path.join(base, 'bin')
    tmp = os.path.join(base, 'tmp')
    for p in (cwd, binp, tmp):
        os.makedirs(p)
    os.symlink(ctx.vmxsim, os.path.join(binp, 'vmxsim'))
    os.makedirs(os.path.join(cwd, 'build', 'cli'))
    os.symlink(ctx.vmxsim, os.path.join(cwd, 'build', 'cli', 'vmxsim'))
    for sub in ('scenarios', 'traces'):
        os.symlink(os.path.join(ctx.root, sub), os.path.join(cwd, sub))
    for other in b.doc.blocks:
        if other.role in ('scn', 'scn-error') and 'name' in other.attrs:
            write_scenario(other, cwd)
    env = child_env()
    env['PATH'] = binp + os.pathsep + env.get('PATH', '/usr/bin:/bin')
    cmds = session_commands(b)
    # Rebuild the block from its commands: each command's lines, then its output.
    new_lines = []
    failures = []
    for cmd, expected, at in cmds:
        real = TMP_RE.sub(tmp + '/', cmd)
        for path in re.findall(r'%s/(\S+)/' % re.escape(tmp), real):
            os.makedirs(os.path.join(tmp, path), exist_ok=True)
        # What a terminal shows: stdout and stderr in one stream. In a pipeline the two would
        # come in no fixed order, so there stderr must stay empty (or be redirected).
        piped = has_pipe(cmd)
        try:
            p = subprocess.run(['/bin/sh', '-c', real], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE if piped else subprocess.STDOUT, env=env,
                               timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure('%s: `%s` did not finish in %d s' % (b.where(at), cmd, RUN_TIMEOUT))
        if piped and p.stderr:
            raise Failure('%s: `%s` writes on stderr, which would mix with the pipe\'s output in no '
                          'fixed order: redirect it (2>/dev/null, or 2>&1 before the pipe):\n%s'
                          % (b.where(at), cmd.split('\n')[0], text_of(p.stderr)))
        got = text_of(p.stdout).replace(tmp + '/', '/tmp/').replace(cwd + '/', '')
        actual = [l.rstrip() for l in got.split('\n')]
        if actual and actual[-1] == '':
            actual.pop()
        new_lines.extend(['$ ' + c for c in cmd.split('\n')[:1]] + cmd.split('\n')[1:])
        if glob_match(expected, actual):
            new_lines.extend(expected)
            continue
        if any(e.strip() == '...' for e in expected):
            plain = [e for e in expected if e.strip() != '...']
            picks, _ = align(plain, list(enumerate(actual)))
            fixed = list(expected)
            if picks is not None:
                it = iter(picks)
                for n, e in enumerate(expected):
                    if e.strip() != '...':
                        fixed[n] = actual[next(it)]
            if picks is None or not glob_match(fixed, actual):
                fixed = None
        else:
            fixed = actual
        new_lines.extend(fixed if fixed is not None else expected)
        failures.append((cmd, at, expected, actual, fixed))
    if not failures:
        return '%d command%s print what the block shows' % (len(cmds), '' if len(cmds) == 1 else 's')
    if ctx.update and all(f[4] is not None for f in failures):
        ctx.rewrite(b, new_lines)
        return 'rewritten from the commands\' output'
    msg = []
    for cmd, at, expected, actual, fixed in failures:
        msg.append('%s: `%s` prints something else than the block shows:' % (b.where(at), cmd.split('\n')[0]))
        msg.extend(difflib.unified_diff(expected, actual, 'the block', 'the output', lineterm='', n=2))
        if fixed is None:
            msg.append('(the elided lines "..." cannot be placed in this output: edit the block by hand)')
    if all(f[4] is not None for f in failures):
        msg.append('The block as the commands print it (VMXSIM_UPDATE_DOCS=1 ctest -L docs writes it):')
        msg.append('```console')
        msg.extend(new_lines)
        msg.append('```')
    raise Failure('\n'.join(msg))


# ---------------------------------------------------------------- update in place

class Context:
    def __init__(self, vmxsim, work, root, update):
        self.vmxsim = os.path.abspath(vmxsim)
        self.work = os.path.abspath(work)
        self.root = root
        self.update = update

    def block_dir(self, b):
        return os.path.join(self.work, b.doc.stem, str(b.index))

    def rewrite(self, b, new_lines):
        """Replace the content of block b in its document, under a lock: other blocks of the
        same document may be rewritten at the same time by other tests."""
        os.makedirs(self.work, exist_ok=True)
        with open(os.path.join(self.work, '.update.lock'), 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            doc = Doc(b.doc.path, self.root)
            cur = [x for x in doc.checked() if x.index == b.index]
            if not cur or cur[0].lines != b.lines or cur[0].role != b.role:
                raise Failure('%s: the block changed while it was checked; run again' % b.where(None))
            cur = cur[0]
            text_lines = doc.text.split('\n')
            pad = ' ' * cur.indent
            body = [(pad + l) if l else l for l in new_lines]
            first = cur.fence_line          # index of the first content line (0-based: fence_line)
            text_lines[first:first + len(cur.lines)] = body
            tmp = doc.path + '.update.tmp'
            with open(tmp, 'w', encoding='utf-8') as f:
                f.write('\n'.join(text_lines))
            os.replace(tmp, doc.path)


def ci_set():
    ci = os.environ.get('CI')
    return bool(ci) and ci not in ('0', 'false')


def check_block(b, ctx):
    if b.role in ('scn', 'scn-error'):
        return check_scenario(b, ctx)
    if b.role == 'trace':
        return check_trace(b, ctx)
    return check_console(b, ctx)


def main(argv):
    ap = argparse.ArgumentParser(prog='check_docs.py', description=__doc__.split('\n')[0])
    ap.add_argument('command', choices=('list', 'lint', 'check'))
    ap.add_argument('docs', nargs='+', metavar='DOC [INDEX...]')
    ap.add_argument('--vmxsim', help='the vmxsim binary (check)')
    ap.add_argument('--work', help='a directory for the scenarios and runs (check)')
    ap.add_argument('--root', default=ROOT, help='the source tree (default: %(default)s)')
    ap.add_argument('--update', action='store_true', help='rewrite what differs (as VMXSIM_UPDATE_DOCS=1)')
    a = ap.parse_args(argv)
    root = os.path.abspath(a.root)

    if a.command in ('list', 'lint'):
        docs = a.docs
        indexes = []
    else:
        docs = [a.docs[0]]
        indexes = a.docs[1:]
        if not a.vmxsim or not a.work:
            ap.error('check needs --vmxsim BIN and --work DIR')
        if not all(re.match(r'^\d+$', i) for i in indexes):
            ap.error('check takes one DOC and block indexes (from list)')
    try:
        parsed = [Doc(p, root) for p in docs]
    except OSError as e:
        print('check_docs.py: %s' % e, file=sys.stderr)
        return 2

    if a.command == 'list':
        stems = {}
        for d in parsed:
            if d.stem in stems:
                print('check_docs.py: %s and %s have the same name' % (stems[d.stem], d.display),
                      file=sys.stderr)
                return 2
            stems[d.stem] = d.display
            for b in d.checked():
                print('%s %d %d %s' % (d.stem, b.index, b.fence_line, b.role))
        return 0

    if a.command == 'lint':
        problems = [p for d in parsed for p in lint(d)]
        for p in problems:
            print(p)
        if not problems:
            for d in parsed:
                roles = {}
                for b in d.blocks:
                    roles[b.role or 'plain'] = roles.get(b.role or 'plain', 0) + 1
                print('%s: %s' % (d.display, ', '.join('%d %s' % (n, r) for r, n in sorted(roles.items()))
                                  or 'no fenced blocks'))
        return 2 if problems else 0

    update = a.update or os.environ.get('VMXSIM_UPDATE_DOCS', '') not in ('', '0')
    if update and ci_set():
        print('check_docs.py: refusing to rewrite the docs when CI is set: quoted output changes only '
              'on purpose, reviewed like code', file=sys.stderr)
        return 2
    if not os.access(a.vmxsim, os.X_OK):
        print('check_docs.py: %s is not an executable vmxsim' % a.vmxsim, file=sys.stderr)
        return 2
    doc = parsed[0]
    # Checking chosen blocks leaves the marks of the rest to `lint` (the ctest docs.STEM.marks).
    problems = [p for p in lint(doc)] if not indexes else []
    if problems:
        for p in problems:
            print(p)
        return 2
    ctx = Context(a.vmxsim, a.work, root, update)
    blocks = doc.checked()
    if indexes:
        want = [int(i) for i in indexes]
        missing = [i for i in want if not 1 <= i <= len(blocks)]
        if missing:
            print('check_docs.py: %s has %d checked blocks, not %s' % (doc.display, len(blocks), missing[0]),
                  file=sys.stderr)
            return 2
        blocks = [blocks[i - 1] for i in want]
    status = 0
    for b in blocks:
        try:
            print('%s: %s %d: %s' % (b.where(None), b.role, b.index, check_block(b, ctx)))
        except Failure as e:
            print(str(e))
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
