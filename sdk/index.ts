/** Public surface of the `defender-servers` package. */
export { DefenderForServersNetworkRestricted } from "./component";
export * from "./args";
export { validate, ValidationError, Problem, NormalizedArgs } from "./validate";
// The types of the component's outputs, so that a program can name what it passes on
// (test/package.spec.ts checks that every type an output uses is exported here).
export { EgressDestination } from "./plan/egress";
export { OnboardingCommands } from "./plan/privateLink";
export { AzureFirewallRule, AzureFirewallRuleAction, AzureFirewallRuleCollection, AzureFirewallRuleProtocol } from "./plan/firewallRules";
export { OnboardingVerification } from "./plan/onboardingVerification";
export { RemediationGateOutput } from "./resources/policyRollout";
