package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// lineError is a line of an input file that is not an OTLP JSON request.
type lineError struct {
	file   string
	line   int
	offset int64
	err    error
}

func (e *lineError) Error() string {
	return fmt.Sprintf("%s:%d (byte %d): %v", e.file, e.line, e.offset, e.err)
}

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	atomic.AddInt64(c.n, int64(n))
	return n, err
}

// readTraces streams a file of OTLP JSON requests, one per line, gzip or
// plain, calling fn for each. Bad lines go to bad and reading goes on;
// memory holds one line at a time.
func readTraces(path string, read *int64, fn func(ptrace.Traces) error, bad func(*lineError)) error {
	return readOTLP(path, read, fn, nil, bad)
}

// resourceLogsKey marks a line that holds log records too.
var resourceLogsKey = []byte(`"resourceLogs"`)

// readOTLP is readTraces that also passes a line's log records to logs,
// when not nil: a line may hold an OTLP traces request, a logs request, or
// both (`{"resourceSpans": [...], "resourceLogs": [...]}`).
func readOTLP(path string, read *int64, fn func(ptrace.Traces) error, logs func(plog.Logs) error, bad func(*lineError)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	br := bufio.NewReaderSize(countingReader{f, read}, 1<<20)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer func() { _ = gz.Close() }() // a reader: nothing to flush
		r = gz
	}
	lines := bufio.NewReaderSize(r, 1<<20)
	var um ptrace.JSONUnmarshaler
	var lm plog.JSONUnmarshaler
	var offset int64
	for line := 1; ; line++ {
		text, err := lines.ReadBytes('\n')
		start := offset
		offset += int64(len(text))
		if t := bytes.TrimSpace(text); len(t) > 0 {
			td, uerr := um.UnmarshalTraces(t)
			var ld plog.Logs
			withLogs := logs != nil && bytes.Contains(t, resourceLogsKey)
			if uerr == nil && withLogs {
				ld, uerr = lm.UnmarshalLogs(t)
			}
			if uerr != nil {
				bad(&lineError{file: path, line: line, offset: start, err: uerr})
			} else if ferr := fn(td); ferr != nil {
				return ferr
			} else if withLogs {
				if ferr := logs(ld); ferr != nil {
					return ferr
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}
