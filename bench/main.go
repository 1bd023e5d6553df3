// Command bench is the driver behind `make bench`: it runs every registered suite against a real
// PostgreSQL, each figure beside a raw-pgx baseline measured in the same run, prints a markdown
// table and writes bench/results.json. Baselines connect through rawPool (stock pgx), the product
// through migrations.ConnectAs.
//
// Each area adds a file with an init function that calls register. Figures that have no natural
// baseline (ns/op of a pure function) leave the baseline empty and the ratio at 0.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"
)

// Result is one measured figure. Ratio is Value / BaselineValue for "more is better" units
// (events/s, req/s) and BaselineValue / Value for "less is better" ones (ns/op, ms); 0 when there is
// no baseline.
type Result struct {
	Name          string  `json:"name"`
	Value         float64 `json:"value"`
	Unit          string  `json:"unit"`
	BaselineName  string  `json:"baseline_name"`
	BaselineValue float64 `json:"baseline_value"`
	Ratio         float64 `json:"ratio"`
	Target        float64 `json:"target,omitempty"`
}

// Env is what a suite gets: a fresh, migrated database and the scale to run at.
type Env struct {
	// AdminURL reaches the server with rights to create databases.
	AdminURL string
	// NewDatabase creates a fresh migrated database and returns its URL; dropped at exit.
	NewDatabase func(ctx context.Context) (string, error)
	// Quick is set by -quick: smaller sizes, for checking the driver itself.
	Quick bool
}

type suite struct {
	name string
	run  func(ctx context.Context, env *Env) ([]Result, error)
}

var suites []suite

// register adds a suite; called from init functions, so suites run in file-name order.
func register(name string, run func(ctx context.Context, env *Env) ([]Result, error)) {
	suites = append(suites, suite{name: name, run: run})
}

func main() {
	out := flag.String("out", "bench/results.json", "where to write the figures as JSON")
	only := flag.String("run", "", "run only suites whose name matches this regular expression")
	quick := flag.Bool("quick", false, "small sizes, to check that the driver works")
	flag.Parse()

	ctx := context.Background()
	env, cleanup, err := newEnv(ctx, *quick)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	defer cleanup()

	re := regexp.MustCompile(*only)
	var all []Result
	failed := false
	for _, s := range suites {
		if !re.MatchString(s.name) {
			continue
		}
		start := time.Now()
		fmt.Fprintf(os.Stderr, "bench: %s ...\n", s.name)
		rs, err := s.run(ctx, env)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", s.name, err)
			failed = true
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s done in %s\n", s.name, time.Since(start).Round(time.Millisecond))
		all = append(all, rs...)
	}
	printTable(os.Stdout, all)
	b, _ := json.MarshalIndent(all, "", "  ")
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		failed = true
	}
	if failed {
		cleanup()
		os.Exit(1)
	}
}
