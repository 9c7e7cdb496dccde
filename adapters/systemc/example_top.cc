/* SPDX-License-Identifier: Apache-2.0 */
/*
 * example_top.cc - a SystemC top level: an interrupt source drives the NMI
 * and INTR pins of one vmx_sc_vcpu, which runs the guest and hypervisor of
 * example.scn (whose own `at` lines are left out: the pins replace them).
 *
 *   vmx_sc_example [SCENARIO [TRACE]]
 *
 * SCENARIO defaults to example.scn beside this file, TRACE to stdout (the
 * text format). Exit status: 0 every expectation of the scenario held, 1 one
 * failed or the source's edges were not all seen, 2 bad input.
 */
#include <cstdio>
#include <string>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "adapters/systemc/vmx_sc_vcpu.h"

#ifndef VMX_SC_EXAMPLE_SCN
#define VMX_SC_EXAMPLE_SCN "example.scn"
#endif

using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::sc_time;

/* The quantum of the example: 1 us = 2400 cycles of core2-no-vnmi at 2.4 GHz. */
static const sc_time quantum(1, SC_US);

/*
 * Raises the pins at fixed times. An edge is a 100 ns pulse; the vector is
 * put on vector_o together with the INTR edge.
 */
struct irq_source : sc_core::sc_module {
	sc_core::sc_out<bool> nmi_o{"nmi_o"};
	sc_core::sc_out<bool> intr_o{"intr_o"};
	sc_core::sc_out<sc_dt::sc_uint<8>> vector_o{"vector_o"};
	unsigned edges = 0;

	SC_CTOR(irq_source)
	{
		SC_THREAD(drive);
	}

	struct edge {
		sc_time at;
		bool nmi;
		unsigned vector;
	};

	void drive()
	{
		/*
		 * Each is seen at the first 1 us boundary after it: 1, 3, 10, 16 and
		 * 18 us, the `at` times of example.scn. The one at 15 us is on a
		 * boundary and is seen at the next.
		 */
		static const edge plan[] = {
		    {sc_time(600, SC_NS), true, 0},    {sc_time(2200, SC_NS), true, 0},
		    {sc_time(9500, SC_NS), false, 32}, {sc_time(15000, SC_NS), true, 0},
		    {sc_time(17300, SC_NS), false, 33},
		};
		for (const edge &e : plan) {
			wait(e.at - sc_core::sc_time_stamp());
			if (e.nmi) {
				nmi_o.write(true);
			} else {
				vector_o.write(e.vector);
				intr_o.write(true);
			}
			edges++;
			wait(100, SC_NS);
			(e.nmi ? nmi_o : intr_o).write(false);
		}
	}
};

/* Stops the simulation when the processor's run is over. */
struct stopper : sc_core::sc_module {
	const vmx_sc_vcpu &cpu;

	stopper(sc_core::sc_module_name name, const vmx_sc_vcpu &c) : sc_core::sc_module(name), cpu(c)
	{
		SC_HAS_PROCESS(stopper);
		SC_THREAD(watch);
	}

	void watch()
	{
		wait(cpu.done_event());
		sc_core::sc_stop();
	}
};

int sc_main(int argc, char *argv[])
{
	const std::string scenario = argc > 1 ? argv[1] : VMX_SC_EXAMPLE_SCN;
	std::FILE *trace = stdout;

	if (argc > 3) {
		std::fprintf(stderr, "usage: vmx_sc_example [SCENARIO [TRACE]]\n");
		return 2;
	}
	if (argc > 2 && !(trace = std::fopen(argv[2], "w"))) {
		std::perror(argv[2]);
		return 2;
	}
	/* The trace may go to stdout: no "simulation stopped" line there (SystemC's banner goes to stderr). */
	sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
	tlm_utils::tlm_quantumkeeper::set_global_quantum(quantum);

	sc_core::sc_signal<bool> nmi("nmi"), intr("intr");
	sc_core::sc_signal<sc_dt::sc_uint<8>> vector("vector");

	vmx_sc_vcpu::options opt;
	opt.quantum = quantum;
	opt.scenario_stimuli = false;   /* the pins bring them */
	opt.trace = trace;
	vmx_sc_vcpu cpu("cpu0", scenario, vmx_sc_vcpu::target::l1_guest, opt);
	irq_source src("src");
	stopper stop("stop", cpu);

	src.nmi_o(nmi);
	src.intr_o(intr);
	src.vector_o(vector);
	cpu.nmi_i(nmi);
	cpu.intr_i(intr);
	cpu.vector_i(vector);

	sc_core::sc_start();

	int rc = cpu.done() ? cpu.status() : 1;
	if (cpu.edges() != src.edges) {
		std::fprintf(stderr, "vmx_sc_example: %u pin edges, but %llu stimuli\n", src.edges,
		             (unsigned long long)cpu.edges());
		rc = 1;
	}
	if (trace != stdout && std::fclose(trace) != 0) {
		std::perror(argv[2]);
		rc = 2;
	}
	return rc;
}
