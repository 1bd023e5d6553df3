package web_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/api/web"
)

// get serves one request from a fresh Handler.
func get(tb testing.TB, h http.Handler, method, target string, hdr ...string) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// assetsOf returns the versioned asset URLs the shell references.
func assetsOf(tb testing.TB, shell string) []string {
	tb.Helper()
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(shell, -1)
	if len(refs) < 3 {
		tb.Fatalf("the shell references %d assets: %s", len(refs), shell)
	}
	var out []string
	for _, r := range refs {
		out = append(out, r[1])
	}
	return out
}

func TestHandlerRoutes(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	shell := body(t, get(t, h, "GET", "/"))
	script := ""
	for _, a := range assetsOf(t, shell) {
		if strings.HasSuffix(a, "/js/app.js") {
			script = a
		}
	}
	if script == "" {
		t.Fatalf("no app.js in the shell: %s", shell)
	}
	version := strings.Split(script, "/")[2]

	cases := []struct {
		name, method, target string
		status               int
		contentType, cache   string
		bodyHas              string
	}{
		{"root serves the shell", "GET", "/", 200, "text/html; charset=utf-8", "no-cache", "/assets/" + version + "/js/app.js"},
		{"client-side route serves the shell", "GET", "/app/caseload", 200, "text/html; charset=utf-8", "no-cache", "<main"},
		{"record route with an id serves the shell", "GET", "/app/clients/0190a2b4-0000-7000-8000-000000000001", 200, "text/html; charset=utf-8", "no-cache", "<main"},
		{"HEAD of the shell", "HEAD", "/app/today", 200, "text/html; charset=utf-8", "no-cache", ""},
		{"script", "GET", script, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "import"},
		{"stylesheet", "GET", "/assets/" + version + "/css/app.css", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", ":root"},
		{"icon", "GET", "/assets/" + version + "/icon.svg", 200, "image/svg+xml", "public, max-age=31536000, immutable", "<svg"},
		{"the shell is not an asset", "GET", "/assets/" + version + "/index.html", 404, "", "", ""},
		{"another build's asset", "GET", "/assets/0123456789abcdef/js/app.js", 404, "", "", ""},
		{"missing asset", "GET", "/assets/" + version + "/js/missing.js", 404, "", "", ""},
		{"a file-like path under /app", "GET", "/app/secret.js", 404, "", "", ""},
		{"unknown path", "GET", "/admin", 404, "", "", ""},
		{"path traversal", "GET", "/assets/" + version + "/../../handler.go", 404, "", "", ""},
		{"unsafe method", "POST", "/", 405, "", "", ""},
		{"unsafe method on an asset", "DELETE", script, 405, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := get(t, h, c.method, c.target)
			b := body(t, res)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			if c.contentType != "" && res.Header.Get("Content-Type") != c.contentType {
				t.Fatalf("Content-Type %q, want %q", res.Header.Get("Content-Type"), c.contentType)
			}
			if c.cache != "" && res.Header.Get("Cache-Control") != c.cache {
				t.Fatalf("Cache-Control %q, want %q", res.Header.Get("Cache-Control"), c.cache)
			}
			if c.method == "HEAD" && b != "" {
				t.Fatal("HEAD answered with a body")
			}
			if !strings.Contains(b, c.bodyHas) {
				t.Fatalf("body lacks %q", c.bodyHas)
			}
			if c.status == 200 && res.Header.Get("ETag") == "" {
				t.Fatal("no ETag")
			}
			if c.status == 405 && res.Header.Get("Allow") != "GET, HEAD" {
				t.Fatalf("Allow %q", res.Header.Get("Allow"))
			}
			checkSecurityHeaders(t, res)
		})
	}
}

// checkSecurityHeaders fails unless res carries a CSP that allows this origin only, with no
// inline code or eval, and forbids framing, plus the other protective headers.
func checkSecurityHeaders(tb testing.TB, res *http.Response) {
	tb.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			tb.Fatalf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*", "data:"} {
		if strings.Contains(csp, bad) {
			tb.Fatalf("CSP %q allows %q", csp, bad)
		}
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if res.Header.Get(k) != v {
			tb.Fatalf("%s %q, want %q", k, res.Header.Get(k), v)
		}
	}
}

func TestHandlerConditionalRequests(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	for _, target := range append([]string{"/"}, assetsOf(t, body(t, get(t, h, "GET", "/")))...) {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			etag := get(t, h, "GET", target).Header.Get("ETag")
			cases := []struct {
				name, ifNoneMatch string
				status            int
			}{
				{"same tag", etag, http.StatusNotModified},
				{"weak form of the tag", "W/" + etag, http.StatusNotModified},
				{"among others", `"other", ` + etag, http.StatusNotModified},
				{"another tag", `"other"`, http.StatusOK},
			}
			for _, c := range cases {
				res := get(t, h, "GET", target, "If-None-Match", c.ifNoneMatch)
				if res.StatusCode != c.status {
					t.Fatalf("%s: status %d, want %d", c.name, res.StatusCode, c.status)
				}
				if c.status == http.StatusNotModified && body(t, res) != "" {
					t.Fatalf("%s: 304 with a body", c.name)
				}
			}
		})
	}
}

// TestModulesResolve follows every import from the entry script and fails on one that the
// handler does not serve: a broken import would leave the UI blank.
func TestModulesResolve(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	var entry string
	for _, a := range assetsOf(t, body(t, get(t, h, "GET", "/"))) {
		if strings.HasSuffix(a, ".js") {
			entry = a
		}
	}
	importRe := regexp.MustCompile(`(?m)^import\s[^"]*"([^"]+)";`)
	seen := map[string]bool{}
	queue := []string{entry}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		res := get(t, h, "GET", u)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", u, res.StatusCode)
		}
		for _, m := range importRe.FindAllStringSubmatch(body(t, res), -1) {
			if !strings.HasPrefix(m[1], "./") && !strings.HasPrefix(m[1], "../") {
				t.Fatalf("%s imports %q: only relative imports of our own modules are allowed", u, m[1])
			}
			queue = append(queue, filepath.Join(filepath.Dir(u), m[1]))
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d modules reached from %s", len(seen), entry)
	}
}

// TestSourcesKeepThePolicy reads the embedded sources and fails on what the security policy
// forbids: inline scripts or styles (the CSP would block them), eval, HTML built from strings
// (data could inject markup), console logging (data could reach logs), localStorage (outlives
// the session) and other hosts.
func TestSourcesKeepThePolicy(t *testing.T) {
	t.Parallel()
	forbidden := []struct {
		what string
		re   *regexp.Regexp
		ext  string
	}{
		{"inline style element", regexp.MustCompile(`<style`), ".html"},
		{"style attribute", regexp.MustCompile(`\sstyle=`), ".html"},
		{"inline event handler", regexp.MustCompile(`\son[a-z]+=`), ".html"},
		{"eval", regexp.MustCompile(`\beval\(|new Function\(|setTimeout\(\s*["'` + "`" + `]`), ".js"},
		{"HTML from strings", regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write`), ".js"},
		{"console logging", regexp.MustCompile(`\bconsole\.`), ".js"},
		{"localStorage", regexp.MustCompile(`localStorage`), ".js"},
		{"inline style from script", regexp.MustCompile(`\.style\.|"style"`), ".js"},
		{"another host", regexp.MustCompile(`https?://`), ""},
	}
	root := filepath.Join("static")
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		if filepath.Ext(p) == ".html" {
			for _, tag := range regexp.MustCompile(`<script\b[^>]*>`).FindAll(b, -1) {
				if !regexp.MustCompile(`\ssrc="[^"]+"`).Match(tag) {
					t.Errorf("%s: inline script %q", p, tag)
				}
			}
		}
		for _, f := range forbidden {
			if f.ext != "" && filepath.Ext(p) != f.ext {
				continue
			}
			if filepath.Ext(p) == ".svg" && f.what == "another host" {
				continue // the SVG namespace URI is a name, not a request
			}
			if loc := f.re.FindIndex(b); loc != nil {
				t.Errorf("%s: %s at byte %d: %q", p, f.what, loc[0], b[loc[0]:loc[1]])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d files checked", n)
	}
}

// FuzzHandler serves arbitrary paths and validators: the handler never panics, answers only
// 200, 304, 404 or 405, and serves JavaScript only under the versioned assets path.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{"/", "/app/", "/app/clients/x", "/assets/", "/assets/x/js/app.js", "/app/../assets", "//", "/app/a.b/c", "/%2e%2e/"} {
		f.Add(s, `"x"`)
	}
	h := web.Handler()
	f.Fuzz(func(t *testing.T, path, ifNoneMatch string) {
		req, err := http.NewRequest("GET", "http://127.0.0.1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Path = "/" + strings.TrimPrefix(path, "/")
		req.Header.Set("If-None-Match", ifNoneMatch)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 304, 404, 405:
		default:
			t.Fatalf("%q: status %d", path, rec.Code)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") && !strings.HasPrefix(req.URL.Path, "/assets/") {
			t.Fatalf("%q served JavaScript", path)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Fatalf("%q: no CSP", path)
		}
	})
}
