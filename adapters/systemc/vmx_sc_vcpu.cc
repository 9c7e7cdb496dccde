/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_sc_vcpu.cc - the SystemC module around one modelled machine: an
 * SC_METHOD turns pin edges into stimuli (vmxsim_session_raise), an SC_THREAD runs
 * the machine a quantum at a time under a quantum keeper.
 */
#include "adapters/systemc/vmx_sc_vcpu.h"

#include <string>


namespace {

/* 128-bit intermediate products: time values times a TSC frequency overflow 64 bits. */
__extension__ typedef unsigned __int128 u128;

} // namespace

vmx_sc_vcpu::vmx_sc_vcpu(sc_core::sc_module_name name, const std::string &scenario, target level,
                         const options &opt)
    : sc_core::sc_module(name), nmi_i("nmi_i"), intr_i("intr_i"), vector_i("vector_i"), level_(level), opt_(opt)
{
	vmxsim_error err;
	vmxsim_run_options ro = {};

	if (opt_.quantum == sc_core::SC_ZERO_TIME)
		SC_REPORT_ERROR("vmx_sc_vcpu", "the quantum must be longer than zero");
	scenario_ = vmxsim_scenario_load(scenario.c_str(), &err);
	if (!scenario_) {
		std::fprintf(opt_.diag, "%s\n", err.text);
		SC_REPORT_ERROR("vmx_sc_vcpu", ("cannot parse " + scenario).c_str());
		return;
	}
	ro.trace = opt_.trace;
	ro.format = opt_.format;
	ro.diag = opt_.diag;
	session_ = vmxsim_session_open(scenario_, &ro, opt_.scenario_stimuli ? 0u : unsigned(VMXSIM_SESSION_NO_STIMULI));
	if (!session_) {
		vmxsim_scenario_free(scenario_);
		scenario_ = nullptr;
		SC_REPORT_ERROR("vmx_sc_vcpu", ("cannot build a machine from " + scenario).c_str());
		return;
	}
	if (opt_.cpu >= vmxsim_session_vcpus(session_)) {
		close();
		SC_REPORT_ERROR("vmx_sc_vcpu", ("no cpu" + std::to_string(opt_.cpu) + " in " + scenario).c_str());
		return;
	}
	hz_ = vmxsim_session_tsc_hz(session_);
	end_ = vmxsim_session_end(session_);
	ticks_per_second_ = sc_core::sc_time(1, sc_core::SC_SEC).value();

	SC_HAS_PROCESS(vmx_sc_vcpu);
	SC_METHOD(pins_changed);
	sensitive << nmi_i << intr_i;
	dont_initialize();
	SC_THREAD(run);
}

vmx_sc_vcpu::~vmx_sc_vcpu()
{
	close();
}

uint64_t vmx_sc_vcpu::cycles_at(const sc_core::sc_time &t) const
{
	return uint64_t(u128(t.value()) * hz_ / ticks_per_second_);
}

sc_core::sc_time vmx_sc_vcpu::time_of(uint64_t cycle) const
{
	return sc_core::sc_time::from_value(uint64_t((u128(cycle) * ticks_per_second_ + hz_ - 1) / hz_));
}

/*
 * Runs in the delta cycle after a pin changed. The machine has already
 * been run to the end of the current quantum; vmxsim_session_raise() puts a
 * stimulus for its past at vmxsim_session_now(), where the next step starts.
 */
void vmx_sc_vcpu::pins_changed()
{
	const bool nmi = nmi_i.read();
	const bool intr = intr_i.read();

	if (nmi && !nmi_prev_)
		raise(true, 0);
	if (intr && !intr_prev_)
		raise(false, uint8_t(vector_i.read().to_uint()));
	nmi_prev_ = nmi;
	intr_prev_ = intr;
}

void vmx_sc_vcpu::raise(bool nmi, uint8_t vector)
{
	vmxsim_stimulus s = {};

	if (!session_)
		return;   /* the run is over */
	s.kind = nmi ? VMXSIM_STIM_NMI : VMXSIM_STIM_IRQ;
	s.vector = vector;
	s.level = level_ == target::l0_pin ? 0 : 1;
	s.cpu = opt_.cpu;
	s.origin = opt_.origin.c_str();
	if (vmxsim_session_raise(session_, &s, cycles_at(sc_core::sc_time_stamp())))
		edges_++;
}

/*
 * Temporal decoupling: run the machine to the end of the next quantum,
 * count the quantum, and hand control back to SystemC only when the keeper
 * says the local time has reached its sync point. Runs at delta 0 of each
 * sync time, so pin edges of that time are seen in the next quantum.
 */
void vmx_sc_vcpu::run()
{
	qk_.reset();
	while (vmxsim_session_now(session_) < end_) {
		vmxsim_session_run_until(session_, cycles_at(qk_.get_current_time() + opt_.quantum));
		qk_.inc(opt_.quantum);
		if (qk_.need_sync())
			qk_.sync();
	}
	close();
	done_ev_.notify(sc_core::SC_ZERO_TIME);
}

void vmx_sc_vcpu::close()
{
	if (session_) {
		status_ = vmxsim_session_close(session_, nullptr);
		session_ = nullptr;
	}
	if (scenario_) {
		vmxsim_scenario_free(scenario_);
		scenario_ = nullptr;
	}
}
