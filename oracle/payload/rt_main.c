/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_main.c - the runtime's set-up, in the order a case's report shows it:
 * descriptor tables, the VMX capabilities, the APIC, VMX operation, the
 * VMCSs. rt_start.asm then enters the L1 program (case_l1_main).
 */
#include "rt.h"

void rt_main(void);

void rt_main(void)
{
	rt_printf("BXO start\n");
	rt_cpu_tables();
	rt_vmx_caps();
	rt_apic_x2();
	rt_vmx_on();
	rt_l1_exit_handler = case_l1_exit_handler;
	rt_vmcs_all();
}
