// Command llmeval replays traces through the llmeval processor, calibrates
// its verdicts against human labels, and checks configs: the loop from a
// new metric to a deployed one.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `llmeval: replay, calibrate and check llmeval processor configs; align a judge;
review and label traces in a browser

  llmeval check     --config FILE [--processor ID]
  llmeval replay    --config FILE [--processor ID] [--examples N] [--out FILE] [--why N]
                    [--outcome ATTR [--fail-below X] | --labels FILE] [--split train|dev|test] FILES...
  llmeval tune      --config FILE [--processor ID] (--outcome ATTR [--fail-below X] | --labels FILE)
                    [--test] [--target-ratio R] FILES...
  llmeval calibrate --labels FILE [--split train|dev|test] FILES...
  llmeval judge     --config FILE [--connector ID] [--rubric NAME] --labels FILE [--split train|dev|test]
                    [--dry-run [--show N]] [--disagreements N] FILES...
  llmeval review    [--config FILE] [--labels FILE] [--addr HOST:PORT] [--show-redacted] FILES...

FILES are OTLP JSON, one ExportTraceServiceRequest per line (the file
exporter's format), optionally gzip-compressed. --config takes a collector
config (the llmeval processor, or for judge the llmjudge connector, is
picked from it) or a bare component config.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the exit status: 0 ok, 1 the input
// had problems (bad lines, failed checks), 2 usage or config errors.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	status := 0
	switch args[0] {
	case "check":
		err = check(args[1:], stdout)
	case "replay":
		status, err = replay(args[1:], stdout, stderr)
	case "tune":
		status, err = tune(args[1:], stdout, stderr)
	case "calibrate":
		status, err = calibrate(args[1:], stdout, stderr)
	case "judge":
		status, err = judge(args[1:], stdout, stderr)
	case "review":
		status, err = reviewCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "llmeval %s: %v\n", args[0], err)
		return 2
	}
	return status
}
