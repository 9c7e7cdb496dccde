/*
 * vmx_sc_vcpu.cc - the SystemC module around one modelled machine: an
 * SC_METHOD turns pin edges into stimuli (machine_raise), an SC_THREAD runs
 * the machine a quantum at a time under a quantum keeper.
 */
#include "adapters/systemc/vmx_sc_vcpu.h"

#include <string>

#include "cli/scenario_run.h"
#include "front/scenario.h"
#include "model/machine/machine.h"

namespace {

/* 128-bit intermediate products: time values times a TSC frequency overflow 64 bits. */
__extension__ typedef unsigned __int128 u128;

} // namespace

vmx_sc_vcpu::vmx_sc_vcpu(sc_core::sc_module_name name, const std::string &scenario, target level,
                         const options &opt)
    : sc_core::sc_module(name), nmi_i("nmi_i"), intr_i("intr_i"), vector_i("vector_i"), level_(level), opt_(opt)
{
	scn_error err;
	char msg[1024];

	if (opt_.quantum == sc_core::SC_ZERO_TIME)
		SC_REPORT_ERROR("vmx_sc_vcpu", "the quantum must be longer than zero");
	scenario_ = scn_parse_file(scenario.c_str(), &err);
	if (!scenario_) {
		scn_format_error(&err, msg, sizeof(msg));
		std::fprintf(opt_.diag, "%s\n", msg);
		SC_REPORT_ERROR("vmx_sc_vcpu", ("cannot parse " + scenario).c_str());
		return;
	}
	handle_ = vmxsim_open_scenario(scenario_, opt_.trace, opt_.format, opt_.diag, nullptr,
	                               opt_.scenario_stimuli ? 0u : unsigned(VMXSIM_OPEN_NO_STIMULI));
	if (!handle_) {
		scn_free(scenario_);
		scenario_ = nullptr;
		SC_REPORT_ERROR("vmx_sc_vcpu", ("cannot build a machine from " + scenario).c_str());
		return;
	}
	machine_ = vmxsim_handle_machine(handle_);
	const machine_config *cfg = vmxsim_handle_config(handle_);
	if (opt_.cpu >= cfg->vcpus) {
		close();
		SC_REPORT_ERROR("vmx_sc_vcpu", ("no cpu" + std::to_string(opt_.cpu) + " in " + scenario).c_str());
		return;
	}
	hz_ = cfg->cpu.tsc_hz;
	end_ = cfg->run_cycles;
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
 * been run to the end of the current quantum; machine_raise() puts a
 * stimulus for its past at machine_now(), where the next step starts.
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
	machine_stimulus s = {};

	if (!handle_)
		return;   /* the run is over */
	s.kind = nmi ? MACHINE_STIM_NMI : MACHINE_STIM_IRQ;
	s.vector = vector;
	s.level = level_ == target::l0_pin ? 0 : 1;
	s.cpu = opt_.cpu;
	s.origin = opt_.origin.c_str();
	if (machine_raise(machine_, &s, cycles_at(sc_core::sc_time_stamp())))
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
	while (machine_now(machine_) < end_) {
		machine_run_until(machine_, cycles_at(qk_.get_current_time() + opt_.quantum));
		qk_.inc(opt_.quantum);
		if (qk_.need_sync())
			qk_.sync();
	}
	close();
	done_ev_.notify(sc_core::SC_ZERO_TIME);
}

void vmx_sc_vcpu::close()
{
	if (handle_) {
		status_ = vmxsim_close_scenario(handle_, nullptr);
		handle_ = nullptr;
		machine_ = nullptr;
	}
	if (scenario_) {
		scn_free(scenario_);
		scenario_ = nullptr;
	}
}
