#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""vmxsim_plot.py - draw a timeline of a vmxsim JSONL trace.

    vmxsim_plot.py TRACE.jsonl -o OUT.png|OUT.svg [--from C] [--to C] [--title T] [--width IN] [--tsc-hz HZ]
    vmxsim_plot.py - -o OUT.svg              # the trace on stdin
    vmxsim_plot.py --batch LIST [-j N]       # many plots in one process

One lane per vCPU and level ("cpu0 L0", "cpu0 L1", "cpu0 L2"). On a guest's
lane: the guest running (VM entry to VM exit), its handlers (deliver to the
matching IRET, nested ones stacked above), entries and exits; on L0's lane:
the hypervisor's work (VM exit to the next VM entry), host interrupt
handlers, injections. Shaded: NMIs blocked (blocking by NMI or virtual-NMI
blocking) and KVM's soft-vNMI flag set. Violations are red bands.

The x axis counts cycles. With --tsc-hz (the CPU model's TSC frequency,
which `vmxsim run --plot` passes) a second axis below it reads the same
instants in microseconds, as a guest or `trace-cmd report` would see them.

--batch LIST reads one plot per line, TRACE<TAB>OUT[<TAB>TITLE[<TAB>TSC_HZ]], and draws
them with -j worker processes (default: the CPUs available). The output
depends only on the trace and the options: the same trace gives the same
bytes (SVG ids are salted with a fixed string, no date is written).

In an SVG, each exit marker is an element with id exit-N (N: the VM exit's
1-based position among the trace's vmexit lines), each lane's background
has id lane-cpuC-LN and the microsecond axis's label has id axis-us, so a test can
count them.

Exit status: 0 written, 2 bad input or usage (or matplotlib missing).
Only the Python standard library and matplotlib (Debian python3-matplotlib).
"""

import argparse
import os
import sys

from vmxsim_timeline import PlotError, Timeline, read_trace

PROG = "vmxsim_plot"


# ---------------------------------------------------------------- drawing

COLORS = {
    "guest": "#52b788",
    "guest-hlt": "#d8f3dc",
    "host": "#5c677d",
    "host-blocked": "#d3d6dc",
    "nmi": "#e63946",
    "irq": "#457b9d",
    "exception": "#b08968",
    "host-handler": "#9d8189",
    "nmi-blocked": "#f4a261",
    "soft": "#7b2cbf",
    "stim-nmi": "#c1121f",
    "stim-irq": "#1d3557",
    "entry": "#1b4332",
    "inject": "#d63384",
    "violation": "#d00000",
    "other": "#000000",
    "win-irq": "#2a9d8f",
    "win-nmi": "#9b5de5",
}

# Exit reasons get fixed colours (the same reason is the same colour in every plot).
REASON_COLORS = {
    "EXCEPTION_NMI": "#e76f51",
    "EXTERNAL_INTERRUPT": "#264653",
    "TRIPLE_FAULT": "#000000",
    "INTERRUPT_WINDOW": "#2a9d8f",
    "NMI_WINDOW": "#9b5de5",
    "HLT": "#8d6e63",
    "MSR_WRITE": "#f4a300",
    "MSR_READ": "#e9c46a",
    "INVALID_STATE": "#6d6875",
    "PREEMPTION_TIMER": "#00b4d8",
    "MONITOR_TRAP_FLAG": "#ff006e",
    "EPT_VIOLATION": "#606c38",
    "VMCALL": "#3a86ff",
    "VMLAUNCH": "#7209b7",
    "VMRESUME": "#c77dff",
    "VMREAD": "#fb5607",
    "VMWRITE": "#ff9f1c",
    "VMPTRLD": "#b5179e",
    "VMCLEAR": "#f15bb5",
    "VMXON": "#8d99ae",
    "VMXOFF": "#8d99ae",
}
SPARE_COLORS = ["#4361ee", "#7f5539", "#00bbf9", "#3a5a40", "#bc4749", "#588157", "#6a4c93", "#ffb703"]

REASON_SHORT = {
    "EXCEPTION_NMI": "EXC/NMI",
    "EXTERNAL_INTERRUPT": "EXT_INTR",
    "INTERRUPT_WINDOW": "IRQ_WIN",
    "NMI_WINDOW": "NMI_WIN",
    "TRIPLE_FAULT": "TRIPLE",
    "PREEMPTION_TIMER": "PREEMPT",
    "MONITOR_TRAP_FLAG": "MTF",
    "INVALID_STATE": "BAD_STATE",
}

LANE_H = 0.95          # inches per lane
TOP_ROOM = 0.4        # inches above the top lane, for violation labels
MAX_DEPTH = 3          # deeper handlers are drawn at this depth
ANNOTATE_MAX = 24      # exits labelled by name when at most this many are in view


def reason_colors(reasons):
    out, spare = {}, 0
    for r in sorted(reasons):
        if r in REASON_COLORS:
            out[r] = REASON_COLORS[r]
        else:
            out[r] = SPARE_COLORS[spare % len(SPARE_COLORS)]
            spare += 1
    return out


def fmt_cycle(x, scale=None):
    """A cycle count for an axis or heading: 12 345 below ten million, else 250M, 2.64G."""
    x = int(round(x))
    if (scale if scale is not None else abs(x)) < 10 ** 7:
        return "{:,}".format(x).replace(",", "\u2009")
    for unit, div in (("G", 10 ** 9), ("M", 10 ** 6), ("k", 10 ** 3)):
        if abs(x) >= div or x == 0:
            return ("%.6g" % (x / div)) + unit if x else "0"
    return str(x)


def setup_matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise PlotError("matplotlib is not installed (Debian: apt-get install python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (loaded before --batch forks its workers)
    matplotlib.rcParams.update({
        "svg.hashsalt": "vmxsim",          # stable ids in SVG output
        "svg.fonttype": "path",            # glyphs as paths: no font lookup in the viewer
        "font.family": "DejaVu Sans",      # shipped with matplotlib
        "font.size": 8,
        "hatch.linewidth": 0.6,
        "path.simplify": False,
        "axes.unicode_minus": False,
    })
    return matplotlib


def fmt_us(us, scale):
    """Microseconds for the second axis, with as many decimals as the span in view needs."""
    decimals = 0 if scale >= 100 else 1 if scale >= 10 else 2 if scale >= 1 else 3
    return "%.*f" % (decimals, us)


def render(tl, out, title=None, start=None, stop=None, width=14.0, tsc_hz=None):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    x0 = 0 if start is None else start
    x1 = tl.end if stop is None else stop
    if x1 <= x0:
        x1 = x0 + 1
    span = float(x1 - x0)

    def visible(c):
        return x0 <= c <= x1

    def overlaps(a, b):
        return b >= x0 and a <= x1

    lanes = tl.lane_order()
    nl = len(lanes)
    base = {lane: float(nl - 1 - i) for i, lane in enumerate(lanes)}

    legend = []            # legend handles in drawing order, one per key
    seen = set()

    def add_legend(key, handle):
        if key not in seen:
            seen.add(key)
            legend.append(handle)

    # The figure is laid out in inches once the legend is known (see the end).
    fig = plt.figure(figsize=(width, 4), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.set_xlim(x0, x1)
    ax.set_ylim(0, nl + TOP_ROOM / LANE_H)
    ax.set_yticks([base[l] + 0.5 for l in lanes])
    ax.set_yticklabels(["cpu%d L%d" % l for l in lanes])
    ax.tick_params(axis="y", length=0, labelsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=12))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_cycle(x, x1 - x0)))
    ax.set_xlabel("cycle")
    if tsc_hz:
        # The same instants in real time: a second axis 0.6 in below the cycles (the lanes' height is fixed).
        us = ax.secondary_xaxis(-0.6 / (nl * LANE_H + TOP_ROOM),
                                functions=(lambda c: c * 1e6 / tsc_hz, lambda u: u * tsc_hz / 1e6))
        span_us = (x1 - x0) * 1e6 / tsc_hz
        us.xaxis.set_major_locator(MaxNLocator(nbins=12))
        us.xaxis.set_major_formatter(FuncFormatter(lambda u, _pos: fmt_us(u, span_us)))
        us.tick_params(axis="x", labelsize=8, colors="#444444")
        us.xaxis.label.set_gid("axis-us")
        us.set_xlabel("\u00b5s at a TSC of %s Hz" % "{:,}".format(int(tsc_hz)).replace(",", "\u2009"),
                      fontsize=8, color="#444444")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)

    # Lanes: a background per lane (id lane-cpuC-LN), a line between vCPUs.
    for i, lane in enumerate(lanes):
        cpu, lvl = lane
        shade = "#f7f7f7" if cpu % 2 == 0 else "#eef1f6"
        r = ax.axhspan(base[lane], base[lane] + 1, facecolor=shade, edgecolor="none", zorder=0.1)
        r.set_gid("lane-cpu%d-L%d" % lane)
        if i > 0 and lanes[i - 1][0] != cpu:
            ax.axhline(base[lane] + 1, color="#555555", linewidth=1.0, zorder=0.2)
        elif i > 0:
            ax.axhline(base[lane] + 1, color="#c8c8c8", linewidth=0.5, zorder=0.2)

    def bars(items, y0, h, **style):
        """items: (cpu, level, start, end) -> broken_barh per lane."""
        per_lane = {}
        for cpu, lvl, a, b in items:
            if overlaps(a, b):
                per_lane.setdefault((cpu, lvl), []).append((a, max(b - a, 0)))
        for lane in lanes:
            if lane in per_lane:
                ax.broken_barh(per_lane[lane], (base[lane] + y0, h), **style)
        return bool(per_lane)

    # Shaded intervals, full lane height, behind everything else.
    if bars(tl.nmi_blocked, 0.02, 0.96, facecolor=COLORS["nmi-blocked"], alpha=0.28,
            edgecolor="none", zorder=0.5):
        add_legend("nmi-blocked", Patch(facecolor=COLORS["nmi-blocked"], alpha=0.28, label="NMIs blocked (nmi/vnmi)"))
    if bars(tl.soft_blocked, 0.02, 0.96, facecolor="none", edgecolor=COLORS["soft"], hatch="////",
            linewidth=0, alpha=0.8, zorder=0.6):
        add_legend("soft", Patch(facecolor="none", edgecolor=COLORS["soft"], hatch="////", alpha=0.8,
                                 label="KVM soft-vNMI flag set"))

    # Execution: guest running (entry to exit), hypervisor work (exit to entry).
    labels = {"guest": "guest running (entry to exit)", "guest-hlt": "guest in HLT",
              "host": "hypervisor work (exit to entry)", "host-blocked": "vCPU blocked in L0 (HLT)"}
    for k in ("guest", "guest-hlt", "host", "host-blocked"):
        items = [(c, l, a, b) for c, l, a, b, kk in tl.segments if kk == k]
        hatch = "...." if k in ("guest-hlt", "host-blocked") else None
        if bars(items, 0.10, 0.24, facecolor=COLORS[k], edgecolor="#333333", linewidth=0.4, hatch=hatch,
                zorder=2):
            add_legend(k, Patch(facecolor=COLORS[k], edgecolor="#333333", linewidth=0.4, hatch=hatch,
                                label=labels[k]))

    # Window exiting armed by L0 (interrupt window, NMI window): a thin bar high on L0's lane.
    for which, label in (("irq", "interrupt-window exiting armed"), ("nmi", "NMI-window exiting armed")):
        items = [(c, l, a, b) for c, l, a, b, w in tl.windows if w == which]
        if bars(items, 0.74, 0.07, facecolor=COLORS["win-" + which], edgecolor="none", zorder=2):
            add_legend("win-" + which, Patch(facecolor=COLORS["win-" + which], label=label))

    # Handlers: deliver -> IRET, nested ones stacked above the first.
    hlabels = {"nmi": "NMI handler", "irq": "interrupt handler", "exception": "exception handler",
               "host": "host handler (L0)"}
    hcolor = {"nmi": COLORS["nmi"], "irq": COLORS["irq"], "exception": COLORS["exception"],
              "host": COLORS["host-handler"]}
    for cpu, lvl, a, b, depth, label, hk, closed in sorted(tl.handlers, key=lambda h: (h[0], h[1], h[2], h[4])):
        if not overlaps(a, b):
            continue
        d = min(depth, MAX_DEPTH)
        y = base[(cpu, lvl)] + 0.40 + (d - 1) * 0.19
        ax.broken_barh([(a, max(b - a, 0))], (y, 0.16), facecolor=hcolor[hk], edgecolor="#222222",
                       linewidth=0.5, linestyle="-" if closed else "--", alpha=0.9, zorder=3)
        add_legend("h-" + hk, Patch(facecolor=hcolor[hk], edgecolor="#222222", linewidth=0.5, label=hlabels[hk]))
        va, vb = max(a, x0), min(b, x1)
        if (vb - va) / span > 0.035:
            text = label + (" (nested, depth %d)" % depth if depth > 1 else "") + ("" if closed else " (no IRET)")
            ax.text((va + vb) / 2, y + 0.08, text, ha="center", va="center", fontsize=6.5, color="white",
                    fontweight="bold", zorder=3.5, clip_on=True)

    # Markers.
    def scatter(points, marker, color, key, label, size=34, edge="white", lw=0.5):
        pts = [(c, base[(cpu, lvl)] + y) for cpu, lvl, c, y in points if visible(c)]
        if not pts:
            return
        filled = marker not in ("|", "x", "+", "_")
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=size, c=color,
                   edgecolors=edge if filled else None, linewidths=lw, zorder=5, clip_on=False)
        add_legend(key, Line2D([], [], linestyle="none", marker=marker, markersize=6.5, markerfacecolor=color,
                               markeredgecolor=edge, markeredgewidth=lw, label=label))

    scatter([(c, l, cy, 0.04) for c, l, cy, inj in tl.entries if not inj], "^", COLORS["entry"], "entry",
            "VM entry")
    scatter([(c, l, cy, 0.04) for c, l, cy, inj in tl.entries if inj], "^", COLORS["inject"], "entry-inj",
            "VM entry injecting an event")
    scatter([(c, l, cy, 0.38) for c, l, cy, _ in tl.injects], "D", COLORS["inject"], "inject",
            "inject (L0 writes entry intr info)", size=22)
    scatter([(c, l, cy, 0.90) for c, l, cy, t, _ in tl.stimuli if t == "nmi"], "*", COLORS["stim-nmi"],
            "stim-nmi", "stimulus: NMI", size=70)
    scatter([(c, l, cy, 0.90) for c, l, cy, t, _ in tl.stimuli if t != "nmi"], "*", COLORS["stim-irq"],
            "stim-irq", "stimulus: interrupt", size=70)
    scatter([(c, l, cy, 0.60) for c, l, cy in tl.soft_cleared], "|", COLORS["soft"], "soft-clear",
            "KVM clears its soft-vNMI flag", size=90, edge=COLORS["soft"], lw=1.8)
    other_style = {"nmi_lost": ("x", "NMI lost (latch full)", 0.22), "vmfail": ("X", "VMfail", 0.62),
                   "guest_stop": ("s", "guest stopped", 0.22), "shutdown": ("s", "shutdown", 0.22),
                   "warning": ("$!$", "kernel warning (printk)", 0.62)}
    for what, (marker, label, y) in other_style.items():
        scatter([(c, l, cy, y) for c, l, cy, w, _ in tl.others if w == what], marker, COLORS["other"],
                "o-" + what, label, size=40 if what != "nmi_lost" else 34, edge="black" if what == "nmi_lost" else "white")
    others_in_view = [o for o in tl.others if visible(o[2])]
    if len(others_in_view) <= 12:
        for cpu, lvl, cyc, what, text in others_in_view:
            near_end = (cyc - x0) / span > 0.7
            ax.text(cyc, base[(cpu, lvl)] + other_style[what][2], ("%s  " if near_end else "  %s") % text,
                    ha="right" if near_end else "left", va="center", fontsize=6.5, color="#222222", zorder=6,
                    clip_on=True)

    # Exits: one marker each (id exit-N), coloured by reason; labelled when few.
    rcolor = reason_colors({e[4] for e in tl.exits})
    reasons_in_view = sorted({e[4] for e in tl.exits if visible(e[3])})
    shown = [e for e in tl.exits if visible(e[3])]
    for n, cpu, lvl, cyc, reason in shown:
        y = base[(cpu, lvl)] + 0.38
        m = Line2D([cyc], [y], linestyle="none", marker="v", markersize=7.5, markerfacecolor=rcolor[reason],
                   markeredgecolor="white", markeredgewidth=0.6, zorder=6, clip_on=False)
        m.set_gid("exit-%d" % n)
        ax.add_line(m)
    if len(shown) <= ANNOTATE_MAX:
        last_label = {}
        for n, cpu, lvl, cyc, reason in shown:
            if (cpu, lvl) in last_label and (cyc - last_label[(cpu, lvl)]) / span < 0.05:
                continue          # too close to the previous label: the colour says it
            last_label[(cpu, lvl)] = cyc
            ax.text(cyc, base[(cpu, lvl)] + 0.38 - 0.05, " " + REASON_SHORT.get(reason, reason), rotation=0,
                    ha="left", va="top", fontsize=6, color=rcolor[reason], zorder=6, clip_on=True)
    for reason in reasons_in_view:
        add_legend("exit-" + reason, Line2D([], [], linestyle="none", marker="v", markersize=7,
                                            markerfacecolor=rcolor[reason], markeredgecolor="white",
                                            label="exit: " + reason))

    # Nested: L0 emulating an exit from L2 to L1, or L1's entry into L2 (hollow markers, not exits).
    for what, marker, y, label in (("exit", "v", 0.38, "emulated exit L2 \u2192 L1 (nested_exit)"),
                                   ("entry", "^", 0.04, "emulated entry L1 \u2192 L2 (nested_entry)")):
        pts = [(c, base[(cpu, lvl)] + y) for cpu, lvl, c, w, _ in tl.nested if w == what and visible(c)]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=46, facecolors="white",
                       edgecolors=COLORS["entry"], linewidths=1.0, zorder=5.5, clip_on=False)
            add_legend("nested-" + what, Line2D([], [], linestyle="none", marker=marker, markersize=7,
                                                markerfacecolor="white", markeredgecolor=COLORS["entry"],
                                                markeredgewidth=1.0, label=label))

    # Violations: a red band across every lane, labelled with the verdict.
    vis_v = [v for v in tl.violations if visible(v[2])]
    band = max(span * 0.004, 0.5)
    for i, (cpu, lvl, cyc, kind) in enumerate(vis_v):
        ax.axvspan(cyc - band / 2, cyc + band / 2, color=COLORS["violation"], alpha=0.35, zorder=4, linewidth=0)
        ax.axvline(cyc, color=COLORS["violation"], linewidth=1.0, zorder=4)
        near_end = (cyc - x0) / span > 0.85
        ax.text(cyc, nl + 0.04 + (i % 2) * 0.2, " %s (cpu%d L%d) " % (kind, cpu, lvl), color=COLORS["violation"],
                fontsize=7.5, fontweight="bold", ha="right" if near_end else "left", va="bottom", zorder=7,
                clip_on=False)
    if vis_v:
        add_legend("violation", Patch(facecolor=COLORS["violation"], alpha=0.35, label="violation (monitor verdict)"))

    # Layout in inches: heading, lanes, x axis, legend.
    left, right, top = 1.0, 0.6, 0.75
    plot_h = nl * LANE_H + TOP_ROOM
    ncol = max(3, int((width - left) // 2.6))
    legend_h = 0.19 * ((len(legend) + ncol - 1) // ncol) + 0.1 if legend else 0.0
    bottom = 0.55 + legend_h + (0.55 if tsc_hz else 0.0)
    height = top + plot_h + bottom
    fig.set_size_inches(width, height)
    ax.set_position([left / width, bottom / height, (width - left - right) / width, plot_h / height])

    heading = title if title is not None else "vmxsim trace"
    fig.text(left / width, 1 - 0.28 / height, heading, fontsize=12, fontweight="bold", ha="left", va="center")
    sub = "cycles %s to %s  -  %d VM exits, %d violations in view" % (
        fmt_cycle(x0, 0), fmt_cycle(x1, 0), len(shown), len(vis_v))
    if tsc_hz:
        sub += "  -  %s to %s \u00b5s" % (fmt_us(x0 * 1e6 / tsc_hz, 0), fmt_us(x1 * 1e6 / tsc_hz, 0))
    fig.text(left / width, 1 - 0.55 / height, sub, fontsize=8, color="#444444", ha="left", va="center")
    if legend:
        fig.legend(handles=legend, loc="upper left", bbox_to_anchor=(left / width, (legend_h + 0.02) / height),
                   ncol=ncol, frameon=False, fontsize=7.5, handlelength=1.6, columnspacing=1.4,
                   borderaxespad=0.0)

    # Written beside OUT and renamed over it: a failed plot leaves an older one intact.
    ext = os.path.splitext(out)[1].lower()
    tmp = os.path.join(os.path.dirname(out) or ".", ".%s.%d.tmp" % (os.path.basename(out), os.getpid()))
    try:
        if ext == ".svg":
            fig.savefig(tmp, format="svg", metadata={"Date": None})
        else:
            fig.savefig(tmp, format="png", dpi=100)
        os.replace(tmp, out)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise PlotError("%s: %s" % (out, e.strerror or e))
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- command line

def cycle_arg(s):
    try:
        v = int(s.replace("_", ""), 0)
    except ValueError:
        try:
            v = int(float(s))
        except ValueError:
            raise argparse.ArgumentTypeError("not a cycle count: %r" % s)
    if v < 0:
        raise argparse.ArgumentTypeError("a cycle count is >= 0")
    return v


def tsc_arg(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError("not a frequency in Hz: %r" % s)
    if v <= 0:
        raise argparse.ArgumentTypeError("a TSC frequency is > 0 Hz")
    return v


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Draw a timeline of a vmxsim JSONL trace.")
    p.add_argument("trace", nargs="?", help="the JSONL trace (vmxsim run X --format jsonl); - or none: stdin")
    p.add_argument("-o", "--output", help="OUT.png or OUT.svg (the format follows the extension)")
    p.add_argument("--from", dest="start", type=cycle_arg, help="first cycle shown (default 0)")
    p.add_argument("--to", dest="stop", type=cycle_arg, help="last cycle shown (default: the end of the run)")
    p.add_argument("--title", help="the heading (default: the trace's file name)")
    p.add_argument("--width", type=float, default=14.0, help="figure width in inches at 100 dpi (default 14)")
    p.add_argument("--tsc-hz", type=tsc_arg, help="the TSC frequency: a second x axis in microseconds")
    p.add_argument("--batch", metavar="LIST", help="plot each line TRACE<TAB>OUT[<TAB>TITLE[<TAB>TSC_HZ]] of LIST")
    p.add_argument("-j", "--jobs", type=int, default=0, help="worker processes for --batch (default: CPUs)")
    a = p.parse_args(argv)
    if a.batch:
        if a.trace or a.output:
            p.error("--batch takes no TRACE or -o")
    elif not a.output:
        p.error("-o OUT.png|OUT.svg is needed")
    if a.width < 4 or a.width > 100:
        p.error("--width must be between 4 and 100 inches")
    if a.start is not None and a.stop is not None and a.stop <= a.start:
        p.error("--to must be after --from")
    return a


def plot_one(trace, out, title, start, stop, width, tsc_hz=None):
    if os.path.splitext(out)[1].lower() not in (".png", ".svg"):
        raise PlotError("%s: the output must end in .png or .svg" % out)
    if trace in (None, "-"):
        events = read_trace(sys.stdin, "<stdin>")
        default_title = "vmxsim trace"
    else:
        try:
            with open(trace, encoding="utf-8") as f:
                events = read_trace(f, trace)
        except OSError as e:
            raise PlotError("%s: %s" % (trace, e.strerror))
        default_title = os.path.splitext(os.path.basename(trace))[0]
    tl = Timeline(events)
    render(tl, out, default_title if title is None else title, start, stop, width, tsc_hz)


def _batch_worker(job):
    trace, out, title, start, stop, width, tsc_hz = job
    try:
        plot_one(trace, out, title, start, stop, width, tsc_hz)
        return None
    except PlotError as e:
        return str(e)
    except Exception as e:  # report, keep drawing the others
        return "%s: %s: %s" % (trace, type(e).__name__, e)


def run_batch(a):
    jobs = []
    try:
        with open(a.batch, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                parts = line.split("\t")
                if len(parts) < 2 or len(parts) > 4:
                    raise PlotError("%s:%d: expected TRACE<TAB>OUT[<TAB>TITLE[<TAB>TSC_HZ]]" % (a.batch, lineno))
                tsc = a.tsc_hz
                if len(parts) == 4:
                    try:
                        tsc = tsc_arg(parts[3])
                    except argparse.ArgumentTypeError as e:
                        raise PlotError("%s:%d: %s" % (a.batch, lineno, e))
                jobs.append((parts[0], parts[1], parts[2] if len(parts) >= 3 else None, a.start, a.stop, a.width,
                             tsc))
    except OSError as e:
        raise PlotError("%s: %s" % (a.batch, e.strerror))
    n = a.jobs
    if n <= 0:
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = max(1, min(n, len(jobs)))
    if n == 1:
        errors = [_batch_worker(j) for j in jobs]
    else:
        import multiprocessing
        # Fork after matplotlib is imported: the workers start warm.
        with multiprocessing.get_context("fork").Pool(n) as pool:
            errors = pool.map(_batch_worker, jobs, chunksize=1)
    bad = [e for e in errors if e]
    for e in bad:
        print("%s: %s" % (PROG, e), file=sys.stderr)
    return 2 if bad else 0


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        setup_matplotlib()    # imports pyplot once, before any fork
        if a.batch:
            return run_batch(a)
        plot_one(a.trace, a.output, a.title, a.start, a.stop, a.width, a.tsc_hz)
    except PlotError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
