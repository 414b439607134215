// Command manifestschema writes the JSON Schema of WatchDog's configuration document
// (docs/watchdog.schema.json), from the Go types `watchdog apply` reads, so that
// editors can complete and check the file. `make docs` runs it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/invopop/jsonschema"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

func main() {
	out := flag.String("out", "../docs/watchdog.schema.json", "where to write the schema")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "manifestschema:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	r := &jsonschema.Reflector{
		// Strict like `watchdog apply`: an unknown field is an error there too.
		AllowAdditionalProperties:  false,
		RequiredFromJSONSchemaTags: true,
		DoNotReference:             false,
	}
	if err := r.AddGoComments("github.com/watchdog-monitor/watchdog/backend", "./internal/manifest"); err != nil {
		return fmt.Errorf("read comments: %w", err)
	}
	s := r.Reflect(&manifest.Document{})
	if t, ok := s.Definitions["Target"]; ok {
		// url is required of every target but a heartbeat, which is pinged instead.
		isHeartbeat := jsonschema.NewProperties()
		isHeartbeat.Set("type", &jsonschema.Schema{Const: "heartbeat"})
		t.If = &jsonschema.Schema{Properties: isHeartbeat, Required: []string{"type"}}
		t.Else = &jsonschema.Schema{Required: []string{"url"}}
	}
	s.ID = "https://github.com/watchdog-monitor/watchdog/docs/watchdog.schema.json"
	s.Title = "WatchDog configuration"
	body, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(body, '\n'), 0o644)
}
