package main

import (
	"fmt"
	"io"
	"strconv"
)

// printTable writes results as the markdown table the README keeps.
func printTable(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "| figure | value | baseline (same run) | ratio | target |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rs {
		base, ratio, target := "", "", ""
		if r.BaselineName != "" {
			base = fmt.Sprintf("%s: %s %s", r.BaselineName, human(r.BaselineValue), r.Unit)
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		if r.Target > 0 {
			target = fmt.Sprintf("≥ %.2f", r.Target)
		}
		fmt.Fprintf(w, "| %s | %s %s | %s | %s | %s |\n", r.Name, human(r.Value), r.Unit, base, ratio, target)
	}
}

func human(v float64) string {
	switch {
	case v >= 1000:
		s := strconv.FormatFloat(v, 'f', 0, 64)
		out := []byte{}
		for i, c := range []byte(s) {
			if i > 0 && (len(s)-i)%3 == 0 {
				out = append(out, ',')
			}
			out = append(out, c)
		}
		return string(out)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

// More builds a Result for a "more is better" figure (throughput).
func More(name string, value float64, unit, baseName string, baseValue, target float64) Result {
	r := Result{Name: name, Value: value, Unit: unit, BaselineName: baseName, BaselineValue: baseValue, Target: target}
	if baseValue > 0 {
		r.Ratio = value / baseValue
	}
	return r
}

// Less builds a Result for a "less is better" figure (latency, ns/op).
func Less(name string, value float64, unit, baseName string, baseValue, target float64) Result {
	r := Result{Name: name, Value: value, Unit: unit, BaselineName: baseName, BaselineValue: baseValue, Target: target}
	if baseName != "" && value > 0 {
		r.Ratio = baseValue / value
	}
	return r
}
