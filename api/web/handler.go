package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed static
var embedded embed.FS

// assetsPrefix is where assets are served; the next path segment is the build's version.
const assetsPrefix = "/assets/"

// versionMarker is replaced in index.html by the versioned assets path.
const versionMarker = "{{ASSETS}}"

// Security headers every UI response carries. The policy allows this origin only: no inline
// scripts or styles, no eval, no other hosts, no framing, no plugins, forms posting nowhere else.
var securityHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// site is the UI built from the embedded files once.
type site struct {
	shell   asset            // index.html with the versioned assets path filled in
	assets  map[string]asset // by path relative to static/, e.g. "js/app.js"
	version string
}

// Handler returns the UI handler. It is safe for concurrent use. It answers 404 for paths it
// does not serve (an API mounted beside it keeps its own routes), 405 for methods other than GET
// and HEAD, and 304 when If-None-Match matches the file's ETag.
func Handler() http.Handler {
	s, err := load(embedded)
	if err != nil {
		// The embedded tree is fixed at build time; a failure here is a build defect that the
		// package's tests catch.
		panic("web: " + err.Error())
	}
	return s
}

// load reads every file under static/ and derives the build version from their contents.
func load(fsys fs.FS) (*site, error) {
	root, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	s := &site{assets: map[string]asset{}}
	var names []string
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		s.assets[p] = newAsset(p, b)
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		sum := sha256.Sum256(s.assets[n].body)
		h.Write([]byte(n))
		h.Write(sum[:])
	}
	s.version = hex.EncodeToString(h.Sum(nil))[:16]
	index, ok := s.assets["index.html"]
	if !ok {
		return nil, fs.ErrNotExist
	}
	delete(s.assets, "index.html")
	s.shell = newAsset("index.html", bytes.ReplaceAll(index.body, []byte(versionMarker), []byte(assetsPrefix+s.version)))
	return s, nil
}

func newAsset(name string, b []byte) asset {
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	sum := sha256.Sum256(b)
	return asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// ServeHTTP routes "/" and "/app/..." to the shell and "/assets/<version>/..." to assets.
func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range securityHeaders {
		w.Header().Set(k, v)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/" || p == "/app" || (strings.HasPrefix(p, "/app/") && path.Ext(p) == ""):
		serve(w, r, s.shell, "no-cache")
	case strings.HasPrefix(p, assetsPrefix+s.version+"/"):
		a, ok := s.assets[strings.TrimPrefix(p, assetsPrefix+s.version+"/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serve(w, r, a, "public, max-age=31536000, immutable")
	default:
		http.NotFound(w, r)
	}
}

// serve writes a with its validators and caching policy, or 304 when the client's copy matches.
func serve(w http.ResponseWriter, r *http.Request, a asset, cacheControl string) {
	h := w.Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", a.etag)
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.body)
	}
}

// etagMatches reports whether an If-None-Match header names etag (or is "*").
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
