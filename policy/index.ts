/**
 * The `defender-servers` policy pack: `pulumi preview --policy-pack <this directory>`.
 * The checks are in rules.ts, their names and levels in policies.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies, POLICY_PACK_NAME } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
    description: "Guardrails for Microsoft Defender for Servers behind an HTTP proxy or Private Link (defender-servers).",
    enforcementLevel: "mandatory",
    policies,
});
