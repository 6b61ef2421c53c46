package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromiumEnv overrides the browser the review test drives; by default
// Debian's chromium on PATH (`make e2e` installs it when missing).
const chromiumEnv = "LLMEVAL_E2E_CHROMIUM"

func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(chromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium on PATH (make e2e installs Debian's chromium; or set %s)", chromiumEnv)
	return ""
}

// reviewQueue replays the real producers' fixtures through `llmeval
// replay` with the default checks: the annotated file a team reviews.
func reviewQueue(t *testing.T, tool, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtures, "real", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var lines []string
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		var line bytes.Buffer
		require.NoError(t, json.Compact(&line, body), f)
		lines = append(lines, line.String())
	}
	in, cfg, queue := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "llmeval.yaml"), filepath.Join(dir, "queue.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	require.NoError(t, os.WriteFile(cfg, []byte("{}\n"), 0o600))
	out, err := exec.Command(tool, "replay", "--config", cfg, "--out", queue, in).CombinedOutput()
	require.NoError(t, err, string(out))
	return queue
}

// startReview runs `llmeval review` on a free port and returns its URL.
func startReview(t *testing.T, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool, append([]string{"review", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "review exits cleanly on SIGINT")
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("review did not stop on SIGINT")
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "open "); ok {
				urls <- u
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("llmeval review printed no URL")
		return ""
	}
}

// TestReviewInBrowser is the human loop on the real page in headless
// Chromium: label traces with the keyboard, write notes and tags, merge
// two tags, reload and resume; then the labels file gives calibrate the
// figures the reviewer's choices imply. It saves docs/review.png.
func TestReviewInBrowser(t *testing.T) {
	binary(t) // run by `make e2e`, like the other end-to-end tests
	browser := chromium(t)
	tool := llmevalTool(t)
	dir := t.TempDir()
	queue := reviewQueue(t, tool, dir)
	labels := filepath.Join(dir, "labels.csv")
	url := startReview(t, tool, "--labels", labels, queue)

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(1440, 900),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("font-render-hinting", "none"))...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			dbg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({active: document.activeElement.id, tag: document.getElementById("tag-input").value, chips: document.getElementById("tag-chips").textContent, toast: document.getElementById("toast").textContent, save: document.getElementById("save-state").textContent, note: document.getElementById("note").value})`))
			t.Fatalf("%v; page: %s", err, dbg)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		require.NoError(t, err, sel)
		return v
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] { return chromedp.Poll[chromedp.Void](expr) }

	do(chromedp.Navigate(url), chromedp.WaitVisible("#trace-id"))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#labels tbody tr")].map(r => r.dataset.evaluator)`))
	require.NoError(t, err)
	require.Equal(t, []string{"destructive_action", "finish_reason", "latency", "pii", "refusal", "sql_safety", "tool_call"}, rows,
		"the evaluators of the replayed file, key 7 is tool_call")

	// The reviewer's pass: the first six traces of the queue (highest
	// trouble score first), tool_call labelled on each, notes and tags on
	// some. want is the checks' verdict the page shows; human is the label.
	steps := []struct {
		want, human string
		note        string
		tag         string
	}{
		{"pass", "fail", "the weather service is down and the agent retries it", "tool outage"},
		{"fail", "fail", "", "bad arguments"},
		{"pass", "pass", "", ""},
		{"pass", "pass", "", ""},
		{"fail", "fail", "", "wrong tool args"},
		{"fail", "pass", "the arguments are odd but the call works", "bad arguments"},
	}
	var ids []string
	for i, s := range steps {
		id := text("#trace-id")
		ids = append(ids, id)
		ours := text(`#labels tr[data-evaluator="tool_call"] td:nth-child(3)`)
		require.Equal(t, s.want, ours, "trace %d (%s): the checks' tool_call verdict", i+1, id)
		key := "p"
		if s.human == "fail" {
			key = "f"
		}
		if i == 0 {
			do(chromedp.KeyEvent("7"))
		} else {
			// The next trace starts on the evaluator last labelled.
			assert.Equal(t, "tool_call", text(`#labels tr.selected td:nth-child(2)`), "trace %d", i+1)
		}
		do(chromedp.KeyEvent(key), chromedp.WaitVisible(`#labels tr[data-evaluator="tool_call"] button.on.`+s.human))
		if s.note != "" {
			do(chromedp.KeyEvent("n"), chromedp.KeyEvent(s.note), chromedp.KeyEvent(kb.Escape),
				poll(`document.getElementById("save-state").textContent.startsWith("note saved")`))
		}
		if s.tag != "" {
			do(chromedp.KeyEvent("t"), chromedp.KeyEvent(s.tag), chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Escape),
				poll(`[...document.querySelectorAll("#tag-chips .chip")].some(c => c.firstChild.textContent === `+jsString(s.tag)+`)`))
		}
		if i < len(steps)-1 {
			do(chromedp.KeyEvent("j"), poll(`document.getElementById("trace-id").textContent !== `+jsString(id)))
		}
	}

	// Axial coding: merge "wrong tool args" into "bad arguments".
	do(chromedp.KeyEvent("m"),
		chromedp.WaitVisible(`#modes-table tr[data-tag="wrong tool args"]`),
		chromedp.SetValue("#merge-from", "wrong tool args"),
		chromedp.SendKeys("#merge-to", "bad arguments"),
		chromedp.Click("#merge-btn"),
		poll(`document.querySelector('#modes-table tr[data-tag="bad arguments"] .count')?.textContent === "3"`))
	assert.Equal(t, "50.0%", text(`#modes-table tr[data-tag="bad arguments"] td:nth-child(3)`), "3 of the 6 reviewed traces")
	assert.Equal(t, "1", text(`#modes-table tr[data-tag="tool outage"] .count`))

	// Reload: the page resumes on the last trace with its labels.
	do(chromedp.Reload(), chromedp.WaitVisible("#trace-id"),
		chromedp.WaitVisible(`#labels tr[data-evaluator="tool_call"] button.on.pass`))
	assert.Equal(t, ids[5], text("#trace-id"), "resumes where the reviewer was")
	assert.Equal(t, "6 of 18 reviewed", text("#progress"))
	note, err := chromedp.Run(ctx, chromedp.Value("#note"))
	require.NoError(t, err)
	assert.Equal(t, "the arguments are odd but the call works", note)

	// Back to the second trace for the screenshot: a failed check, a
	// signal, a label and a tag.
	for i := 4; i >= 1; i-- {
		do(chromedp.KeyEvent("k"), poll(`document.getElementById("trace-id").textContent === `+jsString(ids[i])))
	}
	do(poll(`[...document.querySelectorAll("#tag-chips .chip")].length === 1`))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "review.png"), shot, 0o644))

	// The labels drive calibrate: tool_call on six traces, the reviewer
	// against the checks: TP 2 (traces 2, 5), FP 1 (6), FN 1 (1), TN 2.
	out, err := exec.Command(tool, "calibrate", "--labels", labels, queue).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Regexp(t, regexp.MustCompile(`(?m)^tool_call\s+6\s+2\s+1\s+1\s+2\s+0\.667\s+0\.667\s+0\.667\s+0\.333\s+0\s+0$`), string(out))
	notes, err := os.ReadFile(strings.TrimSuffix(labels, ".csv") + ".notes.jsonl")
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(notes), `"bad arguments"`), "the merged tag on three traces")
	assert.NotContains(t, string(notes), "wrong tool args")
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
