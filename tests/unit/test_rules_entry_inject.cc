/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_entry_inject.cc - VM-entry checks of the event-injection
 * fields (R6 interruption type and vector, R7 error code, R8 instruction
 * length): every failing check with its exact outcome, and the events each
 * check lets through.
 */
#include "rule_entry_fixture.h"

/* ---- R6: interruption type and vector ---- */

TEST_F(RuleEntry, R6_ReservedType1Fails)
{
	Inject(0x80000120);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_Type7WithoutMtfSupportFails)
{
	Use("core2-no-vnmi");
	Inject(0x80000700);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_Type7WithNonZeroVectorFails)
{
	Inject(0x80000701);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_Type7WithVector0Enters)
{
	Inject(0x80000700);
	ExpectEnters();
}

TEST_F(RuleEntry, R6_NmiWithVectorOtherThan2Fails)
{
	Inject(0x80000203);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_HardwareExceptionVectorAbove31Fails)
{
	Inject(0x80000320);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_ReservedBit12Fails)
{
	Inject(0x80001030);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_ReservedBit30Fails)
{
	Inject(0xc0000030);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_ExternalInterruptMayUseAnExceptionVector)
{
	Inject(0x80000005);
	ExpectEnters();
}

TEST_F(RuleEntry, R6_SoftwareInterruptMayUseVector14)
{
	Inject(0x8000040e, 0, 2);
	ExpectEnters();
}

TEST_F(RuleEntry, R6_InvalidFieldIsNotChecked)
{
	Inject(0x00000120);   /* reserved type, but bit 31 clear: nothing to inject */
	ExpectEnters();
}

/* ---- R7: deliver-error-code consistency ---- */

TEST_F(RuleEntry, R7_ErrorCodeOnExternalInterruptFails)
{
	Inject(0x80000830);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_ErrorCodeOnNmiFails)
{
	Inject(0x80000a02);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_GpWithoutErrorCodeFailsOnNehalem)
{
	Inject(0x8000030d);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_UdWithErrorCodeFailsOnNehalem)
{
	Inject(0x80000b06);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_EveryErrorCodeVectorNeedsBit11)
{
	for (uint32_t vec : {8u, 10u, 11u, 12u, 13u, 14u, 17u}) {
		Use("nehalem");
		Inject(0x80000300 | vec);
		EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID) << "vector " << vec;
		Use("nehalem");
		Inject(0x80000b00 | vec);
		EXPECT_EQ(Launch(), VMX_ENTRY_OK) << "vector " << vec << ": " << LastCheck();
	}
}

TEST_F(RuleEntry, R7_GpWithoutErrorCodeEntersWhenBasic56IsSet)
{
	Use("sapphire-rapids");
	Inject(0x8000030d);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_UdWithErrorCodeEntersWhenBasic56IsSet)
{
	Use("sapphire-rapids");
	Inject(0x80000b06, 0x12);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_ErrorCodeBits31To16MustBeZero)
{
	Inject(0x80000b0d, 0x10000);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_ErrorCodeFFFFIsAccepted)
{
	Inject(0x80000b0d, 0xffff);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_ErrorCodeInRealModeFails)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_NE);   /* PE = 0 (NE stays: IA32_VMX_CR0_FIXED0) */
	Inject(0x80000b0d);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_GpWithoutErrorCodeInRealModeEnters)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_NE);   /* PE = 0 */
	Inject(0x8000030d);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_ErrorCodeOnSoftInterruptFailsEvenWithBasic56)
{
	/* BASIC[56] drops only the vector-based part: types other than 3 never take an error code. */
	Use("sapphire-rapids");
	Inject(0x80000c80, 0, 2);   /* INT 0x80 with bit 11 */
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

/* ---- R8: instruction length of soft events ---- */

TEST_F(RuleEntry, R8_SoftInterruptLength0FailsWithoutMisc30)
{
	Inject(0x80000480, 0, 0);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_SoftInterruptLength16Fails)
{
	Inject(0x80000480, 0, 16);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_SoftInterruptLength15Enters)
{
	Inject(0x80000480, 0, 15);
	ExpectEnters();
}

TEST_F(RuleEntry, R8_PrivilegedSoftExceptionLength0Fails)
{
	Inject(0x80000501, 0, 0);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_SoftExceptionLength16Fails)
{
	Inject(0x80000603, 0, 16);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_ZeroLengthAllowedWithMisc30)
{
	Use("sapphire-rapids");
	Inject(0x80000480, 0, 0);
	ExpectEnters();
}

TEST_F(RuleEntry, R8_LengthIgnoredForHardwareEvents)
{
	Inject(0x80000030, 0, 0);
	ExpectEnters();
}
