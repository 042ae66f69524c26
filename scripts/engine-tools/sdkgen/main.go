// pulumi-sdkgen generates a package's SDK from its schema with the code generators of pkg/v3 — the code the Pulumi
// CLI's language hosts run for `pulumi package gen-sdk` / `pulumi package add`. The language hosts built here (sdk/v3
// v3.68.0, scripts/engine-tools/language-hosts) predate GeneratePackage, so the CLI's own command fails with
// "GeneratePackage not implemented"; this program does what the v3.248 hosts do instead: bind the schema (validated
// against the package metaschema), generate, write the files.
//
// Usage: pulumi-sdkgen --language python|go --out DIR [SCHEMA.json]   (the schema from stdin without SCHEMA.json)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool name the generators write into each file's "do not edit" header, as the language hosts pass their own.
const tool = "pulumi-sdkgen"

func main() {
	language := flag.String("language", "", "python or go")
	out := flag.String("out", "", "the directory to write the SDK to (emptied first)")
	flag.Parse()
	if *out == "" || (*language != "python" && *language != "go") || flag.NArg() > 1 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-sdkgen --language python|go --out DIR [SCHEMA.json]")
		os.Exit(2)
	}
	if err := run(*language, *out, flag.Arg(0)); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(language, out, schemaPath string) error {
	var text []byte
	var err error
	if schemaPath == "" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(schemaPath)
	}
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("the schema is not JSON: %w", err)
	}
	// BindSpec validates against the metaschema and binds every type. The package references no other package's
	// types, so no loader that starts other providers is needed: a reference to one fails the bind, naming it.
	pkg, diags, err := schema.BindSpec(spec, noOtherPackages{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}

	var files map[string][]byte
	switch language {
	case "python":
		files, err = pygen.GeneratePackage(tool, pkg, nil, noOtherPackages{})
	case "go":
		// As `pulumi package add` does for a local SDK: a go.mod beside the packages, its module path the
		// importBasePath's parent (language.go.importBasePath of the schema).
		pkg.SupportPack = true
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	}
	if err != nil {
		return err
	}

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		file := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "pulumi-sdkgen: wrote %d files of the %s SDK of %s %s to %s\n",
		len(names), language, pkg.Name, pkg.Version, out)
	return nil
}

// noOtherPackages is the loader: the schema may reference only its own types and Pulumi's builtins.
type noOtherPackages struct{}

func (noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, otherPackage(name)
}

func otherPackage(name string) error {
	return fmt.Errorf("the schema references package %q; pulumi-sdkgen binds self-contained schemas only", name)
}

func (l noOtherPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (noOtherPackages) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, otherPackage(name)
}

func (noOtherPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, otherPackage(d.Name)
}
