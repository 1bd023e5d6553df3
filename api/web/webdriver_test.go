package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Where Debian's chromium and chromium-driver packages install the browser and its driver.
const (
	chromiumPath     = "/usr/bin/chromium"
	chromedriverPath = "/usr/bin/chromedriver"
	installHint      = "the browser test needs Chromium and ChromeDriver: apt-get update && apt-get install -y chromium chromium-driver"
)

// elementKey is the W3C WebDriver key of an element reference.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// waitFor bounds every wait for the page to reach a state.
const waitFor = 15 * time.Second

// browser is one headless Chromium session driven over the W3C WebDriver protocol by a
// chromedriver process this test started. Its methods fail the test on any protocol error.
type browser struct {
	tb      testing.TB
	base    string // chromedriver URL including /session/<id>
	http    *http.Client
	shotDir string
}

// newBrowser starts chromedriver on a free port and opens a Chromium session with a fresh
// profile; cleanup ends the session and the driver. A failing test leaves a screenshot in
// a temporary directory and logs its path.
func newBrowser(tb testing.TB) *browser {
	tb.Helper()
	for _, p := range []string{chromiumPath, chromedriverPath} {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("%s not found: %s", p, installHint)
		}
	}
	port := freePort(tb)
	logFile, err := os.Create(filepath.Join(tb.TempDir(), "chromedriver.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(chromedriverPath, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	// The browser shows times in UTC, the zone the seeded appointment's day is chosen in.
	cmd.Env = append(os.Environ(), "TZ=UTC", "LANG=en_GB.UTF-8")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start chromedriver: %v (%s)", err, installHint)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
	})
	driver := "http://127.0.0.1:" + strconv.Itoa(port)
	b := &browser{tb: tb, http: &http.Client{Timeout: 60 * time.Second}, shotDir: tb.TempDir()}
	deadline := time.Now().Add(waitFor)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := b.call("GET", driver+"/status", nil, &st); err == nil && st.Ready {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("chromedriver did not become ready on port %d", port)
		}
		time.Sleep(50 * time.Millisecond)
	}
	profile := tb.TempDir()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":         "chrome",
		"acceptInsecureCerts": true,
		"pageLoadStrategy":    "normal",
		"goog:loggingPrefs":   map[string]string{"browser": "ALL"},
		"goog:chromeOptions": map[string]any{
			"binary": chromiumPath,
			"args": []string{
				"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile,
			},
		},
	}}}
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call("POST", driver+"/session", caps, &sess); err != nil {
		tb.Fatalf("open a Chromium session: %v (%s)", err, installHint)
	}
	b.base = driver + "/session/" + sess.SessionID
	tb.Cleanup(func() { _ = b.call("DELETE", b.base, nil, nil) })
	tb.Cleanup(func() {
		if tb.Failed() {
			b.screenshot("failure")
		}
	})
	return b
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// call sends one WebDriver command and decodes its "value" into out (when non-nil).
func (b *browser) call(method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver %s %s: %d %.200s", method, url, res.StatusCode, raw)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(env.Value, &e)
		return fmt.Errorf("webdriver %s: %s: %.300s", method, e.Error, e.Message)
	}
	if out != nil {
		return json.Unmarshal(env.Value, out)
	}
	return nil
}

// must runs a session command and fails the test on error.
func (b *browser) must(method, path string, body, out any) {
	b.tb.Helper()
	if err := b.call(method, b.base+path, body, out); err != nil {
		b.tb.Fatal(err)
	}
}

// open loads url and waits for the document to load.
func (b *browser) open(url string) {
	b.tb.Helper()
	b.must("POST", "/url", map[string]string{"url": url}, nil)
}

// script runs JavaScript in the page (arguments as arguments[i]) and decodes its result.
func (b *browser) script(out any, js string, args ...any) {
	b.tb.Helper()
	if args == nil {
		args = []any{}
	}
	b.must("POST", "/execute/sync", map[string]any{"script": js, "args": args}, out)
}

// element returns a reference to the first element matching css, waiting for it to exist.
func (b *browser) element(css string) string {
	b.tb.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		var ref map[string]string
		err := b.call("POST", b.base+"/element", map[string]string{"using": "css selector", "value": css}, &ref)
		if err == nil {
			return ref[elementKey]
		}
		if !strings.Contains(err.Error(), "no such element") || time.Now().After(deadline) {
			b.tb.Fatalf("find %q: %v", css, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// click clicks the element matching css as a user would. While the page is still rendering, the
// element can move under another one or be replaced between finding and clicking it; WebDriver
// then refuses the click without dispatching it ("element click intercepted", "stale element
// reference"), and it is tried again until the page settles.
func (b *browser) click(css string) {
	b.tb.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		err := b.call("POST", b.base+"/element/"+b.element(css)+"/click", map[string]any{}, nil)
		if err == nil {
			return
		}
		retry := strings.Contains(err.Error(), "element click intercepted") || strings.Contains(err.Error(), "stale element reference")
		if !retry || time.Now().After(deadline) {
			b.tb.Fatalf("click %q: %v", css, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// typeInto clears the field matching css and types text into it key by key.
func (b *browser) typeInto(css, text string) {
	b.tb.Helper()
	id := b.element(css)
	b.must("POST", "/element/"+id+"/clear", map[string]any{}, nil)
	b.must("POST", "/element/"+id+"/value", map[string]string{"text": text}, nil)
}

// textOf returns the rendered text of the element matching css ("" when there is none).
func (b *browser) textOf(css string) string {
	b.tb.Helper()
	var s string
	b.script(&s, `const e = document.querySelector(arguments[0]); return e ? e.innerText : "";`, css)
	return s
}

// waitText waits until the element matching css shows text containing want, and returns it.
func (b *browser) waitText(css, want string) string {
	b.tb.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		got := b.textOf(css)
		if strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			b.tb.Fatalf("waiting for %q in %s; it shows %q; the page shows %.600q", want, css, got, b.textOf("body"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone waits until no element matches css, such as a panel that a re-render removes.
func (b *browser) waitGone(css string) {
	b.tb.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		var present bool
		b.script(&present, `return document.querySelector(arguments[0]) !== null;`, css)
		if !present {
			return
		}
		if time.Now().After(deadline) {
			b.tb.Fatalf("%s is still on the page", css)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// path returns the page's location.pathname.
func (b *browser) path() string {
	b.tb.Helper()
	var p string
	b.script(&p, `return location.pathname;`)
	return p
}

// consoleErrors returns the browser console's SEVERE entries since the last call, except
// failed loads of API answers (a 401 or 404 the UI handles is logged by Chromium itself).
func (b *browser) consoleErrors() []string {
	b.tb.Helper()
	var entries []struct {
		Level   string `json:"level"`
		Message string `json:"message"`
	}
	b.must("POST", "/se/log", map[string]string{"type": "browser"}, &entries)
	var out []string
	for _, e := range entries {
		if e.Level == "SEVERE" && !strings.Contains(e.Message, "Failed to load resource") {
			out = append(out, e.Message)
		}
	}
	return out
}

// screenshot saves a PNG of the viewport and logs its path.
func (b *browser) screenshot(name string) {
	var data string
	if err := b.call("GET", b.base+"/screenshot", nil, &data); err != nil {
		b.tb.Logf("screenshot failed: %v", err)
		return
	}
	png, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		b.tb.Logf("screenshot failed: %v", err)
		return
	}
	p := filepath.Join(b.shotDir, name+".png")
	if err := os.WriteFile(p, png, 0o600); err != nil {
		b.tb.Logf("screenshot failed: %v", err)
		return
	}
	b.tb.Logf("screenshot of the page: %s", p)
}
