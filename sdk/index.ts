/**
 * Public surface of the `defender-servers` package: the components, their args and outputs,
 * the choices, the validation error, and pure helpers. Nothing else (no `validate`, no
 * normalized args, no plan internals): those may change in any release.
 */
// The all-in-one component, for one subscription (docs/scopes.md: migrating from it).
export { DefenderForServersNetworkRestricted } from "./component";
// The components by scope (docs/scopes.md).
export { DefenderSubscription } from "./components/subscription";
export { DefenderMachines } from "./components/machines";
export { DefenderConnectivity } from "./components/connectivity";
export { DefenderManagementGroupRollout } from "./components/managementGroup";
// Args and choices.
export * from "./args";
export * from "./components/args";
// What bad args throw.
export { ValidationError, Problem } from "./validate";
// Pure helpers: no stack, no engine, no credentials.
export { defenderEgress, DefenderEgress } from "./components/egress";
// The types of the components' outputs, so that a program can name what it passes on
// (test/package.spec.ts checks that every type an output uses is exported here).
export { EgressDestination } from "./plan/egress";
export { OnboardingCommands } from "./plan/privateLink";
export { AzureFirewallRule, AzureFirewallRuleAction, AzureFirewallRuleCollection, AzureFirewallRuleProtocol } from "./plan/firewallRules";
export { OnboardingVerification } from "./plan/onboardingVerification";
export { RemediationGateOutput } from "./resources/policyRollout";
