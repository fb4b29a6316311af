/**
 * The component provider: serves `DefenderForServersNetworkRestricted` to Python, Go, C#, Java
 * and YAML through `@pulumi/pulumi/provider/experimental`.
 *
 * How it is reached: `PulumiPlugin.yaml` (`runtime: nodejs`) marks the repository root as a
 * source plugin. The Node.js language host runs `@pulumi/pulumi/cmd/run-plugin <root>`, which
 * registers ts-node and `require`s the root directory: `dist/index.js`, through package.json
 * `main` (the npm install that `pulumi package add` runs builds it, in `prepare`), or, when
 * there is no `dist/`, the root `index.ts`. `dist/index.js` exports the component class, which
 * run-plugin finds and hosts itself with the same name and root; `index.ts` calls
 * `serveComponentProvider()` below.
 *
 * The warning every start printed without `dist/` was Node's own `DEP0128` ("Invalid 'main'
 * field": `main` names a missing file, so Node falls back to `index.*`), not an SDK API:
 * `componentProviderHost` is current in @pulumi/pulumi 3.276 (nothing under
 * `@pulumi/pulumi/provider` is marked `@deprecated`). Building `dist/` is the fix. Either way the schema is
 * inferred from the TypeScript source under the root: the analyzer reads the root
 * `tsconfig.json` and starts at the root `index.ts` (package.json `exports` and `main` point at
 * `dist/`, which holds no source).
 *
 * Nothing here runs on import: `serveComponentProvider()` starts the gRPC server.
 */
import * as path from "node:path";
import { componentProviderHost, ComponentProviderOptions } from "@pulumi/pulumi/provider/experimental";
import { DefenderForServersNetworkRestricted } from "./component";
import { DefenderConnectivity } from "./components/connectivity";
import { DefenderMachines } from "./components/machines";
import { DefenderManagementGroupRollout } from "./components/managementGroup";
import { DefenderSubscription } from "./components/subscription";

/** The Pulumi package name, first part of every type token (`defender-servers:index:...`). It is also package.json's `name`, which run-plugin derives the name from when it hosts `dist/`. */
export const PACKAGE_NAME = "defender-servers";

/**
 * The root the provider is served from: package.json, tsconfig.json, PulumiPlugin.yaml and the
 * `index.ts` entry. This file is one level below it in the source (`sdk/`) and once built (`dist/`).
 */
export const PACKAGE_ROOT = path.resolve(__dirname, "..");

/** What `componentProviderHost` (and a test calling `ComponentProvider.getSchema()`) needs: the package name, the root and the component classes. */
export function componentProviderOptions(root: string = PACKAGE_ROOT): ComponentProviderOptions {
    return {
        name: PACKAGE_NAME,
        dirname: root,
        components: [
            DefenderForServersNetworkRestricted,
            DefenderSubscription,
            DefenderMachines,
            DefenderConnectivity,
            DefenderManagementGroupRollout,
        ],
    };
}

/**
 * Starts the provider: a gRPC server on a free loopback port, printed on stdout for the engine.
 * The engine address is the first program argument (run-plugin passes it through).
 */
export function serveComponentProvider(): Promise<void> {
    return componentProviderHost(componentProviderOptions());
}
