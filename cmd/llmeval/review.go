package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/cmd/llmeval/internal/review"
	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector"
)

// review serves the review page until interrupted.
func reviewCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	configPath := fs.String("config", "", "collector config (or bare processor config): its judge.redact hides content, its evaluators and rubrics are offered for labelling")
	processorID := fs.String("processor", "", "the llmeval processor to use when the config has several")
	labelsPath := fs.String("labels", "labels.csv", "labels CSV to write (and resume from); notes and tags go to <name>.notes.jsonl beside it")
	addr := fs.String("addr", "127.0.0.1:8421", "address to serve on (127.0.0.1:0 picks a free port)")
	showRedacted := fs.Bool("show-redacted", false, "show the content the config's judge.redact hides")
	prefix := fs.String("prefix", "", "the processor's attribute_prefix (default: the config's, else llmeval)")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if fs.NArg() == 0 {
		return 2, errors.New("at least one OTLP JSON file is required")
	}
	opts := review.Options{Prefix: "llmeval"}
	var offered []string
	if *configPath != "" {
		cfg, _, err := loadConfig(*configPath, *processorID)
		if err != nil {
			return 2, err
		}
		opts.Prefix = cfg.AttributePrefix
		if r := cfg.JudgeRedactor(); r != nil && !*showRedacted {
			opts.Redactor = r
		}
		for _, e := range cfg.EffectiveEvaluators() {
			offered = append(offered, e.Name)
		}
		offered = append(offered, rubricNames(*configPath)...)
	}
	if *prefix != "" {
		opts.Prefix = *prefix
	}
	start := time.Now()
	ix, err := review.Open(fs.Args(), opts)
	if err != nil {
		return 2, err
	}
	defer func() { _ = ix.Close() }() // removes temporary copies; nothing to report
	for _, b := range ix.Bad {
		fmt.Fprintf(stderr, "bad line: %v\n", b)
	}
	if n := ix.BadLine - len(ix.Bad); n > 0 {
		fmt.Fprintf(stderr, "... and %d more bad lines\n", n)
	}
	store, err := review.OpenStore(*labelsPath)
	if err != nil {
		return 2, err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return 2, err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	loopback := net.ParseIP(host).IsLoopback()
	if !loopback {
		fmt.Fprintf(stderr, "warning: serving on %s: anyone who can reach it can read these traces and change the labels\n", ln.Addr())
	}
	srv := &http.Server{
		Handler:           review.NewServer(ix, store, offered, loopback),
		ReadHeaderTimeout: 10 * time.Second,
	}
	redaction := "content the config's judge.redact hides is hidden"
	switch {
	case *showRedacted:
		redaction = "--show-redacted: all content is shown"
	case opts.Redactor == nil:
		redaction = "no redaction configured: all content is shown"
	}
	fmt.Fprintf(stdout, "llmeval review: %d traces from %d files indexed in %s; %s\nlabels: %s, notes and tags: %s\nopen http://%s/\n",
		ix.Len(), len(fs.Args()), time.Since(start).Round(time.Millisecond), redaction, *labelsPath, review.NotesPath(*labelsPath), ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return 2, err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return 2, err
	}
	return 0, nil
}

// rubricNames are the rubrics of the config's llmjudge connector, if it
// has one: the reviewer labels them too. A config without one has none.
func rubricNames(path string) []string {
	cfg := llmjudgeconnector.NewFactory().CreateDefaultConfig().(*llmjudgeconnector.Config)
	if _, err := loadComponent(path, componentKind{section: "connectors", typ: "llmjudge", flag: "--connector"}, "", cfg); err != nil {
		return nil
	}
	names := make([]string, 0, len(cfg.Rubrics))
	for _, r := range cfg.Rubrics {
		names = append(names, r.Name)
	}
	return names
}
