#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""selftest.py - check_docs.py on small made-up documents: what holds passes, and what is
wrong fails, says where, and (for excerpts) says or writes what the run prints instead.

  selftest.py --vmxsim BIN --work DIR

The documents are written under DIR from a scenario and a run made here, so they do not go
stale when the model changes. Exit status 0 when every case behaves, 1 otherwise.
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, 'check_docs.py')
ROOT = os.path.dirname(os.path.dirname(HERE))

SCENARIO = """\
# a: one NMI for the guest, handled through its IDT
cpu     nehalem
l0      plain

guest L1
  idt 2 nmi interrupt-gate
main:   sti
loop:   work 1000
        jmp loop
nmi:    work 500
        iret

at 3000 nmi -> L1 cpu0
run 20000

expect count deliver nmi == 1
"""

failures = []


def run(argv, env=None, cwd=None):
    e = dict(os.environ)
    for k in ('CI', 'VMXSIM_UPDATE_DOCS', 'VMXSIM_UPDATE_GOLDEN'):
        e.pop(k, None)
    e.update(env or {})
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=e, cwd=cwd)
    return p.returncode, p.stdout.decode('utf-8', errors='replace')


def expect(case, cond, what, output=''):
    if cond:
        print('ok    %s: %s' % (case, what))
    else:
        print('FAIL  %s: %s' % (case, what))
        if output:
            print('      ' + output.replace('\n', '\n      '))
        failures.append(case)


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def fence(body, info=''):
    return '```%s\n%s```\n' % (info, body if body.endswith('\n') else body + '\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmxsim', required=True)
    ap.add_argument('--work', required=True)
    a = ap.parse_args()
    a.vmxsim = os.path.abspath(a.vmxsim)
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    docs = os.path.join(work, 'docs')
    os.makedirs(docs)
    runs = os.path.join(work, 'runs')

    def check(doc, *more, env=None):
        return run(['/usr/bin/python3', CHECK, 'check', '--vmxsim', a.vmxsim, '--work', runs, doc]
                   + list(more), env)

    def lint(doc):
        return run(['/usr/bin/python3', CHECK, 'lint', doc])

    # The run every excerpt below is cut from.
    write(os.path.join(work, 'a.scn'), SCENARIO)
    rc, out = run([a.vmxsim, 'run', 'a.scn'], cwd=work)
    trace = out.splitlines()
    if rc != 0 or len(trace) < 8:
        print('FAIL  setup: vmxsim run a.scn exits %d:\n%s' % (rc, out))
        return 1
    exits = sum(1 for line in trace if ' vmexit ' in line)
    nmi_scn = open(os.path.join(ROOT, 'scenarios/hw/nmi-window.scn'), encoding='utf-8').read()

    # 1. Everything holds: a scenario, an excerpt of it (a selection, and runs of consecutive
    # lines around "..."), a session, a scenario with its golden, a refused scenario and its message.
    good = os.path.join(docs, 'good.md')
    write(good, '# Good\n\n<!-- scn: name=a -->\n' + fence(SCENARIO, 'scn')
          + '\nA selection:\n\n<!-- trace: #a -->\n' + fence('%s\n%s\n' % (trace[1], trace[5]))
          + '\nTwo runs of lines:\n\n<!-- trace: #a -->\n'
          + fence('# a caption\n%s\n%s\n...\n%s\n' % (trace[1], trace[2], trace[-1]))
          + '\n<!-- trace: scenarios/hw/nmi-window.scn format=jsonl -->\n'
          + fence('{"cycle":0,"cpu":0,"level":1,"event":"vmentry","insn":"vmlaunch","rip":"0x1000"}\n', 'json')
          + '\n' + fence('$ vmxsim run a.scn | grep -c vmexit\n%d\n$ vmxsim run a.scn > /dev/null; echo $?\n0\n'
                         % exits, 'console')
          + '\n<!-- scn: golden=traces/hw/nmi-window.trace -->\n' + fence(nmi_scn, 'scn')
          + '\n<!-- scn: name=bad file=bad.scn -->\n' + fence(SCENARIO.replace('run 20000', 'run 0x'), 'scn-error')
          + '\n' + fence('$ vmxsim run bad.scn; echo $?\n...\n2\n', 'console')
          + '\n' + fence('cpu nehalem vmexit-cycles 1800\n', 'scn-fragment'))
    rc, out = lint(good)
    expect('good', rc == 0, 'lint passes', out)
    rc, out = check(good)
    expect('good', rc == 0, 'every block holds', out)
    expect('good', out.count(': scn ') == 2 and 'is refused: bad.scn:' in out and out.count(': console ') == 2
           and out.count(': trace ') == 3, 'seven blocks ran', out)

    # 2. A stale line in an excerpt: the check fails at that line of the document, shows the
    # line this run prints, and the update mode writes it (but not when CI is set).
    stale = trace[5].replace(trace[5].split()[0], str(int(trace[5].split()[0]) + 7), 1)
    wrong = os.path.join(docs, 'wrong.md')
    text = '# Wrong\n\n<!-- scn: name=a -->\n' + fence(SCENARIO, 'scn') + '\n<!-- trace: #a -->\n' \
        + fence('%s\n%s\n' % (trace[1], stale))
    write(wrong, text)
    stale_line = text.split('\n').index(stale) + 1
    rc, out = check(wrong)
    expect('stale', rc == 1, 'exit status 1', out)
    expect('stale', '%s:%d: this line of the excerpt is not in' % (wrong, stale_line) in out
           or 'wrong.md:%d: this line of the excerpt is not in' % stale_line in out,
           'names the document line of the stale excerpt line', out)
    expect('stale', ('\n' + trace[5] + '\n') in out, 'prints the line the run gives instead', out)
    rc, out = check(wrong, env={'VMXSIM_UPDATE_DOCS': '1', 'CI': 'true'})
    expect('stale', rc == 2 and 'refusing' in out and open(wrong).read() == text,
           'the update is refused when CI is set, the document untouched', out)
    rc, out = check(wrong, env={'VMXSIM_UPDATE_DOCS': '1'})
    new = open(wrong).read()
    expect('stale', rc == 0 and 'rewritten' in out and trace[5] in new and stale not in new
           and new.replace(trace[5], stale) == text, 'the update rewrites exactly that line', out)
    rc, out = check(wrong)
    expect('stale', rc == 0, 'and then the check passes', out)

    # 3. A run of consecutive lines with a gap: the check fails; the update fills the gap in.
    gap = os.path.join(docs, 'gap.md')
    text = '<!-- scn: name=a -->\n' + fence(SCENARIO, 'scn') + '\n<!-- trace: #a -->\n' \
        + fence('%s\n%s\n...\n%s\n' % (trace[1], trace[3], trace[-1]))
    write(gap, text)
    rc, out = check(gap)
    expect('gap', rc == 1 and 'do not follow one another' in out, 'a gap not marked "..." fails', out)
    rc, out = check(gap, env={'VMXSIM_UPDATE_DOCS': '1'})
    expect('gap', rc == 0 and '%s\n%s\n%s\n...\n' % (trace[1], trace[2], trace[3]) in open(gap).read(),
           'the update puts the missing line back', out)

    # 4. A line the run never prints a line of its kind for: no update, edit by hand.
    alien = os.path.join(docs, 'alien.md')
    text = '<!-- scn: name=a -->\n' + fence(SCENARIO, 'scn') + '\n<!-- trace: #a -->\n' \
        + fence('        4000 cpu0 L0 frobnicate    x=1\n')
    write(alien, text)
    rc, out = check(alien, env={'VMXSIM_UPDATE_DOCS': '1'})
    expect('alien', rc == 1 and 'edit it by hand' in out and open(alien).read() == text,
           'an excerpt line of no known kind is reported, the document untouched', out)

    # 5. A scenario whose expectation fails, and a session that prints something else.
    failing = os.path.join(docs, 'failing.md')
    write(failing, '<!-- scn: name=a -->\n' + fence(SCENARIO.replace('== 1', '== 2'), 'scn') + '\n'
          + fence('$ vmxsim run a.scn 2>/dev/null | grep -c vmexit\n%d\n' % (exits + 1), 'console')
          + '\n' + fence('$ vmxsim run a.scn | grep -c vmexit\n%d\n' % exits, 'console'))
    rc, out = check(failing)
    expect('failing', rc == 1 and 'exits 1 (0: every expectation holds)' in out
           and 'expectation failed: count deliver nmi == 2' in out, 'a scenario that does not hold fails', out)
    expect('failing', 'prints something else than the block shows' in out and '+%d' % exits in out,
           'a session that prints something else fails, with a diff', out)
    expect('failing', 'writes on stderr, which would mix with the pipe' in out,
           'a pipeline whose stderr is not redirected fails when something is written there', out)

    # 6. Blocks that escape: an unmarked scenario, unmarked output, bad marks.
    escape = os.path.join(docs, 'escape.md')
    write(escape, fence(SCENARIO) + '\n' + fence(trace[1] + '\n') + '\n<!-- trace: scenarios/nope.scn -->\n'
          + fence(trace[1] + '\n') + '\n<!-- trace: #a frob=1 -->\n' + fence(trace[1] + '\n')
          + '\n<!-- tarce: #a -->\n' + fence(trace[1] + '\n') + '\n<!-- scn: name=x -->\n'
          + fence(SCENARIO, 'scn-error'))
    rc, out = lint(escape)
    expect('escape', rc == 2, 'lint fails', out)
    for what in ('escape.md:1: this block looks like a scenario', 'looks like vmxsim output',
                 'trace: scenarios/nope.scn does not exist', "unknown word 'frob=1'",
                 "unknown mark 'tarce'", 'no ```console session runs it'):
        expect('escape', what in out, 'says: ' + what, out)
    rc, out = check(escape)
    expect('escape', rc == 2, 'check refuses a document whose marks are wrong', out)

    if failures:
        print('%d case(s) failed: %s' % (len(failures), ', '.join(sorted(set(failures)))))
        return 1
    print('all cases behave')
    return 0


if __name__ == '__main__':
    sys.exit(main())
