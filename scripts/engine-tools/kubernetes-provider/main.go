// The main package of pulumi-resource-kubernetes, as the provider's own cmd/pulumi-resource-kubernetes builds it:
// the schema and the terraform mapping are embedded (the script writes both JSON files beside this file in its build
// copy; they are not kept in the repository).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
