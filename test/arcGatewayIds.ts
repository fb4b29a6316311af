// The Arc gateway ids the gateway specs share (test/arcGateway.spec.ts and the onboarding commands
// run under bash and PowerShell): an existing gateway, and the Entra tenant the machines join.
import { SUBSCRIPTION } from "./harness";

/** An existing gateway's resource id, in the harness's subscription. */
export const EXISTING = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-shared/providers/Microsoft.HybridCompute/gateways/gw-hub`;
/** The tenant the onboarding commands pass to `azcmagent connect`. */
export const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
