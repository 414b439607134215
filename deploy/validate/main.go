// Command validate checks WatchDog's deployment files without a cluster or a network:
//
//	validate manifests [FILE|-]...
//	    Kubernetes manifests (helm template output): every document decoded strictly
//	    into its typed k8s.io/api object, so an unknown, misspelt or mistyped field
//	    fails; kinds client-go does not know fail, except ServiceMonitor, whose shape is
//	    checked by hand; then the cross-references (selectors, ports, Secrets and keys)
//	    and the "restricted" Pod Security Standard.
//	validate dashboard -metrics DIR FILE
//	    A Grafana dashboard: importable, panels well placed, and every query reading
//	    only metrics and labels that the Go package in DIR exports.
//
// It is its own module (not in go.work, so its Kubernetes libraries never change the
// versions the server builds with). From the repository root:
//
//	helm template watchdog deploy/helm/watchdog --set existingSecret.name=x |
//	    (cd deploy/validate && GOWORK=off go run . manifests)
//
// deploy/check.sh runs both for `make test`, and this module's tests render the
// chart's value sets and assert what each must produce.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

const usage = `usage: validate manifests [FILE|-]...
       validate dashboard -metrics DIR FILE`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "manifests":
		return runManifests(args[1:], stdin, stdout)
	case "dashboard":
		return runDashboard(args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func runManifests(files []string, stdin io.Reader, stdout io.Writer) error {
	if len(files) == 0 {
		files = []string{"-"}
	}
	var readers []io.Reader
	for _, f := range files {
		if f == "-" {
			readers = append(readers, stdin)
			continue
		}
		b, err := readFile(f)
		if err != nil {
			return err
		}
		// A file that does not end its last line would glue on the next file's "---".
		readers = append(readers, strings.NewReader(string(b)+"\n---\n"))
	}
	objs, decodeErr := Decode(io.MultiReader(readers...))
	rel, checkErr := Check(objs)
	if err := errors.Join(decodeErr, checkErr); err != nil {
		return fmt.Errorf("manifests: invalid:\n%w", err)
	}
	if len(objs) == 0 {
		return errors.New("manifests: no objects in the input")
	}
	kinds := make([]string, 0, len(objs))
	for _, o := range objs {
		kinds = append(kinds, o.String())
	}
	slices.Sort(kinds)
	fmt.Fprintf(stdout, "%d objects valid: %s", len(objs), strings.Join(kinds, ", "))
	if len(rel.ExternalSecrets) > 0 {
		fmt.Fprintf(stdout, "; reads Secret %s, which must exist before install", strings.Join(rel.ExternalSecrets, ", "))
	}
	fmt.Fprintln(stdout)
	return nil
}

func runDashboard(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	metricsDir := fs.String("metrics", "", "the Go package that declares the metrics (backend/internal/metrics)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *metricsDir == "" || fs.NArg() != 1 {
		return errors.New(usage)
	}
	cat, err := LoadCatalog(*metricsDir)
	if err != nil {
		return err
	}
	data, err := readFile(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, err := CheckDashboard(data, cat)
	if err != nil {
		return fmt.Errorf("dashboard %s: invalid:\n%w", fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "%d panels, %d queries over %d metrics, all exported by %s\n",
		rep.Panels, rep.Queries, len(rep.Used), *metricsDir)
	return nil
}
