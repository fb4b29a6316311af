// The booted Linux scripts suite (test/booted/suite.ts) on Debian 11 (bullseye): a file of its own so
// that the scripts tier's parallel mocha runs it beside the other releases.
import { describeBootedDebian } from "./suite";

describeBootedDebian("bullseye");
