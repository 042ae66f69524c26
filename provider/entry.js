// The entry the Pulumi engine runs: PulumiPlugin.yaml (runtime nodejs) makes it start
// `@pulumi/pulumi/cmd/run-plugin <package root>`, which requires the package's "main" — this file. It exports no
// ComponentResource, so run-plugin does not infer a schema from the TypeScript types (RegistryArgs is a union the
// inference cannot state) and this hand-written provider serves instead.
// From a git checkout (`pulumi package add <repo>`), the TypeScript sources run through tsx (a devDependency, installed
// there); from the npm tarball, the build in dist/ runs.
const fs = require("node:fs");
const path = require("node:path");

const source = path.join(__dirname, "main.ts");
const built = path.join(__dirname, "..", "dist", "provider", "main.js");
let main;
if (fs.existsSync(source)) {
    require("tsx/cjs/api").register();
    main = require(source);
} else {
    main = require(built);
}
module.exports = main.serve(process.argv.slice(2));
