/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_sc_vcpu.h - one modelled machine (a VMX logical processor with its L0
 * hypervisor and guest, built from a scenario file) as a SystemC module.
 *
 * Pins: a rising edge of nmi_i is an NMI, a rising edge of intr_i an
 * external interrupt with the vector on vector_i (sampled at the edge; drive
 * it no later than intr_i, the same delta is fine). Both go to one level,
 * chosen at construction: the processor's own pins (L0) or events for the
 * guest, which L0 injects (L1).
 *
 * Time: 1 cycle = 1/tsc_hz of the scenario's CPU. The machine runs with
 * temporal decoupling: one SC_THREAD runs it a quantum ahead of SystemC
 * time (vmxsim_session_run_until), counts the quantum in a
 * tlm_utils::tlm_quantumkeeper and waits only when the keeper says so. A
 * pin edge at SystemC time T is seen at cycle max(cycle(T), C), where C is
 * where the machine has been run to when SystemC delivers the edge; with
 * the keeper syncing every quantum, the first quantum boundary after T.
 * README.md has the details and when this equals a scenario's `at` line.
 */
#ifndef VMXSIM_VMX_SC_VCPU_H
#define VMXSIM_VMX_SC_VCPU_H

#include <cstdint>
#include <cstdio>
#include <string>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "vmxsim/vmxsim.h"

/* How a vmx_sc_vcpu runs (vmx_sc_vcpu::options). */
struct vmx_sc_vcpu_options {
	sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US); /* the machine runs this far per step */
	uint32_t cpu = 0;                   /* the vCPU the pins belong to */
	std::string origin = "pin";         /* origin= of the stimulus lines (a scenario's `via`) */
	bool scenario_stimuli = true;       /* also run the scenario's own stimuli */
	std::FILE *trace = nullptr;         /* where the trace goes (nullptr: nowhere) */
	vmxsim_format format = VMXSIM_FORMAT_TEXT;
	std::FILE *diag = stderr;           /* scenario errors, failed expectations */
};

class vmx_sc_vcpu : public sc_core::sc_module {
public:
	/* Where the pins' events go. */
	enum class target {
		l0_pin,     /* the processor's NMI/INTR inputs: events for the hypervisor (`-> L0`) */
		l1_guest,   /* events for the guest, which L0 injects (`-> L1`) */
	};

	using options = vmx_sc_vcpu_options;

	sc_core::sc_in<bool> nmi_i;
	sc_core::sc_in<bool> intr_i;
	sc_core::sc_in<sc_dt::sc_uint<8>> vector_i;

	/* Parses and builds `scenario`; an SC_REPORT_ERROR if it cannot be run. */
	vmx_sc_vcpu(sc_core::sc_module_name name, const std::string &scenario, target level,
	            const options &opt = options());
	~vmx_sc_vcpu() override;

	vmx_sc_vcpu(const vmx_sc_vcpu &) = delete;
	vmx_sc_vcpu &operator=(const vmx_sc_vcpu &) = delete;

	/* Notified when the run has reached its end, the trace is complete and the expectations are judged. */
	const sc_core::sc_event &done_event() const { return done_ev_; }
	bool done() const { return session_ == nullptr; }
	/* enum vmxsim_status once done: 0 every expectation held, 1 one failed. */
	int status() const { return status_; }
	/* Edges turned into stimuli. */
	uint64_t edges() const { return edges_; }

	uint64_t tsc_hz() const { return hz_; }
	/* The cycle at SystemC time t (rounded down) and the first time of a cycle (rounded up). */
	uint64_t cycles_at(const sc_core::sc_time &t) const;
	sc_core::sc_time time_of(uint64_t cycle) const;

private:
	void pins_changed();
	void run();
	void raise(bool nmi, uint8_t vector);
	void close();

	target level_;
	options opt_;
	vmxsim_scenario *scenario_ = nullptr;
	vmxsim_session *session_ = nullptr;
	uint64_t hz_ = 0;
	uint64_t ticks_per_second_ = 0;      /* sc_time values per second at this time resolution */
	uint64_t end_ = 0;                   /* the run's length in cycles */
	bool nmi_prev_ = false, intr_prev_ = false;
	uint64_t edges_ = 0;
	int status_ = 2;
	tlm_utils::tlm_quantumkeeper qk_;
	sc_core::sc_event done_ev_;
};

#endif
