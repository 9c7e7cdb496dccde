#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""run_case.py - run one oracle case: the scenario on vmxsim and, compiled to
x86, on Bochs, then compare the two.

    run_case.py SCENARIO.scn --build BUILD_DIR --work WORK_DIR [--cpu TWIN]

The scenario must be bare metal (`l0 none`). Both sides run the CPU model
pair chosen for it: the scenario's `cpu` line picks a vmxsim model that
twins a Bochs model (penryn, haswell, icelake, tigerlake); an older model
name maps to its nearest twin (core2-no-vnmi -> penryn, nehalem -> icelake,
sapphire-rapids -> tigerlake); an `# oracle: cpu=TWIN` comment or --cpu
overrides. vmxsim runs a copy of the scenario with that `cpu` line (the same
lines otherwise, so locations stay), vmxsim-scn2asm compiles the same copy.

BOCHS=/path/to/bochs runs a self-built Bochs (upstream) instead of Debian's;
the comparer then applies only the deviations upstream still has.

Exit status: 0 agreement (or named Bochs deviations only), 1 a difference or
a step that failed, 2 bad input or usage.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

TWINS = {   # vmxsim model -> the Bochs model it twins
    "penryn": "core2_penryn_t9600",
    "haswell": "corei7_haswell_4770",
    "icelake": "corei7_icelake_u",
    "tigerlake": "tigerlake",
}
NEAREST = {"core2-no-vnmi": "penryn", "nehalem": "icelake", "sapphire-rapids": "tigerlake"}

CPU_LINE = re.compile(r"^(\s*cpu\s+)(\S+)(.*)$")
DIRECTIVE = re.compile(r"^\s*#\s*oracle:\s*cpu=(\S+)")


def choose_cpu(text, override):
    declared, directive = None, None
    for line in text.splitlines():
        m = DIRECTIVE.match(line)
        if m:
            directive = m.group(1)
        m = CPU_LINE.match(line)
        if m and declared is None:
            declared = m.group(2)
    cpu = override or directive or declared or "nehalem"
    cpu = NEAREST.get(cpu, cpu)
    if cpu not in TWINS:
        raise ValueError("cpu %s has no Bochs twin (one of %s)" % (cpu, ", ".join(sorted(TWINS))))
    return cpu


def with_cpu(text, cpu):
    out, done = [], False
    for n, line in enumerate(text.splitlines(), 1):
        m = CPU_LINE.match(line)
        if m and not done:
            mods = [w for w in m.group(3).split("#")[0].split() if w[0] in "+-"]
            if mods:
                # A Bochs model's features are fixed: no twin for a changed one.
                raise ValueError("%d:%d: not modelled on the oracle: the cpu line changes features (%s), "
                                 "which no Bochs model can" % (n, m.start(3) + 2, " ".join(mods)))
            line = m.group(1) + cpu + m.group(3)
            done = True
        out.append(line)
    if not done:
        raise ValueError("the scenario has no `cpu` line")
    return "\n".join(out) + "\n"


def step(name, cmd, log, ok=(0,)):
    """Run one step; its output goes to the log. Returns the exit status."""
    with open(log, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
        f.flush()
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode not in ok:
        print("oracle: step %s failed (status %d): %s" % (name, r.returncode, " ".join(cmd)))
        with open(log) as f:
            tail = f.read().splitlines()[-30:]
        for line in tail:
            print("  | " + line)
    return r.returncode


def main(argv):
    ap = argparse.ArgumentParser(description="run one oracle case on vmxsim and on Bochs and compare")
    ap.add_argument("scenario")
    ap.add_argument("--build", required=True, help="the project's build folder")
    ap.add_argument("--work", required=True, help="a folder for this case's files")
    ap.add_argument("--cpu", help="the vmxsim twin model to run (overrides the scenario)")
    a = ap.parse_args(argv)

    try:
        with open(a.scenario) as f:
            text = f.read()
        cpu = choose_cpu(text, a.cpu)
        copy = with_cpu(text, cpu)
    except (OSError, ValueError) as e:
        located = re.match(r"\d+:\d+: ", str(e))
        print(("%s:%s" if located else "%s: %s") % (a.scenario, e), file=sys.stderr)
        return 2
    model = TWINS[cpu]
    bochs = os.environ.get("BOCHS", "")
    version = "upstream" if bochs else "debian-2.7"
    name = os.path.splitext(os.path.basename(a.scenario))[0]
    os.makedirs(a.work, exist_ok=True)
    scn = os.path.join(a.work, name + ".scn")
    with open(scn, "w") as f:
        f.write(copy)
    log = os.path.join(a.work, "steps.log")
    open(log, "w").close()
    w = lambda leaf: os.path.join(a.work, leaf)
    b = a.build

    vmxsim = os.path.join(b, "cli", "vmxsim")
    scn2asm = os.path.join(b, "oracle", "scn2asm", "vmxsim-scn2asm")
    rtdir = os.path.join(b, "oracle", "payload", "rt")
    if step("compile", [scn2asm, scn, "-o", w("case.asm"), "--map", w("case.map")], log):
        return 1
    if step("image", [os.path.join(HERE, "payload", "mkimage.sh"), w("case.asm"), a.work, rtdir], log):
        return 1
    if step("bochs", [os.path.join(HERE, "bochs", "run-image.sh"), w("case.img"), model, w("bochs.bxo")], log):
        return 1
    # Status 1 is an expectation of the scenario that does not hold on this
    # model: not the oracle's business (the trace is written whole).
    if step("vmxsim", [vmxsim, "run", "--color=never", "-o", w("vmxsim.trace"), scn], log, ok=(0, 1)) not in (0, 1):
        return 1
    r = subprocess.run([sys.executable, os.path.join(HERE, "compare.py"), "--map", w("case.map"),
                        "--elf", w("case.elf"), "--bochs", w("bochs.bxo"), "--trace", w("vmxsim.trace"),
                        "--case", name, "--model", "%s/%s" % (cpu, model), "--bochs-version", version])
    return r.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
