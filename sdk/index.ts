/** Public surface of the `defender-servers` package. */
export { DefenderForServersNetworkRestricted } from "./component";
export * from "./args";
export { validate, ValidationError, Problem, NormalizedArgs } from "./validate";
