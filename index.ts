/**
 * Entry point of the `defender-servers` component provider (see PulumiPlugin.yaml and
 * sdk/provider.ts). Loading this file starts the provider's gRPC server: it is run by the Pulumi
 * Node.js language host (after `pulumi package add`, whenever a program uses the package), never
 * imported. The npm package does not ship it: TypeScript programs import `defender-servers`.
 *
 * It is also where the schema analyzer starts reading the source (package.json `exports` and
 * `main` point at `dist/`, which holds no TypeScript), so it must stay in tsconfig.json's
 * `include` and keep importing the provider, which imports the component.
 */
import { serveComponentProvider } from "./sdk/provider";

void serveComponentProvider();
