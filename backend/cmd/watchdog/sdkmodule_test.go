package main

// The Go SDK is a module of its own (backend/apiclient/go.mod), so that a program
// using it gets what the SDK needs and nothing of the server: not its database
// drivers, not its Echo, not its go line. This test is such a program, written
// outside the repository and built the way a user would build it (no go.work), with a
// replace directive standing in for `go get`.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sdkModule = "github.com/watchdog-monitor/watchdog/backend/apiclient"

// sdkModuleGraph is every module a user's module may see through the SDK: the SDK,
// the oapi-codegen runtime and what it uses (uuid, jsonmerge, nullable, yaml), the
// test library the SDK's and the runtime's tests use, and the modules jsonmerge's
// go.mod names (it predates module graph pruning, so its whole graph comes along,
// though no package of them is built).
var sdkModuleGraph = []string{
	sdkModule,
	"github.com/oapi-codegen/runtime",
	"github.com/oapi-codegen/nullable",
	"github.com/apapsch/go-jsonmerge/v2",
	"github.com/google/uuid",
	"go.yaml.in/yaml/v3",
	"github.com/stretchr/testify",
	"github.com/stretchr/objx",
	"github.com/davecgh/go-spew",
	"github.com/pmezard/go-difflib",
	"github.com/RaveNoX/go-jsoncommentstrip",
	"github.com/bmatcuk/doublestar",
	"github.com/juju/gnuflag",
	"github.com/spkg/bom",
}

func TestSDKModuleStandsAlone(t *testing.T) {
	sdkDir, err := filepath.Abs("../../apiclient")
	require.NoError(t, err)
	sdkMod, err := os.ReadFile(filepath.Join(sdkDir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(sdkMod), "module "+sdkModule+"\n")
	assert.NotContains(t, string(sdkMod), "\ntoolchain ", "the SDK names no toolchain")
	assert.NotContains(t, string(sdkMod), "watchdog/backend ", "the SDK does not need the server's module")

	dir := t.TempDir()
	const userGo = "go 1.26.0"
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("go.mod", "module example.com/uses-watchdog\n\n"+userGo+"\n\n"+
		"require "+sdkModule+" v0.0.0-00010101000000-000000000000\n\n"+
		"replace "+sdkModule+" => "+filepath.ToSlash(sdkDir)+"\n")
	write("main.go", `package main

import (
	"context"
	"fmt"
	"os"

	"`+sdkModule+`"
)

func main() {
	c, err := apiclient.New("http://localhost:8080", apiclient.WithAPIKey(os.Getenv("WATCHDOG_API_KEY")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	res, err := apiclient.OK(c.ListTargetsWithResponse(context.Background(), &apiclient.ListTargetsParams{}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, t := range res.JSON200.Items {
		fmt.Println(t.Name, t.LastStatus)
	}
}
`)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	run := func(args ...string) string {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	run("build", "-o", filepath.Join(dir, "uses-watchdog"), ".")

	var graph []string
	for line := range strings.Lines(run("list", "-m", "all")) {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "example.com/uses-watchdog" {
			graph = append(graph, f[0])
		}
	}
	t.Logf("go list -m all in a module that uses the SDK: %v", graph)
	assert.Contains(t, graph, sdkModule)
	assert.Contains(t, graph, "github.com/oapi-codegen/runtime")
	for _, m := range graph {
		assert.True(t, slices.Contains(sdkModuleGraph, m), "the SDK brings %s into its user's module graph", m)
	}

	// Building added the SDK's needs to go.mod and left the user's go line alone.
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), "\n"+userGo+"\n", "the SDK does not raise its user's go line:\n%s", mod)
	assert.NotContains(t, string(mod), "\ntoolchain ", "nor add a toolchain line")
}
