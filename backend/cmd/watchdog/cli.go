package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/buildinfo"
	"github.com/watchdog-monitor/watchdog/backend/internal/config"
)

// The command line: which sub-command, its own flags, its words, and the settings'
// flags, which may come before or after the sub-command and mean the same in either
// place. `watchdog -DATABASE_URL x export` exports; it must never start a server.

// command is one sub-command: what help says about it and what it accepts.
type command struct {
	name string
	// synopsis follows the name in its usage line.
	synopsis string
	summary  string
	about    string
	// settings are the ones it reads; nil means all of them. Every command accepts
	// every setting, so one set of flags serves each of them.
	settings []string
	// minArgs and maxArgs bound its words (the positional arguments).
	minArgs, maxArgs int
	// flags defines its own flags on fs, writing into o.
	flags func(fs *flag.FlagSet, o *applyFlags)
}

// storeSettings are what every command that opens the database reads.
var storeSettings = []string{"DATABASE_URL", "LOG_LEVEL", "LOG_FORMAT"}

// writeSettings are what commands that write targets and channels read too: the
// server's rules for them.
var writeSettings = append(slices.Clone(storeSettings), "MIN_INTERVAL_SECONDS", "ALLOW_PRIVATE_TARGETS",
	"SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_TLS")

var commands = []command{
	{name: "serve", summary: "run the API, scheduler and pinger (the default when no command is given)",
		about: "Runs the server until SIGINT or SIGTERM. It migrates the database first, and on the\nfirst start creates the admin user (printing a generated password once)."},
	{name: "migrate", summary: "apply database migrations and exit", settings: storeSettings,
		about: "Brings the database schema up to date and exits; serve does it too, at start."},
	{name: "export", summary: "print the configuration (targets, channels, status pages) as YAML", settings: storeSettings,
		about: "Prints the whole configuration as YAML; secrets are ${WATCHDOG_…} references."},
	{name: "apply", synopsis: "-f FILE [--prune] [--dry-run] [--exit-code]",
		summary: "make the database match a configuration document", settings: writeSettings,
		about: "Makes the database match FILE (- reads standard input), matching objects by name,\n" +
			"and prints created, updated, unchanged or deleted per object. A file with any\n" +
			"error changes nothing.\n\n" +
			"Exit status: 0 done, 1 failed, 2 usage error. With --exit-code: 0 nothing\n" +
			"changed (or would change, with --dry-run), 1 something changed (or would),\n" +
			"2 usage error, 3 the apply failed.",
		flags: func(fs *flag.FlagSet, o *applyFlags) {
			fs.StringVar(&o.file, "f", "", "the document to apply; - reads standard input")
			fs.Var(switchValue{&o.prune}, "prune", "also delete what the document does not have")
			fs.Var(switchValue{&o.dryRun}, "dry-run", "report what would change, and change nothing")
			fs.Var(switchValue{&o.exitCode}, "exit-code", "exit 1 when something changed (or would), 0 when nothing did, 3 when the apply failed")
		}},
	{name: "import", synopsis: "SOURCE FILE-OR-URL [--dry-run]", minArgs: 2, maxArgs: 2,
		summary: "create targets and channels from Gatus, Uptime Kuma or the original WatchDog", settings: writeSettings,
		about: strings.TrimPrefix(importUsage, "usage: watchdog import SOURCE FILE-OR-URL [--dry-run]\n\n"),
		flags: func(fs *flag.FlagSet, o *applyFlags) {
			fs.Var(switchValue{&o.dryRun}, "dry-run", "report what would be created, and change nothing")
		}},
	{name: "healthcheck", summary: "exit 0 when the server on this machine is ready (for container health checks)",
		settings: []string{"LISTEN_ADDR"},
		about: "Asks the server listening on LISTEN_ADDR on this machine for GET /readyz and exits\n" +
			"0 when it answers 200 within a few seconds, else says why and exits 1. It opens\n" +
			"no database."},
	{name: "version", summary: "print the version, the commit and the Go version", settings: []string{},
		about: "Prints the version, the commit it was built from and the Go version (--version does too)."},
	{name: "help", synopsis: "[COMMAND]", maxArgs: 1, summary: "print help about a command", settings: []string{},
		about: "Prints what a command does, its flags and the settings it reads."},
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// usageError is a command line that does not say what to do: main exits 2 on it.
type usageError struct {
	msg string
	// cmd is the command whose help would help; "" for the overview.
	cmd string
}

func (e *usageError) Error() string {
	hint := "watchdog --help"
	if e.cmd != "" {
		hint = "watchdog " + e.cmd + " --help"
	}
	return fmt.Sprintf("%s (see '%s')", e.msg, hint)
}

// exitStatus is an outcome that asks for a particular exit status; err, when not nil,
// is printed.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitStatus) Unwrap() error { return e.err }

// exitCode is the status main exits with after err: 0 for none, 2 for a usage error,
// the asked-for status of an exitStatus, else 1.
func exitCode(err error) int {
	var ue *usageError
	var es *exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	case errors.As(err, &es):
		return es.code
	}
	return 1
}

// report writes what went wrong to stderr, one line for a usage error, and returns
// the exit status.
func report(stderr io.Writer, format string, err error) int {
	code := exitCode(err)
	var es *exitStatus
	if err != nil && !(errors.As(err, &es) && es.err == nil) {
		reportError(stderr, format, err)
	}
	return code
}

// switchValue is a command's on/off flag: --prune, or --prune=false.
type switchValue struct{ p *bool }

func (v switchValue) IsBoolFlag() bool { return true }
func (v switchValue) String() string {
	if v.p == nil || !*v.p {
		return "false"
	}
	return "true"
}

func (v switchValue) Set(s string) error {
	switch strings.ToLower(s) {
	case "true", "1", "t", "yes":
		*v.p = true
	case "false", "0", "f", "no":
		*v.p = false
	default:
		return errors.New("want true or false")
	}
	return nil
}

// invocation is a parsed command line.
type invocation struct {
	cmd *command
	// named says the command was given, not taken as serve by default.
	named bool
	own   applyFlags
	// args are the command's words.
	args          []string
	help, version bool
	// cfg holds the settings given as flags, over the defaults; settings finishes it.
	cfg config.Config
	fs  *flag.FlagSet
}

// flagSet is cmd's flags: the settings, its own, and --help and --version.
func (inv *invocation) flagSet(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet("watchdog "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	inv.cfg = config.Default()
	inv.cfg.AddFlags(fs)
	if cmd.flags != nil {
		cmd.flags(fs, &inv.own)
	}
	fs.Var(switchValue{&inv.help}, "help", "print this help")
	fs.Var(switchValue{&inv.help}, "h", "print this help")
	fs.Var(switchValue{&inv.version}, "version", "print the version")
	return fs
}

// parseArgs finds the command (the first word that is not a flag or a flag's value)
// and parses the rest: flags anywhere, words in order.
func parseArgs(args []string) (*invocation, error) {
	name, at, unknown := "serve", -1, ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			name, at = a, i
			break
		}
		flagName, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		known, withValue := flagKind(flagName)
		if !known {
			unknown = a
		}
		if !hasValue && withValue {
			i++
		}
	}
	cmd := lookup(name)
	if cmd == nil {
		if unknown != "" && at > 0 && args[at-1] == unknown {
			// -LISTEN :9 is a misspelt setting and its value, not a command ":9".
			// Only the name: the value of -ADMIN_PAS=hunter2 is a secret.
			flagName, _, _ := strings.Cut(unknown, "=")
			return nil, &usageError{msg: "unknown flag " + flagName}
		}
		return nil, &usageError{msg: "unknown command " + quoteWord(name)}
	}
	rest := args
	if at >= 0 {
		rest = append(slices.Clone(args[:at]), args[at+1:]...)
	}
	inv := &invocation{cmd: cmd, named: at >= 0}
	inv.fs = inv.flagSet(cmd)
	for {
		if err := inv.fs.Parse(rest); err != nil {
			msg := err.Error()
			if f, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown flag " + f
			}
			return nil, &usageError{msg: cmd.name + ": " + msg, cmd: cmd.name}
		}
		left := inv.fs.Args()
		if len(left) == 0 {
			break
		}
		if n := len(rest) - len(left); n > 0 && rest[n-1] == "--" {
			// After --, everything is a word.
			inv.args = append(inv.args, left...)
			break
		}
		inv.args = append(inv.args, left[0])
		rest = left[1:]
	}
	if inv.help || inv.version {
		return inv, nil
	}
	switch {
	case len(inv.args) > cmd.maxArgs:
		return nil, &usageError{msg: cmd.name + ": unexpected argument " + quoteWord(inv.args[cmd.maxArgs]), cmd: cmd.name}
	case len(inv.args) < cmd.minArgs:
		return nil, &usageError{msg: fmt.Sprintf("%s: want %s", cmd.name, cmd.synopsis), cmd: cmd.name}
	case cmd.name == "apply" && inv.own.file == "":
		return nil, &usageError{msg: "apply: -f FILE is required (- reads standard input)", cmd: cmd.name}
	case cmd.name == "help" && len(inv.args) == 1 && lookup(inv.args[0]) == nil:
		return nil, &usageError{msg: "help: unknown command " + quoteWord(inv.args[0])}
	}
	return inv, nil
}

// quoteWord quotes a word of the command line for a usage error, cut at its first =:
// NAME=value is a setting, and its value may be a secret (ADMIN_PASS=hunter2).
func quoteWord(w string) string {
	if name, _, cut := strings.Cut(w, "="); cut {
		w = name + "=…"
	}
	return strconv.Quote(w)
}

// settings finishes the settings: getenv gives those no flag gave, then they are
// checked.
func (inv *invocation) settings(getenv func(string) string) (config.Config, error) {
	if err := inv.cfg.ReadEnv(inv.fs, getenv); err != nil {
		return inv.cfg, err
	}
	return inv.cfg, inv.cfg.Validate()
}

// withEnvFile is lookupenv over the variables in the file at path, when there is a
// regular file there: the environment wins where it sets a variable, even to "" (as
// godotenv, python-dotenv and compose have it), so `DATABASE_URL= watchdog migrate`
// never reaches the database a .env names. It returns the merged variables as a
// getenv, and path when it read it.
func withEnvFile(lookupenv func(string) (string, bool), path string) (func(string) string, string, error) {
	fromEnv := func(name string) string {
		v, _ := lookupenv(name)
		return v
	}
	if path == "" {
		return fromEnv, "", nil
	}
	vars, err := config.ReadEnvFile(path, lookupenv)
	if errors.Is(err, fs.ErrNotExist) {
		return fromEnv, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	return func(name string) string {
		if v, ok := lookupenv(name); ok {
			return v
		}
		return vars[name]
	}, path, nil
}

// flagKind says whether any command knows a flag, and whether its value follows it:
// every setting's does, and -f's; the switches take none. An unknown flag is taken to
// have none; parsing the command's flags then refuses it.
func flagKind(name string) (known, takesValue bool) {
	for i := range commands {
		var inv invocation
		if f := inv.flagSet(&commands[i]).Lookup(name); f != nil {
			b, ok := f.Value.(interface{ IsBoolFlag() bool })
			return true, !ok || !b.IsBoolFlag()
		}
	}
	return false, false
}

// versionLine is what `watchdog version` prints.
func versionLine() string {
	bi := buildinfo.Read()
	return fmt.Sprintf("watchdog %s (commit %s, %s)", bi.Version, bi.Commit, bi.GoVersion)
}

// printOverview is `watchdog --help`.
func printOverview(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: watchdog [COMMAND] [flags] [-SETTING value ...]\n\n" +
		"WatchDog checks web services on a schedule, keeps free-tier ones warm, and alerts\nwhen they are down.\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\nFlags and settings may come before or after the command. Every setting is an\n" +
		"environment variable or a flag of the same name (-DATABASE_URL postgres://…); a flag\n" +
		"wins over the environment, which wins over a ./.env file. 'watchdog help serve'\n" +
		"lists every setting; 'watchdog help COMMAND' shows a command's flags and the\n" +
		"settings it reads.\n\n" +
		"Exit status: 0 done, 1 failed, 2 usage error (see 'watchdog help apply' for\n--exit-code).\n")
	_, _ = io.WriteString(w, b.String())
}

// printHelp is `watchdog help CMD` and `watchdog CMD --help`.
func printHelp(w io.Writer, cmd *command) {
	var b strings.Builder
	usage := "usage: watchdog " + cmd.name
	if cmd.synopsis != "" {
		usage += " " + cmd.synopsis
	}
	if cmd.settings == nil || len(cmd.settings) > 0 {
		usage += " [-SETTING value ...]"
	}
	b.WriteString(usage + "\n\n" + cmd.about + "\n")
	var inv invocation
	fs := inv.flagSet(cmd)
	var own []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if config.TypeName(f.Value) == "" && f.Name != "help" && f.Name != "h" && f.Name != "version" {
			own = append(own, f)
		}
	})
	if len(own) > 0 {
		b.WriteString("\nFlags:\n")
		for _, f := range own {
			writeFlag(&b, f)
		}
	}
	settings := cmd.settings
	if settings == nil {
		fs.VisitAll(func(f *flag.Flag) {
			if config.TypeName(f.Value) != "" {
				settings = append(settings, f.Name)
			}
		})
	}
	if len(settings) > 0 {
		b.WriteString("\nSettings it reads (an environment variable, or a flag of the same name; a flag\n" +
			"wins over the environment, which wins over ./.env):\n")
		for _, name := range settings {
			writeFlag(&b, fs.Lookup(name))
		}
	}
	_, _ = io.WriteString(w, b.String())
}

// writeFlag writes one flag's help: its name and what it takes, its default when it
// has one, and what it is for.
func writeFlag(b *strings.Builder, f *flag.Flag) {
	switch typ := config.TypeName(f.Value); {
	case typ != "":
		fmt.Fprintf(b, "  -%s %s", f.Name, typ)
		if f.DefValue != "" {
			fmt.Fprintf(b, " (default %s)", f.DefValue)
		}
	case f.Name == "f":
		b.WriteString("  -f FILE")
	default:
		fmt.Fprintf(b, "  --%s", f.Name)
	}
	fmt.Fprintf(b, "\n        %s\n", f.Usage)
}
