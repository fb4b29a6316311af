/**
 * The program the benchmark previews with the offline preview's CLI, as a user's project would:
 * the component with `bench:machines` machines (the fleet of bench/scenario.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted } from "../sdk";
import { fleetArgs } from "./scenario";

const machines = new pulumi.Config("bench").requireNumber("machines");
const defender = new DefenderForServersNetworkRestricted("d", fleetArgs(machines, "machines"));

export const pricingId = defender.pricingId;
